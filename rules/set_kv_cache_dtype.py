"""R221 set-kv-cache-dtype: a checkpoint's quantized KV cache, served as the checkpoint says.

Why: a ModelOpt checkpoint can quantize its KV cache too (`kv_cache_quant_algo: FP8` in
hf_quant_config.json's `quantization`, or `kv_cache_quant_algo` / `kv_cache_scheme` in config.json's
`quantization_config`). The flag is needed only where the server does not read it itself
(recipes/backends.yaml `kv_cache`, read in each server's source): vLLM resolves `--kv-cache-dtype auto`
from the checkpoint since PR #30785, so an image from v0.14.0 on gets nothing and an older one
`--kv-cache-dtype fp8` (before it, auto meant the model dtype and the calibrated FP8 scales went
unused); SGLang's auto takes an FP8 KV cache from the ModelOpt config itself. A flag the spec (or
R220's model knowledge) already gives stays; every decision names its source in `--explain`.

Example:
>>> from nelc.engine import demo
>>> kv = {"hf_quant_config.json": {"quantization": {"quant_algo": "FP8", "kv_cache_quant_algo": "FP8"}}}
>>> print(demo("R221", "model: ./ckpt\\nbenchmarks: [ns_gpqa]\\ndeployment: {image: vllm/vllm-openai:v0.10.1}\\n", files=kv))
deployment.extra_args += --kv-cache-dtype fp8  # R221: FP8 KV cache (hf_quant_config.json:quantization.kv_cache_quant_algo): vllm/vllm-openai:v0.10.1 predates v0.14.0, whose --kv-cache-dtype auto reads it from the checkpoint
>>> print(demo("R221", "model: ./ckpt\\nbenchmarks: [ns_gpqa]\\n", files=kv))
<BLANKLINE>
"""

from __future__ import annotations

from nelc import flags
from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context
from nelc.knowledge import backend as backend_named, backend_fact, image_version

WHAT = "deployment.extra_args (--kv-cache-dtype)"


def set_kv_cache_dtype(draft: Draft, ctx: Context) -> Draft:
    kv = ctx.facts.kv_cache_quantization()
    if kv is None:
        return draft.decide(WHAT, "no KV-cache quantization in config.json or hf_quant_config.json: the server's default")
    algo, where = kv
    known = backend_named(ctx.spec.backend)
    policy = backend_fact(known.nel_option, "kv_cache") if known else None
    if policy is not None and flags.has(flags.split(draft.get("deployment.extra_args", "")), policy["flag"]):
        earlier = draft.flag_origins.get(policy["flag"])
        who = f"{earlier.rule}'s" if earlier else "the spec's own"
        return draft.decide(WHAT, f"{algo} KV cache ({where}): {who} {policy['flag']} stays as written", policy["source"])
    if policy is None:
        return draft.decide(WHAT, f"{algo} KV cache ({where}) on {ctx.spec.backend}: no flag (how it reads the KV cache "
                                  "is not verified in its source)", where)
    if ctx.spec.backend == "sglang":
        if algo in policy["reads_checkpoint"]:
            return draft.decide(WHAT, f"{algo} KV cache ({where}): SGLang's --kv-cache-dtype auto reads it from the ModelOpt config",
                                policy["source"])
        return draft.report(Severity.NOTE, f"{algo} KV cache ({where}): SGLang's --kv-cache-dtype auto reads only "
                                           f"{', '.join(policy['reads_checkpoint'])}, so this cache is served in the model dtype",
                            f"add SGLang's {policy['flag']} value for {algo} to deployment.extra_args if you want it "
                            f"({policy['source'].split(':')[0]})", **ctx.at("model"))
    image = str(draft.get("deployment.image") or "")
    since = image_version(policy["reads_checkpoint_from"])
    version = image_version(image)
    if version and version >= since:
        return draft.decide(WHAT, f"{algo} KV cache ({where}): {image} resolves --kv-cache-dtype auto from the checkpoint",
                            policy["source"])
    value = policy["values"].get(algo)
    age = f"{image} predates {policy['reads_checkpoint_from']}" if version else f"the version of image '{image}' is unknown"
    if value is None:
        return draft.report(Severity.WARNING, f"{algo} KV cache ({where}): {age}, and nelc knows no {policy['flag']} value "
                                              f"for {algo}; the cache is served in the model dtype",
                            f"use a vLLM image from {policy['reads_checkpoint_from']} on, which reads it from the checkpoint",
                            **ctx.at("deployment", "image"))
    return draft.add_flag(policy["flag"], value, source=policy["source"],
                          why=f"{algo} KV cache ({where}): {age}, whose --kv-cache-dtype auto reads it from the checkpoint")
