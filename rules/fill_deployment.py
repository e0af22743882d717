"""R130 fill-deployment: every server value explicit, with safe values where NEL's are not.

Why: NEL's packaged defaults are unsafe to inherit: tensor parallel 8, unpinned `:latest` images,
`served_model_name: ???`. A pinned image per backend lives in recipes/backends.yaml; the spec's
`deployment` block always wins.

Example:
>>> from nelc.engine import demo
>>> print(demo("R130", "model: org/llama-8b\\nbenchmarks: [ns_gpqa]\\n"))
deployment.image: vllm/vllm-openai:v0.26.0  # R130: pinned default for vllm: the ModelOpt evaluation skill's default vLLM image since upstream 55f1880f7 (a2fbac7 SKILL.md Step 3, example_eval.yaml:85); unsuffixed tags from v0.20.0 on are CUDA 13 builds, which NVFP4 on Blackwell B300/GB300 (sm_103) needs
deployment.served_model_name: llama-8b  # R130: derived from the model: the handle's name
deployment.port: 8000  # R130: NEL's server port
deployment.tensor_parallel_size: 1  # R130: spec default (NEL's own default is 8)
deployment.pipeline_parallel_size: 1  # R130: spec default
deployment.data_parallel_size: 1  # R130: spec default
deployment.gpu_memory_utilization: 0.95  # R130: NEL's vLLM default, written out
deployment.extra_args: ""  # R130: no extra flags in the spec
deployment.env_vars: {}  # R130: no env vars in the spec
"""

from __future__ import annotations

import posixpath

from nelc import flags
from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context
from nelc.knowledge import backend as backend_named, is_pinned


def served_name(ctx: Context) -> tuple[str, str]:
    """The served model name and why: spec value, else a deterministic name from `model`."""
    if ctx.spec.served_model_name:
        return ctx.spec.served_model_name, "set in the spec"
    facts = ctx.facts
    if facts.kind == "nim":
        return ctx.spec.model, "derived from the model: a NIM serves its model under its full name"
    if facts.kind == "hf_handle":
        return facts.hf_handle.split("/", 1)[1], "derived from the model: the handle's name"
    return posixpath.basename(ctx.spec.model.rstrip("/")) or "model", "derived from the model: the checkpoint directory's name"


def fill_deployment(draft: Draft, ctx: Context) -> Draft:
    spec = ctx.spec
    if spec.backend == "none":
        if ctx.wrote("deployment"):
            draft = draft.report(Severity.WARNING, "the deployment block is ignored with backend: none",
                                 "remove it, or choose a serving backend", **ctx.at("deployment"))
        return draft.decide("deployment", "backend none: NEL deploys nothing; the endpoint block says where the model is")
    backend = backend_named(spec.backend)
    dep = spec.deployment
    image = dep.image or backend.image
    if image is None:
        draft = draft.report(Severity.ERROR, f"backend {spec.backend} needs deployment.image",
                             f"set deployment.image, e.g. {backend.image_source.split('e.g. ')[-1]}",
                             **ctx.at("deployment", "image"))
    else:
        why = "set in the spec" if dep.image else f"pinned default for {spec.backend}: {backend.image_source}"
        draft = draft.set("deployment.image", image, why, ctx.source("deployment", "image"))
        if not is_pinned(image):
            draft = draft.report(Severity.WARNING, f"image '{image}' is not pinned; runs will not be reproducible",
                                 "use a versioned tag", **ctx.at("deployment", "image"))
    name, why = served_name(ctx)
    draft = draft.set("deployment.served_model_name", name, why, ctx.source("served_model_name"))
    draft = draft.set("deployment.port", 8000, "NEL's server port")
    sizes = [("tensor_parallel_size", " (NEL's own default is 8)")]
    if spec.backend != "nim":
        sizes.append(("pipeline_parallel_size", ""))
    if backend.has_data_parallel:
        sizes.append(("data_parallel_size", ""))
    elif dep.data_parallel_size > 1:
        draft = draft.report(Severity.ERROR, f"NEL's {spec.backend} deployment has no data parallelism",
                             "use slurm.num_instances for more replicas", **ctx.at("deployment", "data_parallel_size"))
    if spec.backend == "nim":
        sizes = []  # a NIM picks its own parallelism from the GPUs it sees
    for key, default_note in sizes:
        wrote = ctx.wrote("deployment", key)
        draft = draft.set(f"deployment.{key}", getattr(dep, key),
                          "set in the spec" if wrote else f"spec default{default_note}", ctx.source("deployment", key))
    if backend.has_gpu_memory_utilization:
        draft = draft.set("deployment.gpu_memory_utilization", 0.95, "NEL's vLLM default, written out")
    if spec.backend != "nim":
        problem = flags.quoting_problem(dep.extra_args)
        if problem:
            draft = draft.report(Severity.ERROR, f"deployment.extra_args cannot be read as shell words: {problem.lower()}",
                                 "close the quote, or write the flags as a list", **ctx.at("deployment", "extra_args"))
        extra = flags.join(flags.split(dep.extra_args))
        draft = draft.set("deployment.extra_args", extra,
                          "set in the spec" if extra else "no extra flags in the spec", ctx.source("deployment", "extra_args"))
    env = dict(dep.env_vars)
    if spec.backend == "nim":
        env.setdefault("NGC_API_KEY", "host:NGC_API_KEY")
    return draft.set("deployment.env_vars", env, "set in the spec" if dep.env_vars else "no env vars in the spec",
                     ctx.source("deployment", "env_vars"))
