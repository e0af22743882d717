"""R166 wire-judges: the spec's judge and user simulator into the tasks that need them.

Why: judge-scored tasks (AA-LCR, HLE-AA, MT-Bench, ...) and tau2-bench's user simulator fail only
inside the container when their endpoint or key is missing, hours into a run. The spec's `judge`
/ `user_simulator` fill each such task's `extra.judge` / `extra.user` (url, model_id and the key's
env-var NAME), and the task's env declares `NAME: host:NAME` so NEL passes the key in; the value
is read from your shell at `nel run` time and never written. A task that needs one is an error
naming the task when the spec has none.

Example:
>>> from nelc.engine import demo
>>> spec = ("model: org/m\\nmodel_type: chat_reasoning\\nbenchmarks: [ns_hle_aa]\\n"
...         "judge: {url: 'https://judge/v1', model_id: gpt-4.1, api_key_name: JUDGE_KEY}\\n")
>>> print(demo("R166", spec))
evaluation.tasks.0.nemo_evaluator_config.config.params.extra.judge.url: https://judge/v1  # R166: judge for ns_hle_aa from the spec
evaluation.tasks.0.nemo_evaluator_config.config.params.extra.judge.model_id: gpt-4.1  # R166: judge for ns_hle_aa from the spec
evaluation.tasks.0.nemo_evaluator_config.config.params.extra.judge.api_key: JUDGE_KEY  # R166: the NAME of the env var with the judge's key
evaluation.tasks.0.env_vars: {HF_TOKEN: host:HF_TOKEN, JUDGE_KEY: host:JUDGE_KEY}  # R166: NEL passes JUDGE_KEY from your shell into the task container
"""

from __future__ import annotations

from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context
from nelc.knowledge import judge_key_field, lookup, needs_role

# block in the spec -> (key under params.extra, default key name)
ROLES = {
    "judge": ("judge", "JUDGE_API_KEY"),
    "user_simulator": ("user", "USER_API_KEY"),
}


def _key_field(qualified: str, role: str) -> str:
    return judge_key_field(qualified) if role == "judge" else "api_key"


def wire_judges(draft: Draft, ctx: Context) -> Draft:
    tasks = draft.get("evaluation.tasks", ())
    for role, (extra_key, default_name) in ROLES.items():
        endpoint = getattr(ctx.spec, role)
        users = [(i, t) for i, t in enumerate(tasks) if needs_role(lookup(t["name"]).task.qualified, role)]
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
            draft = (draft
                     .set(f"{base}.url", endpoint.url, label, ctx.source(role, "url"))
                     .set(f"{base}.model_id", endpoint.model_id, label, ctx.source(role, "model_id"))
                     .set(f"{base}.{_key_field(lookup(task['name']).task.qualified, role)}", key_name, f"the NAME of the env var with the {role.replace('_', ' ')}'s key",
                          ctx.source(role, "api_key_name")))
            # the registry's or bundle's own key variable (e.g. USER_API_KEY: host:NVIDIA_API_KEY) gives way to the spec's
            env = {k: v for k, v in (task.get("env_vars") or {}).items() if k != default_name or key_name == default_name}
            env[key_name] = f"host:{key_name}"
            draft = draft.set(f"evaluation.tasks.{index}.env_vars", env,
                              f"NEL passes {key_name} from your shell into the task container", ctx.source(role, "api_key_name"))
    return draft
