"""R190 apply-overrides: the spec's per-benchmark settings and raw `overrides`, merged last.

Why: the ModelOpt evaluation skill's Step 5 tunes single tasks (parallelism, repeats, params), and
`overrides` is the escape hatch for any NEL key nelc does not model. Mappings merge key by key;
lists and scalars replace, as in NEL's own OmegaConf merge, except `evaluation.tasks`, which
merges by task name: overriding one task never drops the others. A task the benchmarks do not
list is an error (add it to `benchmarks`, where judges, tokenizers and keys get wired). Every value set here is recorded as the user's, with its spec line,
and the result is still validated and checked.

Example:
>>> from nelc.engine import demo
>>> spec = ("model: org/m\\nmodel_type: chat_reasoning\\nbenchmarks: [gpqa, {name: ns_ifbench, params: {parallelism: 8}}]\\n"
...         "overrides: {execution: {mode: sequential}, evaluation: {tasks: [{name: ns_gpqa, nemo_evaluator_config: {config: {params: {parallelism: 32}}}}]}}\\n")
>>> print(demo("R190", spec))
evaluation.tasks.1.nemo_evaluator_config.config.params.parallelism: 8  # R190: benchmarks entry ns_ifbench
evaluation.tasks.0.nemo_evaluator_config.config.params.parallelism: 32  # R190: user override of task ns_gpqa
execution.mode: sequential  # R190: user override
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from nelc.derived import TASKS
from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context
from nelc.knowledge import lookup, recipe_named, same_task


def apply_overrides(draft: Draft, ctx: Context) -> Draft:
    draft = _benchmark_settings(draft, ctx)
    patch = dict(ctx.spec.overrides)
    evaluation = patch.get("evaluation")
    if isinstance(evaluation, Mapping) and "tasks" in evaluation:
        draft = _merge_tasks(draft, ctx, evaluation["tasks"])
        patch["evaluation"] = {key: value for key, value in evaluation.items() if key != "tasks"}
        if not patch["evaluation"]:
            del patch["evaluation"]
    if not ctx.spec.overrides:
        draft = draft.decide("overrides", "no overrides in the spec")
    elif patch:
        draft = draft.merge(patch, "user override", lambda key: ctx.source("overrides", *key))
    return _nothing_dropped(draft, ctx)


def _benchmark_settings(draft: Draft, ctx: Context) -> Draft:
    """`benchmarks: [{name, params, nemo_evaluator_config, env_vars}]` over every task the entry brought in."""
    resolved = draft.get(TASKS, ())
    for index, entry in enumerate(ctx.spec.benchmarks):
        if isinstance(entry, str):
            continue
        # (task path, value, spec path) in merge order: params win over nemo_evaluator_config.config.params
        settings = [(("nemo_evaluator_config", *p), v, ("nemo_evaluator_config", *p)) for p, v in _mapping_leaves(entry.nemo_evaluator_config)]
        settings += [(("nemo_evaluator_config", "config", "params", *p), v, ("params", *p)) for p, v in _mapping_leaves(entry.params)]
        settings += [(("env_vars", name), value, ("env_vars", name)) for name, value in entry.env_vars.items()]
        for position, task in enumerate(resolved):
            if index not in task.benchmarks:
                continue
            for path, value, spec_path in settings:
                draft = draft.set(("evaluation", "tasks", position, *path), value, f"benchmarks entry {entry.name}",
                                  ctx.source("benchmarks", index, *spec_path))
    return draft


def _merge_tasks(draft: Draft, ctx: Context, entries: Any) -> Draft:
    if not isinstance(entries, list):
        return draft.report(Severity.ERROR, "overrides.evaluation.tasks must be a list of {name: ..., ...} entries",
                            "each entry is merged into the task of the same name", **ctx.at("overrides", "evaluation", "tasks"))
    for number, entry in enumerate(entries):
        where = ("overrides", "evaluation", "tasks", number)
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
            draft = draft.report(Severity.ERROR, f"overrides.evaluation.tasks[{number}] has no task name",
                                 "name the task to change: {name: ns_gpqa, nemo_evaluator_config: {...}}", **ctx.at(*where))
            continue
        tasks = draft.get("evaluation.tasks", ())
        recipe = recipe_named(entry["name"], ctx.spec.recipes)
        target = recipe.task_name if recipe is not None else entry["name"]  # a recipe name means its task
        position = next((i for i, task in enumerate(tasks) if same_task(task.get("name"), target)), None)
        if position is None and lookup(target).task is None:
            found = lookup(target)
            draft = draft.report(Severity.ERROR, f"overrides.evaluation.tasks[{number}]: {found.problem}", found.hint,
                                 **ctx.at(*where, "name"))
            continue
        if position is None:  # judges, tokenizers, keys and checks are wired for listed benchmarks only
            draft = draft.report(Severity.ERROR, f"overrides.evaluation.tasks[{number}] names {entry['name']}, which "
                                 "`benchmarks` does not list", f"add {entry['name']} to benchmarks (a {{name, params}} entry "
                                 "tunes it there); overrides only change tasks the benchmarks bring in", **ctx.at(*where, "name"))
            continue
        body = {key: value for key, value in entry.items() if key != "name"}
        for path, value in _mapping_leaves(body):
            draft = draft.set(("evaluation", "tasks", position, *path), value, f"user override of task {entry['name']}",
                              ctx.source(*where, *path))
    return draft


def _nothing_dropped(draft: Draft, ctx: Context) -> Draft:
    """A requested benchmark never disappears silently (an override replacing `evaluation`, say)."""
    names = [task.get("name") for task in draft.get("evaluation.tasks", ()) if isinstance(task, Mapping)]
    for task in draft.get(TASKS, ()):
        if not any(same_task(name, task.qualified) for name in names):
            draft = draft.report(Severity.ERROR, f"overrides drop the requested benchmark task {task.qualified}",
                                 "change single tasks with overrides.evaluation.tasks: [{name: ..., ...}] or a "
                                 "benchmarks entry {name, params}; remove a benchmark from `benchmarks` instead",
                                 **ctx.at("overrides"))
    return draft


def _mapping_leaves(tree: Mapping, prefix: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Paths to every value that is not a mapping: lists replace whole, and an empty mapping
    changes nothing, as in NEL's OmegaConf merge."""
    for key, value in tree.items():
        if isinstance(value, Mapping):
            yield from _mapping_leaves(value, (*prefix, key))
        else:
            yield (*prefix, key), value


