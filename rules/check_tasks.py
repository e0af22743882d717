"""R195 check-tasks: the final task list against NEL's registry, after the spec's overrides.

Why: NEL's dry run only warns about parameters a task's command never reads, and the container
ignores them: a typo silently changes nothing. nelc replicates NEL's check (global and task
`nemo_evaluator_config` merged; standard keys when not null, `extra` keys always) from the
registry snapshot: a warning, an error under `--strict`. Parameters a recipe carries for fidelity
(e.g. request_timeout on nemo_skills, which NEL 0.2.6 ignores) are notes. It also checks that
tau2-bench's agent can call tools and that nemo_skills repeats do not starve concurrency.

Example:
>>> from nelc.engine import demo
>>> spec = "model: org/m\\nmodel_type: chat_reasoning\\nbenchmarks: [ns_gpqa]\\noverrides: {evaluation: {nemo_evaluator_config: {config: {params: {request_timeout: 60}}}}}\\n"
>>> print(demo("R195", spec))
warning[R195]: ns_gpqa's command does not use config.params.request_timeout (NEL 0.2.6 ignores it)
"""

from __future__ import annotations

from deepmerge import always_merger

from nelc import flags
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
        for key, value in params.items():
            if key == "extra":
                continue
            if value is not None and key not in registered.params:
                draft = _unused(draft, ctx, task, index, ("config", "params", key), recipe_name)
        for key in (params.get("extra") or {}):
            if key not in registered.extra_params:
                draft = _unused(draft, ctx, task, index, ("config", "params", "extra", key), recipe_name)
        draft = _concurrency(draft, ctx, task, registered, params)
        if registered.harness == "tau2_bench" and ctx.spec.backend not in ("none", "nim"):
            if not flags.has(flags.split(draft.get("deployment.extra_args", "")), "--tool-call-parser"):
                draft = draft.report("R195", Severity.ERROR, f"{task['name']} drives the model as a tool-calling agent, but the server "
                                     "has no --tool-call-parser", "add --enable-auto-tool-choice --tool-call-parser <parser> to "
                                     "deployment.extra_args (the model card names the parser)", **ctx.at("benchmarks"))
    return draft


def _unused(draft: Draft, ctx: Context, task: dict, index: int, key: tuple, recipe_name: str | None) -> Draft:
    dotted = ".".join(key)
    origin = draft.origin_of(("evaluation", "tasks", index, "nemo_evaluator_config", *key))
    from_recipe = recipe_name and origin is not None and origin.rule == "R165"
    if from_recipe:
        return draft.report("R195", Severity.NOTE, f"{task['name']}: recipe {recipe_name} sets {dotted}, which NEL 0.2.6's command "
                            "does not use; kept for fidelity to the recipe", "", **ctx.at("benchmarks"))
    return draft.report("R195", Severity.WARNING, f"{task['name']}'s command does not use {dotted} (NEL 0.2.6 ignores it)",
                        "remove it, or check its spelling against `nelc rules R195`", **ctx.at("overrides" if ctx.wrote("overrides") else "benchmarks"))


def _concurrency(draft: Draft, ctx: Context, task: dict, registered, params: dict) -> Draft:
    if registered.harness != "nemo_skills":
        return draft
    repeats = (params.get("extra") or {}).get("num_repeats") or 1
    parallelism = params.get("parallelism") or registered.defaults.get("parallelism") or 1
    if repeats > 1 and parallelism / repeats < 1:
        return draft.report("R195", Severity.WARNING,
                            f"{task['name']}: parallelism {parallelism} over {repeats} repeats gives nemo_skills "
                            f"{parallelism / repeats:.2f} concurrent requests per repeat (rounded up to 1)",
                            f"set the task's parallelism to at least {repeats} if the server can take it", **ctx.at("benchmarks"))
    return draft


def _dig(tree, path):
    for key in path:
        tree = tree.get(key) if isinstance(tree, dict) else None
    return tree


def _copy(value):
    import copy
    return copy.deepcopy(value)
