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


def defaults_entries(config: Any) -> list[tuple[int, str, Any]]:
    """(index, group, option) for every `group: option` item of a Hydra `defaults` list (`_self_` and
    other plain strings are no group); the group keeps any `@package` part.

    >>> defaults_entries({"defaults": [{"execution": "local"}, "_self_", {"x@deployment": "mine"}]})
    [(0, 'execution', 'local'), (2, 'x@deployment', 'mine')]
    """
    items = config.get("defaults") if isinstance(config, dict) else None
    return [(i, str(group), option) for i, item in enumerate(items if isinstance(items, list) else [])
            if isinstance(item, dict) for group, option in item.items()]


def deployment_type(config: dict) -> str | None:
    return defaults_option(config, "deployment")


def execution_type(config: dict) -> str | None:
    return defaults_option(config, "execution")


# Where env vars are declared, by who receives them (NEL 0.2.6 common/env_vars.py:330-386): top-level
# env_vars reach every job; a task's container also gets evaluation.env_vars and its own.
DEPLOYMENT_ENV_BLOCKS = (("env_vars",), ("deployment", "env_vars"))
EXPORT_ENV_BLOCKS = (("env_vars",), ("export", "env_vars"))
SHARED_TASK_ENV_BLOCKS = (("env_vars",), ("evaluation", "env_vars"))  # every task's container


def task_env_blocks(index: int) -> tuple[tuple, ...]:
    """The env_vars blocks whose variables reach task `index`'s container."""
    return (*SHARED_TASK_ENV_BLOCKS, ("evaluation", "tasks", index, "env_vars"))


def env_blocks(config: Any) -> list[tuple]:
    """Every place a config can declare env vars (each task's and each auxiliary deployment's included).

    >>> env_blocks({"evaluation": {"tasks": [{"name": "t"}]}})[-1]
    ('evaluation', 'tasks', 0, 'env_vars')
    """
    if not isinstance(config, dict):
        return []
    blocks = [("env_vars",), ("deployment", "env_vars"), ("evaluation", "env_vars"), ("export", "env_vars")]
    blocks += [("evaluation", "tasks", i, "env_vars") for i, _ in tasks_of(config)]
    aux = config.get("auxiliary_deployments")
    blocks += [("auxiliary_deployments", name, "env_vars") for name in (aux if isinstance(aux, dict) else {})]
    return blocks


def declared_env(config: Any, blocks) -> set[str]:
    """The variable names declared in any of `blocks` (each a mapping NAME: VALUE)."""
    return {name for block in blocks if isinstance(env := dig(config, block), dict) for name in env}


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
    tasks = tasks_of(config)
    groups = []
    task_blocks = task_env_blocks(tasks[0][0]) if tasks else SHARED_TASK_ENV_BLOCKS
    if declared_env(config, task_blocks) or dig(config, ("target", "api_endpoint", "api_key_name")):
        groups.append("evaluation")
    if deployment_type(config) != "none" and declared_env(config, DEPLOYMENT_ENV_BLOCKS):
        groups.append("deployment")
    if declared_env(config, EXPORT_ENV_BLOCKS):
        groups.append("export")
    return groups
