"""L108 check-task-params: parameters a task's command never reads.

Why: NEL only warns about them, and the container ignores them, so a misspelled parameter
silently changes nothing. Same check as compile rule R195 (`nelc.taskcheck`); a value a recipe
fragment sets for fidelity (e.g. request_timeout on nemo_skills) is a note.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L108", "evaluation:\\n  tasks:\\n    - name: ns_gpqa\\n      nemo_evaluator_config:\\n        config:\\n          params:\\n            extra: {num_repeat: 4}\\n"))
7:21 warning[L108]: ns_gpqa's command does not use config.params.extra.num_repeat (NEL 0.2.6 ignores it)
"""

from __future__ import annotations

from nelc.knowledge import recipe_for_task
from nelc.diagnostics import Severity
from nelc.rulebook import Finding, LintContext
from nelc.nelconfig import dig
from nelc.taskcheck import unused_params


def check_task_params(ctx: LintContext) -> list[Finding]:
    out = []
    for unused in unused_params(ctx.config):
        base = ("evaluation", "tasks", unused.index, "nemo_evaluator_config") if unused.in_task else ("evaluation", "nemo_evaluator_config")
        recipe_name = _from_recipe(unused.task, unused.key, dig(ctx.config, base + unused.key)) if unused.in_task else None
        if recipe_name:
            out.append(Finding(base + unused.key, f"{unused.task}: recipe {recipe_name} sets {'.'.join(unused.key)}, which NEL 0.2.6's "
                               "command does not use; kept for fidelity to the recipe", "", severity=Severity.NOTE))
            continue
        out.append(Finding(base + unused.key, f"{unused.task}'s command does not use {'.'.join(unused.key)} (NEL 0.2.6 ignores it)",
                           "remove it, or check its spelling against the task's parameters (`nel ls tasks`)"))
    return out


def _from_recipe(task: str, key: tuple, value) -> str | None:
    """The recipe whose fragment for `task` sets `key` to `value`, if any."""
    recipe = recipe_for_task(task)
    if recipe is not None and recipe.task_name == task and dig(recipe.fragment.get("nemo_evaluator_config") or {}, key) == value:
        return recipe.name
    return None
