"""Reading a NEL config's shape: shared by the validator, the lint rules and the compile rules."""

from __future__ import annotations

from typing import Any

# Keys NEL 0.2.6 refuses outright (lint L117 reports them; L120 leaves them to it), with what to write instead.
REJECTED_KEYS = {
    ("execution", "env_vars"): "use top-level env_vars, deployment.env_vars or evaluation.env_vars",
    ("deployment", "multiple_instances"): "use execution.num_instances and execution.num_nodes",
    ("evaluation", "overrides"): "use evaluation.nemo_evaluator_config",
    ("evaluation", "config"): "use evaluation.nemo_evaluator_config",
}


def dig(tree: Any, path: tuple) -> Any:
    """The value at `path` (dict keys and list indexes), or None."""
    for key in path:
        if isinstance(tree, dict) and key in tree:
            tree = tree[key]
        elif isinstance(tree, list) and isinstance(key, int) and 0 <= key < len(tree):
            tree = tree[key]
        else:
            return None
    return tree


def tasks_of(config: Any) -> list[tuple[int, dict]]:
    """(index, task) for every mapping in `evaluation.tasks`; anything else shaped is no task."""
    evaluation = config.get("evaluation") if isinstance(config, dict) else None
    tasks = evaluation.get("tasks") if isinstance(evaluation, dict) else None
    return [(i, t) for i, t in enumerate(tasks) if isinstance(t, dict)] if isinstance(tasks, list) else []


def defaults_option(config: dict, group: str) -> str | None:
    """The option a Hydra `defaults` list picks for `group` (or `<group>.type` in raw files)."""
    if not isinstance(config, dict):
        return None
    items = config.get("defaults")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and group in item:
            return item[group] if isinstance(item[group], str) else None
    section = config.get(group)
    kind = section.get("type") if isinstance(section, dict) else None
    return kind if isinstance(kind, str) else None


def deployment_type(config: dict) -> str | None:
    return defaults_option(config, "deployment")


def execution_type(config: dict) -> str | None:
    return defaults_option(config, "execution")


def first_task_env_groups(config: dict) -> list[str]:
    """The env var groups NEL 0.2.6's local executor collects for the first task, as it does
    (executors/local/executor.py:175-235, common/env_vars.py): the task's own (top-level env_vars,
    evaluation.env_vars, the task's env_vars, target.api_endpoint.api_key_name), the deployment's
    (top-level and deployment.env_vars, unless deployment is `none`) and the exporters' (top-level and
    export.env_vars). The host's NEMO_EVALUATOR_TELEMETRY_* variables also count there; they are not
    the config's. With none of them the executor raises UnboundLocalError: export_reexport_cmd.

    >>> first_task_env_groups({"evaluation": {"tasks": [{"name": "t"}]}, "deployment": {"env_vars": {"A": "lit:1"}}})
    ['deployment']
    >>> first_task_env_groups({"defaults": [{"deployment": "none"}], "deployment": {"env_vars": {"A": "lit:1"}}})
    []
    """
    def named(*blocks) -> bool:
        return any(isinstance(block, dict) and block for block in blocks)

    top = config.get("env_vars") if isinstance(config, dict) else None
    tasks = tasks_of(config)
    first = tasks[0][1] if tasks else {}
    groups = []
    if named(top, dig(config, ("evaluation", "env_vars")), first.get("env_vars")) or dig(config, ("target", "api_endpoint", "api_key_name")):
        groups.append("evaluation")
    if deployment_type(config) != "none" and named(top, dig(config, ("deployment", "env_vars"))):
        groups.append("deployment")
    if named(top, dig(config, ("export", "env_vars"))):
        groups.append("export")
    return groups
