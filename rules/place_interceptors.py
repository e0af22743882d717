"""R175 place-interceptors: the spec's `interceptors` as flat adapter flags, in the one place NEL reads.

Why: `adapter_config` works only at `evaluation.nemo_evaluator_config.target.api_endpoint`
(top-level `target...` is silently dropped, `...config.target...` fails in the container), and a
flag typo passes NEL's dry run but fails hours later in the container. Flags are checked against
the container's own list (recipes/adapter.yaml); logging limits are `max_logged_*` (the
`max_saved_*` flags size the cache); a `custom_system_prompt` needs `use_system_prompt: true`.
An explicit `interceptors:` chain is allowed only whole: it replaces NEL's entire default chain, so
it is checked like the container does (registered names, stage order, `endpoint` present,
`system_message` text, hooks) and no flat flag may stand beside it.

Example:
>>> from nelc.engine import demo
>>> print(demo("R175", "model: org/m\\nbenchmarks: [ns_gpqa]\\ninterceptors: {use_request_logging: true, max_logged_requests: 5}\\n"))
evaluation.nemo_evaluator_config.target.api_endpoint.adapter_config.use_request_logging: true  # R175: the spec's interceptors, at the only location NEL passes to the container
evaluation.nemo_evaluator_config.target.api_endpoint.adapter_config.max_logged_requests: 5  # R175: the spec's interceptors, at the only location NEL passes to the container
"""

from __future__ import annotations

import difflib

from nelc.data import recipe
from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context

HOME = "evaluation.nemo_evaluator_config.target.api_endpoint.adapter_config"
_TYPES = {"string": str, "boolean": bool, "integer": int, "mapping": dict, "list": list}


def place_interceptors(draft: Draft, ctx: Context) -> Draft:
    settings = dict(ctx.spec.interceptors)
    if not settings:
        return draft.decide("adapter_config", "no interceptors in the spec: NEL's default chain (caching, endpoint, response stats)")
    data = recipe("adapter")
    flags = data["legacy_flags"]
    for name, value in settings.items():
        where = ctx.at("interceptors", name)
        if "interceptors" in settings:
            continue  # an explicit chain is checked as a whole below
        if name not in flags:
            close = difflib.get_close_matches(name, list(flags), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "see `nelc rules R175` and NEL's interceptor docs for flag names"
            if name in ("max_requests", "max_responses"):
                hint = f"the flat logging flag is max_logged_{name.split('_')[1]}"
            draft = draft.report("R175", Severity.ERROR, f"unknown interceptor flag '{name}' (the container would reject it)", hint, **where)
        elif not isinstance(value, _TYPES[flags[name]]) or (flags[name] == "integer" and isinstance(value, bool)):
            draft = draft.report("R175", Severity.ERROR, f"interceptors.{name} must be {flags[name]}", f"write a {flags[name]} value", **where)
        elif name in data["deprecated"]:
            draft = draft.report("R175", Severity.WARNING, f"'{name}' is deprecated", f"use {data['deprecated'][name]}", **where)
        elif name in data["unregistered"]:
            draft = draft.report("R175", Severity.ERROR, f"'{name}' turns on an interceptor the public containers do not register",
                                 "remove it", **where)
    if "interceptors" in settings:
        return _explicit_chain(draft, ctx, settings, data)
    logging_on = settings.get("use_request_logging") or settings.get("use_response_logging")
    if logging_on and any(k in settings for k in ("max_saved_requests", "max_saved_responses")) \
            and not any(k in settings for k in ("max_logged_requests", "max_logged_responses")):
        draft = draft.report("R175", Severity.WARNING, "max_saved_* sizes the cache, not the request/response logs",
                             "use max_logged_requests / max_logged_responses to cap logging", **ctx.at("interceptors"))
    for name, value in settings.items():  # flag by flag: model-derived flags the spec does not name stay
        draft = draft.set(f"{HOME}.{name}", value, "the spec's interceptors, at the only location NEL passes to the container",
                          ctx.source("interceptors", name))
    if settings.get("custom_system_prompt") and "use_system_prompt" not in settings:
        draft = draft.set(f"{HOME}.use_system_prompt", True,
                          "NEL sends custom_system_prompt only when use_system_prompt is true", ctx.source("interceptors"))
    return draft


STAGES = ("request", "request_to_response", "response")


def _explicit_chain(draft: Draft, ctx: Context, settings: dict, data: dict) -> Draft:
    where = ctx.at("interceptors", "interceptors")
    problems = []
    beside = [k for k in settings if k not in data["chain_fields"]]
    if beside:
        problems.append((f"flat flags beside an explicit chain: {', '.join(beside)} (the container refuses them)",
                         "move them into the chain's interceptor configs, or drop the interceptors list"))
    chain = settings["interceptors"]
    discovery = bool((settings.get("discovery") or {}).get("modules") or (settings.get("discovery") or {}).get("dirs"))
    if not isinstance(chain, list) or not chain:
        problems.append(("interceptors must be a non-empty list", "list names or {name, config} entries"))
        chain = []
    last_stage, names = 0, []
    for item in chain:
        name = item if isinstance(item, str) else (item or {}).get("name") if isinstance(item, dict) else None
        config = (item.get("config") or {}) if isinstance(item, dict) else {}
        enabled = item.get("enabled", True) if isinstance(item, dict) else True
        if not isinstance(name, str):
            problems.append((f"chain entry {item!r} has no name", "write a name or {name: ..., config: {...}}"))
            continue
        names.append(name) if enabled else None
        stage = data["interceptors"].get(name)
        if stage is None:
            if not discovery:
                close = difflib.get_close_matches(name, list(data["interceptors"]), n=1)
                problems.append((f"unknown interceptor '{name}' (the container fails with 'Unknown interceptor')",
                                 f"did you mean '{close[0]}'?" if close else "registered: " + ", ".join(data["interceptors"])))
            continue
        if STAGES.index(stage) < last_stage:
            problems.append((f"interceptor '{name}' ({stage} stage) comes after a {STAGES[last_stage]} interceptor",
                             "order the chain request -> caching/endpoint -> response"))
        last_stage = max(last_stage, STAGES.index(stage))
        if name == "system_message" and not config.get("system_message"):
            problems.append(("system_message needs config.system_message", "give the prompt text"))
    if chain and "endpoint" not in names:
        problems.append(("the chain has no enabled 'endpoint' interceptor: no request would reach the model", "add endpoint"))
    for hook in settings.get("post_eval_hooks") or []:
        hook_name = hook if isinstance(hook, str) else (hook or {}).get("name")
        if hook_name not in data["post_eval_hooks"]:
            problems.append((f"unknown post-eval hook '{hook_name}'", f"known hooks: {', '.join(data['post_eval_hooks'])}"))
    for message, hint in problems:
        draft = draft.report("R175", Severity.ERROR, message, hint, **where)
    earlier = draft.get(HOME) or {}
    for name in [k for k in earlier if k not in data["chain_fields"]]:  # e.g. the model's reasoning switch (R230)
        draft = draft.delete(f"{HOME}.{name}", "an explicit interceptors chain replaces every flat flag; put it in the chain")
    for name, value in settings.items():
        draft = draft.set(f"{HOME}.{name}", value, "the spec's explicit interceptor chain", ctx.source("interceptors", name))
    return draft
