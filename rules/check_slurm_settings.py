"""L110 check-slurm-settings: the SLURM values NEL's defaults get wrong or only check late.

Why: `username` defaults to `${oc.env:USER}`, which fails where USER is unset (CI, containers);
`num_nodes` must divide evenly into `num_instances`; `output_dir` must be an absolute path the
compute nodes see; `mounts.mount_home` left true mounts your home into every container.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L110", "defaults: [{execution: slurm/default}, {deployment: vllm}, _self_]\\nexecution:\\n  output_dir: out\\n  num_nodes: 3\\n  num_instances: 2\\n"))
2:1 error[L110]: execution.username is not set; NEL's ${oc.env:USER} default fails where USER is unset
3:3 error[L110]: execution.output_dir 'out' must be an absolute path the compute nodes see
5:3 error[L110]: execution.num_nodes (3) must be divisible by execution.num_instances (2)
"""

from __future__ import annotations

from nelc.diagnostics import Severity
from nelc.rulebook import Applicability, Finding, Fix, LintContext
from nelc.nelconfig import execution_type


def check_slurm_settings(ctx: LintContext) -> list[Finding]:
    if execution_type(ctx.config) not in ("slurm/default", "slurm"):
        return []
    execution = ctx.config.get("execution") if isinstance(ctx.config.get("execution"), dict) else {}
    out = []
    username = execution.get("username")
    if not username or "${oc.env:" in str(username):
        out.append(Finding(("execution",) + (("username",) if username else ()),
                           "execution.username is not set; NEL's ${oc.env:USER} default fails where USER is unset",
                           "write your cluster login: execution.username: alice"))
    output_dir = execution.get("output_dir")
    if isinstance(output_dir, str) and output_dir != "???" and not output_dir.startswith("/"):
        out.append(Finding(("execution", "output_dir"), f"execution.output_dir '{output_dir}' must be an absolute path the compute nodes see",
                           "use an absolute cluster path"))
    nodes, instances = execution.get("num_nodes", 1), execution.get("num_instances", 1)
    if isinstance(nodes, int) and isinstance(instances, int) and instances > 0 and nodes % instances:
        out.append(Finding(("execution", "num_instances"),
                           f"execution.num_nodes ({nodes}) must be divisible by execution.num_instances ({instances})",
                           "every instance gets num_nodes / num_instances nodes"))
    mounts = execution.get("mounts") if isinstance(execution.get("mounts"), dict) else {}
    if mounts.get("mount_home", True) is True and "mounts" in execution:
        out.append(Finding(("execution", "mounts"), "execution.mounts.mount_home is true: your home directory is mounted into every container",
                           "set mount_home: false", Fix(Applicability.SAFE, "set mount_home: false", (("set", ("execution", "mounts", "mount_home"), False),)),
                           Severity.WARNING))
    return out
