"""NEL's "parameters not used in the command template" check (NEL 0.2.6
nemo_evaluator_launcher/api/functional.py, the param validation of `run`), offline,
shared by compile rule R195 and lint rule L108: the global and task `nemo_evaluator_config` merged
(registry defaults not included); standard keys reported when not null, `extra` keys always."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from deepmerge import always_merger

from .knowledge import lookup
from .nelconfig import tasks_of


@dataclass(frozen=True)
class Unused:
    index: int  # task position in evaluation.tasks
    task: str
    key: tuple[str, ...]  # under nemo_evaluator_config, e.g. ("config", "params", "extra", "foo")
    in_task: bool  # set in the task's own block (else inherited from the global one)


def unused_params(config: dict) -> list[Unused]:
    evaluation = config.get("evaluation") if isinstance(config, dict) else None
    evaluation = evaluation if isinstance(evaluation, dict) else {}
    global_config = evaluation.get("nemo_evaluator_config")
    global_config = global_config if isinstance(global_config, dict) else {}
    out = []
    for index, task in tasks_of(config):
        if not isinstance(task.get("name"), str):
            continue
        registered = lookup(task["name"]).task
        if registered is None or str(task.get("container", "")).endswith(".sqsh") or str(task.get("container", "")).startswith("/"):
            continue  # unknown names are reported elsewhere; squash images skip NEL's check too
        own = task.get("nemo_evaluator_config") if isinstance(task.get("nemo_evaluator_config"), dict) else {}
        merged = always_merger.merge(copy.deepcopy(global_config), copy.deepcopy(own))
        params = _mapping(_mapping(merged.get("config")).get("params"))
        own_params = _mapping(_mapping(own.get("config")).get("params"))
        for key, value in params.items():
            if key != "extra" and value is not None and key not in registered.params:
                out.append(Unused(index, task["name"], ("config", "params", key), key in own_params))
        for key in _mapping(params.get("extra")):
            if key not in registered.extra_params:
                out.append(Unused(index, task["name"], ("config", "params", "extra", key), key in _mapping(own_params.get("extra"))))
    return out


def _mapping(value) -> dict:
    """A config section that should be a mapping; anything else is reported elsewhere (the schema, L117)."""
    return value if isinstance(value, dict) else {}
