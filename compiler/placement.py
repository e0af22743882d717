"""Where a config.params value goes so that every task that reads it gets it, and no other task.

NEL copies `evaluation.nemo_evaluator_config` into every task; a parameter a task's command never
reads only earns a warning (R195) and changes nothing. So a value goes once at evaluation level when
every task reads it and none sets its own, else onto each reading task that has no value of its own.
"""

from __future__ import annotations

from typing import Any, Callable

from .draft import Draft
from .knowledge import lookup
from .knowledge.registry import Task

SHARED = "evaluation.nemo_evaluator_config.config.params"


def place_param(draft: Draft, key: str, value: Any, why: str, source: str | None = None,
                takes: Callable[[Task], bool] = lambda task: True) -> Draft:
    """Set config.params.`key` for the tasks whose command reads it and that `takes` it (see the module docstring)."""
    tasks = draft.get("evaluation.tasks", ())
    readers = [i for i, t in enumerate(tasks)
               if (found := lookup(t["name"]).task) is not None and key in found.params and takes(found)]
    open_slots = [i for i in readers if draft.get(f"evaluation.tasks.{i}.nemo_evaluator_config.config.params.{key}") is None]
    if readers and len(readers) == len(tasks) == len(open_slots):
        return draft.set(f"{SHARED}.{key}", value, why, source)
    for i in open_slots:
        draft = draft.set(f"evaluation.tasks.{i}.nemo_evaluator_config.config.params.{key}", value, why, source)
    if not readers:
        draft = draft.decide(f"{SHARED}.{key}", "no selected task's command reads it")
    return draft
