"""What the evaluation container accepts in an `adapter_config`, as one pure check shared by the
compile rule R175 and the lint rules: flat legacy flags, or an explicit interceptor chain, whole."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from .diagnostics import Severity
from .knowledge import AdapterSchema, adapter_schema

STAGES = ("request", "request_to_response", "response")
_TYPES = {"string": str, "boolean": bool, "integer": int, "mapping": dict, "list": list}


@dataclass(frozen=True)
class Problem:
    key: str | None  # the adapter_config key it is about, when one
    severity: Severity
    message: str
    hint: str
    replacement: str | None = None  # a flag name that would fix a misspelling or a deprecated name


def adapter_problems(settings: dict[str, Any]) -> list[Problem]:
    data = adapter_schema()
    if "interceptors" in settings:
        return _chain_problems(settings, data)
    return _flag_problems(settings, data)


def _flag_problems(settings: dict, data: AdapterSchema) -> list[Problem]:
    flags = data.legacy_flags
    out = []
    for name, value in settings.items():
        if name not in flags:
            close = difflib.get_close_matches(name, list(flags), n=1)
            replacement = close[0] if close else None
            hint = f"did you mean '{close[0]}'?" if close else "see NEL's interceptor docs for the flat flag names"
            if name in ("max_requests", "max_responses"):
                replacement = f"max_logged_{name.split('_')[1]}"
                hint = f"the flat logging flag is {replacement} (max_requests/max_responses belong inside an explicit chain)"
            out.append(Problem(name, Severity.ERROR, f"unknown adapter flag '{name}' (the container rejects it)", hint, replacement))
        elif value is not None and (not isinstance(value, _TYPES[flags[name]]) or (flags[name] == "integer" and isinstance(value, bool))):
            out.append(Problem(name, Severity.ERROR, f"adapter flag {name} must be {flags[name]}", f"write a {flags[name]} value"))
        elif name in data.deprecated:
            out.append(Problem(name, Severity.WARNING, f"'{name}' is deprecated", f"use {data.deprecated[name]}",
                               data.deprecated[name]))
        elif name in data.unregistered:
            out.append(Problem(name, Severity.ERROR, f"'{name}' turns on an interceptor the public containers do not register",
                               "remove it"))
    logging_on = settings.get("use_request_logging") or settings.get("use_response_logging")
    caching_on = any(settings.get(k) for k in ("use_caching", "save_requests", "save_responses"))
    for kind in ("requests", "responses") if not caching_on else ():  # with caching, max_saved_* sizes the cache, as meant  # the ModelOpt evaluation skill's errata: max_saved_* -> max_logged_*
        saved, logged = f"max_saved_{kind}", f"max_logged_{kind}"
        if logging_on and saved in settings:
            out.append(Problem(saved, Severity.WARNING, f"{saved} sizes the cache, not the {kind} log",
                               f"use {logged} to cap logging" if logged not in settings else f"remove it ({logged} is set)",
                               logged if logged not in settings else None))
    if settings.get("custom_system_prompt") and not settings.get("use_system_prompt"):
        out.append(Problem("custom_system_prompt", Severity.WARNING,
                           "custom_system_prompt is sent only with use_system_prompt: true", "add use_system_prompt: true"))
    return out


def _chain_problems(settings: dict, data: AdapterSchema) -> list[Problem]:
    out = []
    beside = [k for k in settings if k not in data.chain_fields]
    if beside:
        out.append(Problem(beside[0], Severity.ERROR,
                           f"flat flags beside an explicit chain: {', '.join(beside)} (the container refuses them)",
                           "move them into the chain's interceptor configs, or drop the interceptors list"))
    chain = settings["interceptors"]
    discovery = settings.get("discovery") or {}
    custom = bool(isinstance(discovery, dict) and (discovery.get("modules") or discovery.get("dirs")))
    if not isinstance(chain, list) or not chain:
        return out + [Problem("interceptors", Severity.ERROR, "interceptors must be a non-empty list",
                              "list names or {name, config} entries")]
    last_stage, names = 0, []
    for item in chain:
        name = item if isinstance(item, str) else item.get("name") if isinstance(item, dict) else None
        config = (item.get("config") or {}) if isinstance(item, dict) else {}
        if not isinstance(name, str):
            out.append(Problem("interceptors", Severity.ERROR, "a chain entry has no name", "write a name or {name: ..., config: {...}}"))
            continue
        if not isinstance(item, dict) or item.get("enabled", True):
            names.append(name)
        stage = data.interceptors.get(name)
        if stage is None:
            if not custom:
                close = difflib.get_close_matches(name, list(data.interceptors), n=1)
                out.append(Problem("interceptors", Severity.ERROR, f"unknown interceptor '{name}' (the container fails with 'Unknown interceptor')",
                                   f"did you mean '{close[0]}'?" if close else "registered: " + ", ".join(data.interceptors)))
            continue
        if STAGES.index(stage) < last_stage:
            out.append(Problem("interceptors", Severity.ERROR,
                               f"interceptor '{name}' ({stage} stage) comes after a {STAGES[last_stage]} interceptor",
                               "order the chain request -> caching/endpoint -> response"))
        last_stage = max(last_stage, STAGES.index(stage))
        if name == "system_message" and not config.get("system_message"):
            out.append(Problem("interceptors", Severity.ERROR, "system_message needs config.system_message", "give the prompt text"))
    if "endpoint" not in names:
        out.append(Problem("interceptors", Severity.ERROR,
                           "the chain has no enabled 'endpoint' interceptor: no request would reach the model", "add endpoint"))
    for hook in settings.get("post_eval_hooks") or []:
        hook_name = hook if isinstance(hook, str) else (hook or {}).get("name") if isinstance(hook, dict) else None
        if hook_name not in data.post_eval_hooks:
            out.append(Problem("post_eval_hooks", Severity.ERROR, f"unknown post-eval hook '{hook_name}'",
                               f"known hooks: {', '.join(data.post_eval_hooks)}"))
    return out
