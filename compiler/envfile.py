"""`nelc compile --env-example FILE`: the environment variables a compiled config needs, with who
needs each, and no values (NEL resolves `host:` variables even in a dry run and fails on unset ones)."""

from __future__ import annotations

import re

from .diagnostics import printable

_HOST = re.compile(r"^host:([A-Za-z_][A-Za-z0-9_]*)$")
ONLY_IF = "set to 1 only if "  # a variable a run may need, not one it must have


def required_env(config: dict) -> dict[str, list[str]]:
    """NAME -> who needs it, in first-seen order."""
    needs: dict[str, list[str]] = {}

    def add(name: str, who: str) -> None:
        if who not in needs.setdefault(name, []):
            needs[name].append(who)

    evaluation = config.get("evaluation") or {}
    tasks = evaluation.get("tasks") or []
    groups = [(config.get("env_vars"), "every job"), ((config.get("deployment") or {}).get("env_vars"), "the model server"),
              (evaluation.get("env_vars"), "every task"), ((config.get("export") or {}).get("env_vars"), "the export job")]
    groups += [(task.get("env_vars"), f"task {task['name']}") for task in tasks]
    for env, who in groups:
        for value in (env or {}).values():
            match = _HOST.match(str(value))
            if match:
                add(match[1], who)
    key_name = ((config.get("target") or {}).get("api_endpoint") or {}).get("api_key_name")
    if key_name:
        for task in tasks:
            declared = {**(config.get("env_vars") or {}), **(evaluation.get("env_vars") or {}), **(task.get("env_vars") or {})}
            if key_name not in declared:  # NEL adds NAME: host:NAME to each such task
                add(key_name, f"task {task['name']} (target.api_endpoint.api_key_name)")
    pre_cmds = [(config.get("deployment") or {}).get("pre_cmd"), evaluation.get("pre_cmd"), evaluation.get("post_cmd")]
    pre_cmds += [task.get(k) for task in tasks for k in ("pre_cmd", "post_cmd")]
    if any(pre_cmds):
        add("NEMO_EVALUATOR_TRUST_PRE_CMD", "set to 1: the config runs pre_cmd/post_cmd (review them first)")
    for task in tasks:
        if task.get("container"):
            add("NEMO_EVALUATOR_TRUST_UNLISTED_TASKS",
                f"{ONLY_IF}NEL cannot fetch the task list of {task['container']} (task {task['name']})")
    return needs


def env_example(config: dict, config_name: str) -> str:
    lines = [f"# Environment for {config_name}, written by nelc. No values: fill them in, then",
             "#   set -a && source THIS_FILE && set +a",
             "# (or pass it to `nel run --env-file`). Never commit the filled-in file."]
    for name, who in required_env(config).items():
        lines.append(f"# needed by: {printable('; '.join(who), keep_newlines=False)}")  # a name must not end the comment
        lines.append(f"{name}=")
    return "\n".join(lines) + "\n"
