"""R120 fill-execution: every `execution` value for local or SLURM, explicit.

Why: NEL's SLURM defaults hide traps: `username: ${oc.env:USER}` fails where USER is unset, an
unquoted `12:00:00` is read as 43200 minutes, a relative output_dir is not visible from compute
nodes, and `num_nodes % num_instances != 0` fails. Values only the user knows are compile errors
naming the spec key, never `???`.

Example:
>>> from nelc.engine import demo
>>> print(demo("R120", "model: org/m\\nbenchmarks: [ns_gpqa]\\n"))
execution.output_dir: "./nel-results"  # R120: spec default for local runs (relative to where `nel run` starts)
execution.mode: sequential  # R120: NEL allows parallel only without a deployment
execution.extra_docker_args: ""  # R120: nothing extra for docker run
execution.endpoint_readiness_timeout: 600  # R120: NEL's local default: 10 min for the server to become healthy
"""

from __future__ import annotations

import posixpath

from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context

REQUIRED_ON_SLURM = {
    "hostname": "the login node you ssh to, e.g. login.cluster.example.com",
    "account": "your SLURM account (sacctmgr show assoc user=$USER)",
    "username": "your login on the cluster (NEL's ${oc.env:USER} fails where USER is unset)",
}


def fill_execution(draft: Draft, ctx: Context) -> Draft:
    spec = ctx.spec
    if spec.executor == "local":
        if any(ctx.wrote("slurm", key) for key in ("hostname", "account", "num_nodes", "num_instances", "walltime")):
            draft = draft.report(Severity.WARNING, "slurm settings are ignored with executor: local",
                                 "remove the slurm block, or set executor: slurm", **ctx.at("slurm"))
        output_dir = spec.output_dir or "./nel-results"
        return (draft
                .set("execution.output_dir", output_dir,
                     "set in the spec" if spec.output_dir else "spec default for local runs (relative to where `nel run` starts)",
                     ctx.source("output_dir"))
                .set("execution.mode", "sequential", "NEL allows parallel only without a deployment")
                .set("execution.extra_docker_args", "", "nothing extra for docker run")
                .set("execution.endpoint_readiness_timeout", 600, "NEL's local default: 10 min for the server to become healthy"))
    return _slurm(draft, ctx)


def _slurm(draft: Draft, ctx: Context) -> Draft:
    slurm = ctx.spec.slurm
    for key, what in REQUIRED_ON_SLURM.items():
        value = getattr(slurm, key)
        if value is None:
            draft = draft.report(Severity.ERROR, f"executor slurm needs slurm.{key}",
                                 f"set slurm.{key}: {what}", **ctx.at("slurm", key))
        else:
            draft = draft.set(f"execution.{key}", value, "set in the spec", ctx.source("slurm", key))
    output_dir = ctx.spec.output_dir
    if output_dir is None:
        draft = draft.report(Severity.ERROR, "executor slurm needs output_dir",
                             "set output_dir to an absolute path visible from the compute nodes, e.g. /lustre/$USER/nel-results",
                             **ctx.at("output_dir"))
    elif not posixpath.isabs(output_dir):
        draft = draft.report(Severity.ERROR, f"output_dir '{output_dir}' must be absolute on slurm",
                             "compute nodes do not share your working directory; use an absolute cluster path",
                             **ctx.at("output_dir"))
    else:
        draft = draft.set("execution.output_dir", output_dir, "set in the spec", ctx.source("output_dir"))
    if slurm.num_nodes % slurm.num_instances:
        draft = draft.report(Severity.ERROR,
            f"slurm.num_nodes ({slurm.num_nodes}) must be divisible by slurm.num_instances ({slurm.num_instances})",
            "every instance gets num_nodes / num_instances nodes", **ctx.at("slurm", "num_instances"))
    draft = _check_gpu_fit(draft, ctx)
    for key, why in (
        ("partition", "SLURM partition"),
        ("walltime", "per-job time limit, quoted so YAML 1.1 cannot read it as minutes"),
        ("max_walltime", "cap on total time across automatic resumes"),
        ("num_nodes", "nodes for the model deployment"),
        ("num_instances", "independent model instances; more than one puts HAProxy in front"),
        ("gres", "GPUs per node requested from SLURM"),
    ):
        value = getattr(slurm, key)
        if key == "gres" and ctx.spec.backend == "none" and not ctx.wrote("slurm", "gres"):
            draft = draft.set("execution.gres", None, "backend none: the client job needs no GPUs (null omits --gres)")
            continue
        draft = draft.set(f"execution.{key}", value,
                          why if ctx.wrote("slurm", key) else f"{why} (spec default)", ctx.source("slurm", key))
    return draft.set("execution.mounts.mount_home", False,
                     "the recommended setting: the home directory is not mounted into containers")


def _check_gpu_fit(draft: Draft, ctx: Context) -> Draft:
    """TP x PP x DP of one instance must fit the GPUs of its nodes (gres gpu:N per node)."""
    slurm, dep = ctx.spec.slurm, ctx.spec.deployment
    if ctx.spec.backend in ("none", "nim") or not slurm.gres or not slurm.gres.rsplit(":", 1)[-1].isdigit():
        return draft
    per_node = int(slurm.gres.rsplit(":", 1)[-1])
    nodes = max(slurm.num_nodes // slurm.num_instances, 1)
    needed = dep.tensor_parallel_size * dep.pipeline_parallel_size * dep.data_parallel_size
    if needed > per_node * nodes:
        return draft.report(Severity.ERROR,
            f"one instance needs {needed} GPUs (TP {dep.tensor_parallel_size} x PP {dep.pipeline_parallel_size} x DP "
            f"{dep.data_parallel_size}) but gets {per_node * nodes} ({nodes} node(s) x {slurm.gres})",
            "raise slurm.num_nodes per instance, or lower the parallel sizes", **ctx.at("deployment"))
    return draft
