"""R135 place-model: checkpoint_path or hf_model_handle, never both, never `???`.

Why: NEL serves `${select_not_null:deployment.hf_model_handle,/checkpoint}`: a handle wins and a
checkpoint is mounted at /checkpoint. The ModelOpt evaluation skill's rule decides which one `model` is (see
`nelc.probe.classify_model_ref`); a pinned `org/name@rev` becomes the server's `--revision`.

Example:
>>> from nelc.engine import demo
>>> print(demo("R135", "model: org/m@v1\\nbenchmarks: [ns_gpqa]\\n"))
deployment.checkpoint_path: null  # R135: model is an HF handle; nothing to mount
deployment.hf_model_handle: org/m  # R135: HF handle from the spec
deployment.env_vars.HF_TOKEN: host:HF_TOKEN  # R135: the server downloads org/m from the Hub (gated models need a token)
deployment.extra_args += --revision v1  # R135: the spec pins revision v1
"""

from __future__ import annotations

from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context


def place_model(draft: Draft, ctx: Context) -> Draft:
    facts = ctx.facts
    if facts.kind in ("endpoint", "nim"):
        return draft.decide("deployment.checkpoint_path", f"backend {ctx.spec.backend}: NEL mounts no checkpoint")
    source = ctx.source("model")
    if facts.kind == "checkpoint":
        draft = draft.set("deployment.checkpoint_path", facts.checkpoint_path,
                          f"model '{facts.reference}' is a local checkpoint (absolute, as docker and srun mounts need)", source)
        if ctx.spec.backend != "trtllm":
            draft = draft.set("deployment.hf_model_handle", None, "model is a checkpoint; the handle must be null", source)
        if ctx.spec.executor == "slurm" and not facts.reference.startswith("/"):
            draft = draft.report(Severity.WARNING,
                                 f"checkpoint '{facts.reference}' resolved to {facts.checkpoint_path}; it must exist at that path on the cluster",
                                 "write the checkpoint's absolute cluster path as model", **ctx.at("model"))
        return draft
    if ctx.spec.backend == "trtllm":
        return draft.report(Severity.ERROR, "NEL's trtllm deployment serves /checkpoint only, not an HF handle",
                            "download the model and set model to the local checkpoint directory", **ctx.at("model"))
    draft = (draft
             .set("deployment.checkpoint_path", None, "model is an HF handle; nothing to mount", source)
             .set("deployment.hf_model_handle", facts.hf_handle, "HF handle from the spec", source))
    if facts.revision:
        draft = draft.add_flag("--revision", facts.revision, why=f"the spec pins revision {facts.revision}", source=source)
    if "HF_TOKEN" not in draft.get("deployment.env_vars", {}):
        draft = draft.set("deployment.env_vars.HF_TOKEN", "host:HF_TOKEN",
                          f"the server downloads {facts.hf_handle} from the Hub (gated models need a token)")
    return draft
