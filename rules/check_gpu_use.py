"""L140 check-gpu-use: GPUs a SLURM job requests that the deployment never uses.

Why: `execution.gres` asks SLURM for GPUs on every node (NEL's default `gpu:8`,
configs/execution/slurm/default.yaml:27), but the server only uses tensor x pipeline x data
parallel of them per instance. With TP 1 and DP 1 on `gpu:8`, seven GPUs sit idle for the whole
job, and nothing says so. This is a note: the job runs, only slower and costlier than it could.
The hint names the data-parallel size that would use them (vLLM and SGLang; trtllm-serve has
none in NEL 0.2.6) or the smaller request. A config that writes no size gets NEL's packaged ones
(recipes/backends.yaml `parallel_defaults`). Runs in `nelc lint` and on every compiled config.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L140", "defaults: [{execution: slurm/default}, {deployment: vllm}]\\nexecution: {gres: gpu:8}\\n"
...                 "deployment: {tensor_parallel_size: 1, data_parallel_size: 1}\\n"))
2:13 note[L140]: execution.gres gpu:8 gives each instance 8 GPUs (1 node x 8) but TP 1 x PP 1 x DP 1 uses 1: 7 sit idle
"""

from __future__ import annotations

import re

from nelc.knowledge import backend_fact
from nelc.nelconfig import deployment_type, dig, execution_type
from nelc.rulebook import Finding, LintContext

NEL_GRES = "gpu:8"  # NEL 0.2.6 configs/execution/slurm/default.yaml:27
GRES = re.compile(r"gpu(?::[\w.-]+)?:(\d+)")  # gpu:N or gpu:TYPE:N; SLURM's count is the last field


def check_gpu_use(ctx: LintContext) -> list[Finding]:
    option = deployment_type(ctx.config)
    defaults = backend_fact(option, "parallel_defaults")
    if execution_type(ctx.config) not in ("slurm/default", "slurm") or defaults is None:
        return []  # local runs take the GPUs docker gives; nim and none size themselves
    gres = dig(ctx.config, ("execution", "gres"))
    gres = NEL_GRES if gres is None and "gres" not in (dig(ctx.config, ("execution",)) or {}) else gres
    match = GRES.fullmatch(gres) if isinstance(gres, str) else None
    sizes = [_size(ctx.config, key, defaults) for key in ("tensor_parallel_size", "pipeline_parallel_size", "data_parallel_size")]
    nodes, instances = (_size(ctx.config, key, {key: 1}, "execution") for key in ("num_nodes", "num_instances"))
    if match is None or None in sizes or None in (nodes, instances) or nodes % instances:
        return []  # not a count, or sizes the schema and L110 report
    tp, pp, dp = sizes if option != "trtllm" else (*sizes[:2], 1)
    per_node, per_instance = int(match.group(1)), nodes // instances
    given, used = per_node * per_instance, tp * pp * dp
    if used >= given:
        return []  # too few GPUs is R120's error at compile time and the server's at start-up
    node_word = "node" if per_instance == 1 else "nodes"
    message = (f"execution.gres {gres} gives each instance {given} GPUs ({per_instance} {node_word} x {per_node}) but "
               f"TP {tp} x PP {pp} x DP {dp} uses {used}: {given - used} sit idle")
    replicas = given // (tp * pp)
    request = f"request only what it uses: execution.gres: gpu:{used // per_instance}" if used % per_instance == 0 else ""
    if option != "trtllm" and replicas > dp:
        hint = f"set deployment.data_parallel_size: {replicas} to serve {replicas} replicas on them"
        hint += f", or {request}" if request else ""
    else:
        hint = request or "raise the tensor-parallel size, or request fewer GPUs"
    where = ("execution", "gres") if dig(ctx.config, ("execution", "gres")) is not None else ("execution",)
    return [Finding(where, message, hint + " (in a spec: deployment.data_parallel_size, slurm.gres)")]


def _size(config, key: str, defaults: dict, section: str = "deployment") -> int | None:
    value = dig(config, (section, key))
    value = defaults.get(key, 1) if value is None else value
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
