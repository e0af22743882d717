"""R175 place-interceptors: the spec's `interceptors` as adapter settings, in the one place NEL reads.

Why: `adapter_config` works only at `evaluation.nemo_evaluator_config.target.api_endpoint`
(top-level `target...` is silently dropped, `...config.target...` fails in the container), and a
flag typo passes NEL's dry run but fails hours later in the container. Flags are checked against
the container's own list (recipes/adapter.yaml, shared with `nelc lint`); logging limits are
`max_logged_*` (the `max_saved_*` flags size the cache); a `custom_system_prompt` gets
`use_system_prompt: true`. An explicit `interceptors:` chain is allowed only whole: it replaces
NEL's entire default chain, so it is checked like the container does (registered names, stage
order, `endpoint` present, `system_message` text, hooks) and no flat flag may stand beside it.

Example:
>>> from nelc.engine import demo
>>> print(demo("R175", "model: org/m\\nbenchmarks: [ns_gpqa]\\ninterceptors: {use_request_logging: true, max_logged_requests: 5}\\n"))
evaluation.nemo_evaluator_config.target.api_endpoint.adapter_config.use_request_logging: true  # R175: the spec's interceptors, at the only location NEL passes to the container
evaluation.nemo_evaluator_config.target.api_endpoint.adapter_config.max_logged_requests: 5  # R175: the spec's interceptors, at the only location NEL passes to the container
"""

from __future__ import annotations

from nelc.adapter import adapter_problems
from nelc.draft import Draft
from nelc.facts import Context
from nelc.knowledge import adapter_schema

HOME = "evaluation.nemo_evaluator_config.target.api_endpoint.adapter_config"


def place_interceptors(draft: Draft, ctx: Context) -> Draft:
    settings = dict(ctx.spec.interceptors)
    if not settings:
        return draft.decide("adapter_config", "no interceptors in the spec: NEL's default chain (caching, endpoint, response stats)")
    explicit = "interceptors" in settings
    for problem in adapter_problems(settings):
        if problem.key == "custom_system_prompt" and not explicit:
            continue  # nelc adds use_system_prompt below
        draft = draft.report(problem.severity, problem.message, problem.hint,
                             **ctx.at("interceptors", *([problem.key] if problem.key else [])))
    if explicit:
        chain_fields = adapter_schema().chain_fields
        for name in [k for k in (draft.get(HOME) or {}) if k not in chain_fields]:  # e.g. R230's reasoning switch
            draft = draft.delete(f"{HOME}.{name}", "an explicit interceptors chain replaces every flat flag; put it in the chain")
    for name, value in settings.items():  # flag by flag: model-derived flags the spec does not name stay
        why = "the spec's explicit interceptor chain" if explicit else "the spec's interceptors, at the only location NEL passes to the container"
        draft = draft.set(f"{HOME}.{name}", value, why, ctx.source("interceptors", name))
    if not explicit and settings.get("custom_system_prompt") and "use_system_prompt" not in settings:
        draft = draft.set(f"{HOME}.use_system_prompt", True,
                          "NEL sends custom_system_prompt only when use_system_prompt is true", ctx.source("interceptors"))
    return draft
