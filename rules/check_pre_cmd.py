"""L112 check-pre-cmd: commands NEL refuses to run unless you say you trust them.

Why: any `pre_cmd`/`post_cmd` (deployment, evaluation or task) marks the run potentially unsafe;
a real `nel run` refuses it without `NEMO_EVALUATOR_TRUST_PRE_CMD=1`. NEL's local executor does
not run `deployment.pre_cmd` at all: prepare files on the host and mount them.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L112", "defaults: [{execution: local}, {deployment: vllm}, _self_]\\ndeployment:\\n  pre_cmd: pip install x\\n"))
3:3 warning[L112]: deployment.pre_cmd never runs with the local executor
3:3 note[L112]: deployment.pre_cmd needs NEMO_EVALUATOR_TRUST_PRE_CMD=1 for a real run
"""

from __future__ import annotations

from nelc.diagnostics import Severity
from nelc.rulebook import Finding, LintContext
from nelc.nelconfig import dig, execution_type, tasks_of


def check_pre_cmd(ctx: LintContext) -> list[Finding]:
    paths = [("deployment", "pre_cmd"), ("evaluation", "pre_cmd"), ("evaluation", "post_cmd")]
    paths += [("evaluation", "tasks", i, k) for i, _ in tasks_of(ctx.config) for k in ("pre_cmd", "post_cmd")]
    out = []
    for path in paths:
        if not dig(ctx.config, path):
            continue
        where = ".".join(map(str, path))
        if path == ("deployment", "pre_cmd") and execution_type(ctx.config) == "local":
            out.append(Finding(path, f"{where} never runs with the local executor", "prepare the files on the host and mount them "
                               "with execution.mounts.deployment", severity=Severity.WARNING))
        out.append(Finding(path, f"{where} needs NEMO_EVALUATOR_TRUST_PRE_CMD=1 for a real run", "review it, then export the variable"))
    return out
