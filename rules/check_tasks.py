"""R195 check-tasks: the final task list against NEL's registry, after the spec's overrides.

Why: NEL's dry run only warns about parameters a task's command never reads, and the container
ignores them: a typo silently changes nothing. nelc replicates NEL's check (global and task
`nemo_evaluator_config` merged; standard keys when not null, `extra` keys always) from the
registry snapshot: a warning, an error under `--strict`. Parameters a recipe carries for fidelity
(e.g. request_timeout on nemo_skills, which NEL 0.2.6 ignores) are notes.

Example:
>>> from nelc.engine import demo
>>> spec = "model: org/m\\nmodel_type: chat_reasoning\\nbenchmarks: [ns_gpqa]\\noverrides: {evaluation: {nemo_evaluator_config: {config: {params: {request_timeout: 60}}}}}\\n"
>>> print(demo("R195", spec))
warning[R195]: ns_gpqa's command does not use config.params.request_timeout (NEL 0.2.6 ignores it)
"""

from __future__ import annotations

from deepmerge import always_merger

from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context
from nelc.registry import lookup

GLOBAL = ("evaluation", "nemo_evaluator_config")


def check_tasks(draft: Draft, ctx: Context) -> Draft:
    plain = draft.plain()
    global_config = _dig(plain, GLOBAL) or {}
    resolved = draft.get("nelc.tasks", ())
    for index, task in enumerate(plain.get("evaluation", {}).get("tasks", [])):
        registered = lookup(task["name"]).task
        if registered is None or task.get("container", "").endswith(".sqsh"):
            continue
        merged = always_merger.merge(_copy(global_config), _copy(task.get("nemo_evaluator_config") or {}))
        params = (merged.get("config") or {}).get("params") or {}
        recipe_name = resolved[index]["recipe"] if index < len(resolved) else None
        own = task.get("nemo_evaluator_config") or {}
        for key, value in params.items():
            if key == "extra":
                continue
            if value is not None and key not in registered.params:
                draft = _unused(draft, ctx, task, index, ("config", "params", key), recipe_name, own)
        for key in (params.get("extra") or {}):
            if key not in registered.extra_params:
                draft = _unused(draft, ctx, task, index, ("config", "params", "extra", key), recipe_name, own)
    return draft


def _unused(draft: Draft, ctx: Context, task: dict, index: int, key: tuple, recipe_name: str | None, own: dict) -> Draft:
    dotted = ".".join(key)
    in_task = _dig(own, key) is not None or _has(own, key)
    origin = draft.origin_of(("evaluation", "tasks", index, "nemo_evaluator_config", *key)) if in_task else None
    from_recipe = recipe_name and origin is not None and origin.rule == "R165"
    if from_recipe:
        return draft.report("R195", Severity.NOTE, f"{task['name']}: recipe {recipe_name} sets {dotted}, which NEL 0.2.6's command "
                            "does not use; kept for fidelity to the recipe", "", **ctx.at("benchmarks"))
    return draft.report("R195", Severity.WARNING, f"{task['name']}'s command does not use {dotted} (NEL 0.2.6 ignores it)",
                        "remove it, or check its spelling against `nelc rules R195`", **ctx.at("overrides" if ctx.wrote("overrides") else "benchmarks"))


def _has(tree, path) -> bool:
    for key in path[:-1]:
        tree = tree.get(key) if isinstance(tree, dict) else None
    return isinstance(tree, dict) and path[-1] in tree


def _dig(tree, path):
    for key in path:
        tree = tree.get(key) if isinstance(tree, dict) else None
    return tree


def _copy(value):
    import copy
    return copy.deepcopy(value)
