"""R175 place-interceptors: the spec's `interceptors` as flat adapter flags, in the one place NEL reads.

Why: `adapter_config` works only at `evaluation.nemo_evaluator_config.target.api_endpoint`
(top-level `target...` is silently dropped, `...config.target...` fails in the container), and a
flag typo passes NEL's dry run but fails hours later in the container. Flags are checked against
the container's own list (recipes/adapter.yaml); logging limits are `max_logged_*` (the
`max_saved_*` flags size the cache); a `custom_system_prompt` needs `use_system_prompt: true`.
An explicit `interceptors:` chain replaces NEL's whole default chain and is not accepted here.

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
        if name in ("interceptors", "post_eval_hooks"):
            draft = draft.report("R175", Severity.ERROR, f"an explicit interceptors.{name} list replaces NEL's whole default chain",
                                 "configure interceptors with flat flags (use_request_logging, params_to_add, ...)", **where)
        elif name not in flags:
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
