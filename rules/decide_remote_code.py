"""R210 decide-remote-code: run a model's own Python code only when the checkpoint ships some.

Why: `--trust-remote-code` executes code from the checkpoint; the ModelOpt evaluation skill allows it only when
config.json has `auto_map`. NEL's vLLM `base_command` and TRT-LLM `command` always pass it, so
for a checkpoint without `auto_map` nelc emits those commands without the flag; SGLang's command
lacks it, so it is added there when `auto_map` exists. Unknown (unreadable config.json) counts
as no custom code (a server that then fails to load says so loudly), unless the model card in
recipes/models.yaml documents that the model runs with its own code.

Example:
>>> from nelc.engine import demo
>>> print(demo("R210", "model: ./ckpt\\nmodel_type: base\\nbackend: sglang\\nbenchmarks: [x]\\n",
...            files={"config.json": {"auto_map": {"AutoConfig": "configuration_x.XConfig"}}}))
deployment.extra_args += --trust-remote-code  # R210: config.json has auto_map: the model ships its own code
"""

from __future__ import annotations

from nelc import flags
from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.derived import FAMILY
from nelc.facts import Context
from nelc.knowledge import family_named

# NEL 0.2.6 configs/deployment/vllm.yaml base_command and trtllm.yaml command, minus the trust flag.
VLLM_BASE_COMMAND = (
    "vllm serve ${select_not_null:deployment.hf_model_handle,/checkpoint}"
    " --tensor-parallel-size=${deployment.tensor_parallel_size}"
    " --pipeline-parallel-size=${deployment.pipeline_parallel_size}"
    " --data-parallel-size=${deployment.data_parallel_size}"
    " --port ${deployment.port}"
    " --served-model-name ${deployment.served_model_name}"
    " --gpu-memory-utilization ${deployment.gpu_memory_utilization}"
    " ${deployment.extra_args}"
)
TRTLLM_COMMAND = (
    "mpirun --allow-run-as-root --oversubscribe trtllm-serve serve /checkpoint"
    " --tp_size=${deployment.tensor_parallel_size}"
    " --pp_size=${deployment.pipeline_parallel_size}"
    " --host 0.0.0.0 --port ${deployment.port} --backend pytorch"
    " ${deployment.extra_args}"
)


def decide_remote_code(draft: Draft, ctx: Context) -> Draft:
    backend, facts = ctx.spec.backend, ctx.facts
    if backend in ("none", "nim"):
        return draft.decide("--trust-remote-code", f"backend {backend}: nelc does not start the model's code")
    config = facts.json("config.json")
    source = facts.where("config.json", "auto_map")
    extra = draft.get("deployment.extra_args", "")
    user_trusts = flags.has(flags.split(extra), "--trust-remote-code")
    if config is not None and "auto_map" in config:
        if backend == "sglang":
            return draft.add_flag("--trust-remote-code", why="config.json has auto_map: the model ships its own code", source=source)
        return draft.decide("--trust-remote-code", f"config.json has auto_map: NEL's {backend} command keeps its trust flag", source)
    why = "config.json has no auto_map" if config is not None else "config.json could not be read"
    family = family_named(draft.get(FAMILY))
    if config is None and family is not None and family.remote_code:
        source = family.source
        if backend == "sglang":
            return draft.add_flag("--trust-remote-code", why=f"{why}, and the {family.family} card runs the model with its own code",
                                  source=source)
        return draft.decide("--trust-remote-code", f"{why}, and the {family.family} card runs the model with its own code: "
                            f"NEL's {backend} command keeps its trust flag", source)
    if user_trusts:
        return draft.decide("--trust-remote-code", f"{why}, but the spec's extra_args asks for it", ctx.source("deployment", "extra_args"))
    if config is None:
        draft = draft.report(Severity.NOTE, "remote code stays off: config.json could not be read",
                             "add --trust-remote-code to deployment.extra_args if the model needs its own code",
                             **ctx.at("model"))
    if backend == "vllm":
        return draft.set("deployment.base_command", VLLM_BASE_COMMAND,
                         f"{why}: NEL's vLLM base_command without its unconditional --trust-remote-code", source)
    if backend == "trtllm":
        return draft.set("deployment.command", TRTLLM_COMMAND,
                         f"{why}: NEL's TRT-LLM command without its unconditional --trust_remote_code", source)
    return draft.decide("--trust-remote-code", f"{why}: SGLang's command has no trust flag", source)
