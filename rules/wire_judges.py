"""R166 wire-judges: the spec's judge and user simulator into the tasks that need them.

Why: judge-scored tasks (AA-LCR, HLE-AA, MT-Bench, ...) and tau2-bench's user simulator fail only
inside the container when their endpoint or key is missing, hours into a run. The spec's `judge`
/ `user_simulator` fill each such task's `extra.judge` / `extra.user` (url, model_id and the key's
env-var NAME), and the task's env declares `NAME: host:NAME` so NEL passes the key in; the value
is read from your shell at `nel run` time and never written. A task that needs one is an error
naming the task when the spec has none. Harnesses expect different URL forms (nemo-skills, MT-Bench and
simple-evals' default judge backend a /v1 base, simple-evals' generic backend the full
/v1/chat/completions, AA-LCR and tau2-bench either; recipes/benchmarks.yaml `endpoint_url_forms`, from
the 26.3 wheels), so the one URL the spec gives is written in each task's form; a URL whose form
cannot be told (no /v1 or /chat/completions at the end, or a query), or that AA-LCR's rstrip would
mangle, is refused with both forms shown. Where a harness takes the judge's request_timeout as its
shortest retry backoff (simple-evals' default backend, MT-Bench; L133) and the registry's value is
long (simple-evals: 600 s, so each retried judgement waits 10 to 100 minutes), the judge gets the
harness client's own default instead.

Example:
>>> from nelc.engine import demo
>>> spec = ("model: org/m\\nmodel_type: chat_reasoning\\nbenchmarks: [ns_hle_aa]\\n"
...         "judge: {url: 'https://judge/v1/chat/completions', model_id: gpt-4.1, api_key_name: JUDGE_KEY}\\n")
>>> print(demo("R166", spec))
evaluation.tasks.0.nemo_evaluator_config.config.params.extra.judge.url: https://judge/v1  # R166: judge for ns_hle_aa from the spec, as the /v1 base URL nemo_skills expects
evaluation.tasks.0.nemo_evaluator_config.config.params.extra.judge.model_id: gpt-4.1  # R166: judge for ns_hle_aa from the spec
evaluation.tasks.0.nemo_evaluator_config.config.params.extra.judge.api_key: JUDGE_KEY  # R166: the NAME of the env var with the judge's key
evaluation.tasks.0.env_vars: {JUDGE_KEY: host:JUDGE_KEY}  # R166: NEL passes JUDGE_KEY from your shell into the task container
"""

from __future__ import annotations

from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context
from nelc.derived import TASKS, ResolvedTask
from nelc.nelconfig import dig
from nelc.knowledge import LONG_BACKOFF, judge_key_field, lookup, needs_role, recipe_named, timeout_meaning, url_form, url_strips
from nelc.urlform import form_of, in_form, rstripped

# block in the spec -> (key under params.extra, default key name)
ROLES = {
    "judge": ("judge", "JUDGE_API_KEY"),
    "user_simulator": ("user", "USER_API_KEY"),
}


def _key_field(qualified: str, role: str) -> str:
    return judge_key_field(qualified) if role == "judge" else "api_key"


