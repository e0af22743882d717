"""R169 tune-parallelism: judge, simulator and code-execution tasks start with few concurrent requests.

Why: the seed's canary advice. Judges and code sandboxes give out before the model server does,
and their failures (rate limits, thread exhaustion) can hide inside a job that finishes. Tasks in
those risk classes without a parallelism of their own (a recipe's or bundle's) start at 4; raise
it once a canary shows the judge or sandbox coping.

Example:
>>> from nelc.engine import demo
>>> spec = "model: org/m\\nmodel_type: chat_reasoning\\nbenchmarks: [aa_lcr]\\njudge: {url: 'https://j', model_id: q}\\n"
>>> print(demo("R169", spec))
evaluation.tasks.0.nemo_evaluator_config.config.params.parallelism: 4  # R169: aa_lcr is a judge task: start conservative, raise after a clean canary
"""

from __future__ import annotations

from nelc.data import recipe
from nelc.draft import Draft
from nelc.facts import Context
from nelc.registry import lookup

from .wire_judges import needs

CONSERVATIVE = 4


def risk_of(task_name: str, recipe_name: str | None) -> str:
    """plain | judge | code | simulator: the canary class of a task."""
    if recipe_name:
        return recipe("benchmarks")["recipes"][recipe_name]["risk"]
    registered = lookup(task_name).task
    if needs(registered.qualified, "user_simulator"):
        return "simulator"
    if needs(registered.qualified, "judge"):
        return "judge"
    return "code" if registered.defaults.get("use_sandbox") else "plain"


def tune_parallelism(draft: Draft, ctx: Context) -> Draft:
    resolved = draft.get("nelc.tasks", ())
    for index, task in enumerate(draft.get("evaluation.tasks", ())):
        risk = risk_of(task["name"], resolved[index]["recipe"] if index < len(resolved) else None)
        path = f"evaluation.tasks.{index}.nemo_evaluator_config.config.params.parallelism"
        if risk == "plain" or draft.get(path) is not None or "parallelism" not in lookup(task["name"]).task.params:
            continue
        draft = draft.set(path, CONSERVATIVE, f"{task['name']} is a {risk} task: start conservative, raise after a clean canary")
    return draft
