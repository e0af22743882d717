"""L115 check-nemo-skills-key: nemo_skills tasks on a deployment get an API-key name that exists.

Why: the nemo_skills command always passes `++server.api_key_env_var=<api_key_name>`; against a
server NEL deploys no real key is needed, but the named variable must exist in the container.
Top-level `target.api_endpoint.api_key_name: DUMMY_API_KEY` plus `DUMMY_API_KEY: lit:dummy` in
`evaluation.env_vars` works with nothing set in your shell.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L115", "defaults: [{execution: local}, {deployment: vllm}, _self_]\\nevaluation:\\n  tasks:\\n    - name: ns_gpqa\\n"))
4:7 error[L115]: nemo_skills task ns_gpqa on a deployment needs target.api_endpoint.api_key_name [fix: safe: add DUMMY_API_KEY (a literal, nothing to export)]
"""

from __future__ import annotations

from nelc.rulebook import Applicability, Finding, Fix, LintContext
from nelc.nelconfig import SHARED_TASK_ENV_BLOCKS, declared_env, deployment_type, dig, task_env_blocks, tasks_of
from nelc.knowledge import lookup


def check_nemo_skills_key(ctx: LintContext) -> list[Finding]:
    if deployment_type(ctx.config) in (None, "none"):
        return []
    key_name = dig(ctx.config, ("target", "api_endpoint", "api_key_name"))
    if key_name == DUMMY:
        return _undeclared_dummy(ctx)
    if key_name:
        return []
    for index, task in tasks_of(ctx.config):
        found = lookup(str(task.get("name", "")))
        if found.task is not None and found.task.harness == "nemo_skills":
            ops = (("set", ("target", "api_endpoint", "api_key_name"), "DUMMY_API_KEY"),
                   ("set", ("evaluation", "env_vars", "DUMMY_API_KEY"), "lit:dummy"))
            return [Finding(("evaluation", "tasks", index), f"nemo_skills task {task['name']} on a deployment needs target.api_endpoint.api_key_name",
                            "add api_key_name: DUMMY_API_KEY at the top-level target and DUMMY_API_KEY: lit:dummy in evaluation.env_vars",
                            Fix(Applicability.SAFE, "add DUMMY_API_KEY (a literal, nothing to export)", ops))]
    return []


DUMMY = "DUMMY_API_KEY"


def _undeclared_dummy(ctx: LintContext) -> list[Finding]:
    """api_key_name: DUMMY_API_KEY without a declaration: NEL adds `DUMMY_API_KEY: host:DUMMY_API_KEY`
    to each task and its dry run fails unless the shell exports it."""
    tasks = tasks_of(ctx.config)
    if DUMMY in declared_env(ctx.config, SHARED_TASK_ENV_BLOCKS) or \
            (tasks and all(DUMMY in declared_env(ctx.config, task_env_blocks(i)) for i, _ in tasks)):
        return []
    evaluation = ctx.config.get("evaluation")
    block = evaluation.get("env_vars") if isinstance(evaluation, dict) else None
    fits = isinstance(evaluation, dict) and ("env_vars" not in evaluation or isinstance(block, dict))
    ops = (("set", ("evaluation", "env_vars", DUMMY), "lit:dummy"),)
    fix = Fix(Applicability.SAFE, f"declare {DUMMY}: lit:dummy", ops) if fits else None
    return [Finding(("target", "api_endpoint", "api_key_name"), f"{DUMMY} is never declared: NEL reads it from your shell, and the "
                    "dry run fails where it is unset", f"declare {DUMMY}: lit:dummy in evaluation.env_vars (the deployed server "
                    "ignores the key)", fix, at_value=True)]
