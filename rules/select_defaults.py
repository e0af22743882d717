"""R110 select-defaults: the Hydra `defaults` list (one execution, one deployment, then `_self_`).

Why: with `--config`, NEL composes only what the file's own `defaults` names; a wrong option
fails composition, and `vllm_ray` is the only NEL deployment that spans nodes.

Example:
>>> from nelc.engine import demo
>>> print(demo("R110", "model: org/m\\nbenchmarks: [ns_gpqa]\\nbackend: sglang\\n"))
defaults: [{execution: local}, {deployment: sglang}, _self_]  # R110: executor local, backend sglang
"""

from __future__ import annotations

from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context
from nelc.knowledge import backend


def select_defaults(draft: Draft, ctx: Context) -> Draft:
    spec = ctx.spec
    execution = "slurm/default" if spec.executor == "slurm" else "local"
    deployment = "none" if spec.backend == "none" else backend(spec.backend).nel_option
    why = f"executor {spec.executor}, backend {spec.backend}"
    nodes_per_instance = spec.slurm.num_nodes // spec.slurm.num_instances
    if spec.executor == "slurm" and nodes_per_instance > 1 and spec.backend != "none":
        if spec.backend != "vllm":
            return draft.report(Severity.ERROR,
                f"{nodes_per_instance} nodes per instance need one server across nodes, which NEL 0.2.6 offers only for vLLM (vllm_ray)",
                "use backend: vllm, or set slurm.num_instances equal to slurm.num_nodes", **ctx.at("slurm", "num_nodes"))
        deployment = "vllm_ray"
        why += f", {nodes_per_instance} nodes per instance: one vLLM instance across nodes over Ray"
    return draft.set("defaults", [{"execution": execution}, {"deployment": deployment}, "_self_"], why,
                     ctx.source("executor"))