def wire_judges(draft: Draft, ctx: Context) -> Draft:
    tasks = draft.get("evaluation.tasks", ())
    resolved = draft.get(TASKS, ())
    for role, (extra_key, default_name) in ROLES.items():
        endpoint = getattr(ctx.spec, role)
        users = [(i, t) for i, t in enumerate(tasks) if needs_role(lookup(t["name"]).task.qualified, role)
                 or _recipe_needs(resolved, i, role, ctx.spec.recipes)]
        if not users:
            if endpoint is not None:
                draft = draft.report(Severity.WARNING, f"{role} is set but no benchmark needs one; it is not emitted",
                                     "remove it, or add the judge-scored benchmark you meant", **ctx.at(role))
            continue
        if endpoint is None:
            names = ", ".join(t["name"] for _, t in users)
            draft = draft.report(Severity.ERROR, f"{names} need{'s' if len(users) == 1 else ''} a {role.replace('_', ' ')}",
                                 f"add {role}: {{url: https://.../v1/chat/completions, model_id: ..., api_key_name: {default_name}}}",
                                 **ctx.at("benchmarks"))
            continue
        key_name = endpoint.api_key_name or default_name
        for index, task in users:
            base = f"evaluation.tasks.{index}.nemo_evaluator_config.config.params.extra.{extra_key}"
            label = f"{role.replace('_', ' ')} for {task['name']} from the spec"
            backend = draft.get(f"{base}.backend") if role == "judge" else None
            url, url_why = _url_for(endpoint.url, lookup(task["name"]).task.harness, label,
                                    backend or dig(lookup(task["name"]).task.param_defaults, ("extra", extra_key, "backend")))
            if url is None:
                draft = draft.report(Severity.ERROR, f"{task['name']}: {url_why}",
                                     "write https://HOST/v1 or https://HOST/v1/chat/completions; nelc derives the other form",
                                     **ctx.at(role, "url"))
                continue
            draft = (draft
                     .set(f"{base}.url", url, url_why, ctx.source(role, "url"))
                     .set(f"{base}.model_id", endpoint.model_id, label, ctx.source(role, "model_id"))
                     .set(f"{base}.{_key_field(lookup(task['name']).task.qualified, role)}", key_name, f"the NAME of the env var with the {role.replace('_', ' ')}'s key",
                          ctx.source(role, "api_key_name")))
            if role == "judge":
                draft = _judge_backoff(draft, base, lookup(task["name"]).task, backend)
            # the registry's or bundle's own key variable (e.g. USER_API_KEY: host:NVIDIA_API_KEY) gives way to the spec's
            env = {k: v for k, v in (task.get("env_vars") or {}).items() if k != default_name or key_name == default_name}
            env[key_name] = f"host:{key_name}"
            draft = draft.set(f"evaluation.tasks.{index}.env_vars", env,
                              f"NEL passes {key_name} from your shell into the task container", ctx.source(role, "api_key_name"))
    return draft


def _judge_backoff(draft: Draft, base: str, registered, backend: str | None) -> Draft:
    """A short retry backoff for a judge whose harness waits request_timeout before each retry (L133)."""
    defaults = registered.param_defaults
    meaning = timeout_meaning(registered.harness, "judge", backend or dig(defaults, ("extra", "judge", "backend")))
    current = draft.get(f"{base}.request_timeout")
    effective = current if current is not None else dig(defaults, ("extra", "judge", "request_timeout"))
    if not meaning.is_backoff or meaning.class_default is None or not isinstance(effective, (int, float)) or effective <= LONG_BACKOFF:
        return draft
    if current is not None:
        return draft.decide(f"{base}.request_timeout", f"the task's own {current:g} s stays (L133 warns)")
    return draft.set(f"{base}.request_timeout", meaning.class_default,
                     f"{registered.harness} waits request_timeout before each judge retry, up to ten times that; the registry's "
                     f"{effective:g} s would make each retried judgement wait {effective:g}-{effective * 10:g} s",
                     meaning.source)


def _recipe_needs(resolved: tuple[ResolvedTask, ...], index: int, role: str, recipe_set: str | None) -> bool:
    recipe = recipe_named(resolved[index].recipe, recipe_set) if index < len(resolved) and resolved[index].recipe else None
    return recipe is not None and role in recipe.needs


def _url_for(url: str, harness: str, label: str, backend: str | None = None) -> tuple[str | None, str]:
    """The spec's URL in the form `harness` expects, and why; (None, problem) when it cannot be told."""
    known = url_form(harness, backend)
    if known is None:
        return url, label
    form, _source = known
    strips = url_strips(harness)
    mangled = rstripped(url, strips) if strips else None
    if mangled is not None:
        return None, (f"{harness} strips the characters of {strips!r} from the end of the URL (str.rstrip takes a set of "
                      f"characters), so it would call {mangled}")
    if form == "either":
        if form_of(url) is None:
            return None, (f"{harness} takes a /v1 base or the full /v1/chat/completions URL, and the form of this one cannot be "
                          "told (it ends in neither, or has a query)")
        return url.rstrip("/"), f"{label} ({harness} takes either URL form)"
    converted = in_form(url, form)
    if converted is None:
        return None, (f"{harness} expects a {'/v1 base' if form == 'base' else 'full /v1/chat/completions'} URL, and the "
                      "form of this one cannot be told (it ends in neither /v1 nor /chat/completions, or has a query)")
    shape = "/v1 base" if form == "base" else "full /v1/chat/completions"
    return converted, f"{label}, as the {shape} URL {harness} expects"
