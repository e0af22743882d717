"""R165 resolve-benchmarks: `benchmarks` -> the `evaluation.tasks` list the recipes prescribe.

Why: each name is a recipe of the spec's recipe set (the ModelOpt skill's task references), a NEL
0.2.6 bundle for the model type (or one of the NEL 0.2.2 bundle names the ModelOpt evaluation skill
still uses), or a task in NEL's registry (a unique short name or `harness.task`). The skill's Step 5:
when the task list includes a benchmark that has a recipe, prefer its fragment and keep the reference
repeat counts. So a bundle task with a recipe (core_reasoning's ns_gpqa) runs the recipe's fragment,
and a recipe wins over a bundle's entry named separately; other duplicates collapse to their first
place. Unknown or ambiguous names are errors with suggestions, before NEL would fail on them.

Example:
>>> from nelc.engine import demo
>>> print(demo("R165", "model: org/m\\nmodel_type: chat_reasoning\\nbenchmarks: [ifbench, ns_gpqa]\\n"))
tasks: [{qualified: nemo_skills.ns_ifbench, recipe: ifbench, benchmarks: [0]}, {qualified: nemo_skills.ns_gpqa, recipe: null, benchmarks: [1]}]  # R165: resolved benchmarks
evaluation.tasks: [{name: ns_ifbench, container: nvcr.io/nvidia/eval-factory/nemo-skills:26.03, nemo_evaluator_config: {config: {params: {extra: {num_repeats: 5}}}}}, {name: ns_gpqa}]  # R165: ifbench: recipe ifbench; ns_gpqa: NEL task nemo_skills.ns_gpqa
"""

from __future__ import annotations

from nelc.derived import MODEL_TYPE, TASKS, ResolvedTask
from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context
from nelc.knowledge import bundle_alias, bundle_model_types, bundles, lookup, recipe_for_task, recipe_named, same_task


def resolve_benchmarks(draft: Draft, ctx: Context) -> Draft:
    model_type = draft.get(MODEL_TYPE, "chat_reasoning")
    available = bundles(model_type)
    picked: dict[str, dict] = {}  # qualified name -> {"task", "recipe", "why"}
    reasons: list[str] = []
    for index, name in enumerate(ctx.spec.benchmark_names):
        where = ctx.at("benchmarks", index)
        recipe = recipe_named(name, ctx.spec.recipes)
        alias = bundle_alias(name)
        if recipe is not None:
            entries = [(recipe.task_entry(), name)]
            reasons.append(f"{name}: recipe {name}")
        elif name in available or alias is not None:
            chosen = [name]
            if alias is not None:
                chosen = list(alias.targets.get(model_type, ()))
                note = f"; {alias.note}" if alias.note else ""
                sev = Severity.ERROR if not chosen else Severity.NOTE
                draft = draft.report(sev, f"'{name}' is a NEL 0.2.2 bundle name (the ModelOpt evaluation skill still uses it); "
                                     f"for {model_type} it maps to {', '.join(chosen) or 'nothing in NEL 0.2.6'}{note}",
                                     "name the 0.2.6 bundles or tasks directly", **where)
            entries = [_bundle_entry(task, ctx.spec.recipes) for bundle in chosen for task in available[bundle]]
            from_recipes = [task["name"] for task, recipe_name in entries if recipe_name]
            reasons.append((f"{name}: bundle {', '.join(chosen)} ({model_type})" if chosen else f"{name}: nothing")
                           + (f", with the recipe fragments of {', '.join(from_recipes)} (the skill's Step 5)" if from_recipes else ""))
        elif any(name in bundles(other) for other in bundle_model_types() if other != model_type):
            allowed = ", ".join(available)
            draft = draft.report(Severity.ERROR, f"bundle '{name}' is not for model_type {model_type}",
                                 f"bundles for {model_type}: {allowed}", **where)
            continue
        else:
            found = lookup(name)
            if found.task is None:
                draft = draft.report(Severity.ERROR, found.problem, found.hint, **where)
                continue
            entries = [({"name": name}, None)]
            reasons.append(f"{name}: NEL task {found.task.qualified}")
        for task, recipe_name in entries:
            qualified = lookup(task["name"]).task.qualified
            earlier = picked.get(qualified)
            if earlier is not None and index not in earlier["benchmarks"]:
                earlier["benchmarks"].append(index)  # a later entry naming it again still tunes it
            if earlier is None or (recipe_name and not earlier["recipe"]):
                if earlier is not None:
                    draft = draft.report(Severity.NOTE, f"recipe {recipe_name} replaces the bundle's {task['name']} entry",
                                         "the recipe's settings (repeat counts) are kept", **where)
                picked[qualified] = {"task": task, "recipe": recipe_name,
                                     "benchmarks": earlier["benchmarks"] if earlier is not None else [index]}
            elif earlier["recipe"] and not recipe_name:
                draft = draft.report(Severity.NOTE, f"recipe {earlier['recipe']}'s {earlier['task']['name']} is kept over "
                                     f"the bundle's entry", "the recipe's settings (repeat counts) are kept", **where)
            else:
                draft = draft.report(Severity.NOTE, f"{task['name']} is listed more than once; it runs once",
                                     "remove the repeated entry", **where)
    tasks = [entry["task"] for entry in picked.values()]
    draft = draft.set(TASKS, tuple(ResolvedTask(q, e["recipe"], tuple(e["benchmarks"])) for q, e in picked.items()),
                      "resolved benchmarks", ctx.source("benchmarks"))
    return draft.set("evaluation.tasks", tasks, "; ".join(reasons), ctx.source("benchmarks"))


def _bundle_entry(task: dict, recipe_set: str | None) -> tuple[dict, str | None]:
    """A bundle's task entry, or the recipe fragment of the same registry task (the skill's Step 5)."""
    recipe = recipe_for_task(task["name"], recipe_set)
    if recipe is not None and same_task(recipe.task_name, task["name"]):
        return recipe.task_entry(), recipe.name
    return dict(task), None
