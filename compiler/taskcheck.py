"""NEL's "parameters not used in the command template" check (NEL 0.2.6
nemo_evaluator_launcher/api/functional.py, the param validation of `run`), offline,
shared by compile rule R195 and lint rule L108: the global and task `nemo_evaluator_config` merged
(registry defaults not included); standard keys reported when not null, `extra` keys always."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from deepmerge import always_merger

from .knowledge import lookup


@dataclass(frozen=True)
class Unused:
    index: int  # task position in evaluation.tasks
    task: str
    key: tuple[str, ...]  # under nemo_evaluator_config, e.g. ("config", "params", "extra", "foo")
    in_task: bool  # set in the task's own block (else inherited from the global one)


def unused_params(config: dict) -> list[Unused]:
    evaluation = config.get("evaluation") or {}
    global_config = evaluation.get("nemo_evaluator_config") or {}
    out = []
    for index, task in enumerate(evaluation.get("tasks") or []):
        if not isinstance(task, dict) or not isinstance(task.get("name"), str):
            continue
        registered = lookup(task["name"]).task
        if registered is None or str(task.get("container", "")).endswith(".sqsh") or str(task.get("container", "")).startswith("/"):
            continue  # unknown names are reported elsewhere; squash images skip NEL's check too
        own = task.get("nemo_evaluator_config") or {}
        merged = always_merger.merge(copy.deepcopy(global_config), copy.deepcopy(own))
        params = (merged.get("config") or {}).get("params") or {}
        own_params = (own.get("config") or {}).get("params") or {}
        for key, value in params.items():
            if key != "extra" and value is not None and key not in registered.params:
                out.append(Unused(index, task["name"], ("config", "params", key), key in own_params))
        for key in params.get("extra") or {}:
            if key not in registered.extra_params:
                out.append(Unused(index, task["name"], ("config", "params", "extra", key), key in (own_params.get("extra") or {})))
    return out
