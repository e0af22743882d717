"""R201 detect-quantization: read the ModelOpt algorithm and set the server's quantization flag.

Why: the ModelOpt evaluation skill's policy. ModelOpt writes `quantization_config.quant_method: modelopt` in config.json
(or, in older exports, `quantization.quant_algo` in hf_quant_config.json). vLLM detects ModelOpt
itself and breaks on a mismatched `--quantization`, so it gets none; SGLang gets `modelopt_fp8` /
`modelopt_fp4` (its auto-detection takes NVFP4 for FP8). Other methods (DeepSeek block fp8,
compressed-tensors, AWQ, GPTQ, mxfp4) are not ModelOpt: the server reads them from config.json.
A quantized checkpoint also gets advice on precision-sensitive benchmarks the spec leaves out.

Example:
>>> from nelc.engine import demo
>>> cfg = {"config.json": {"quantization_config": {"quant_method": "modelopt", "quant_algo": "NVFP4"}}}
>>> print(demo("R201", "model: ./ckpt\\nmodel_type: chat_reasoning\\nbackend: sglang\\nbenchmarks: [ns_mmlu_pro]\\n", files=cfg))
quantization: {algo: NVFP4, kv_cache_algo: null, source: config.json:quantization_config.quant_algo}  # R201: ModelOpt checkpoint
deployment.extra_args += --quantization modelopt_fp4  # R201: ModelOpt NVFP4 on SGLang: its auto-detection picks the wrong kernel
"""

from __future__ import annotations

from nelc.derived import MODEL_TYPE, QUANTIZATION
from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context
from nelc.knowledge import sensitive_benchmarks, sglang_quantization


def detect_quantization(draft: Draft, ctx: Context) -> Draft:
    facts, backend = ctx.facts, ctx.spec.backend
    quant = facts.modelopt()
    if quant is None:
        other = facts.foreign_quantization()
        reason = (f"quant_method '{other}' is not ModelOpt; the server reads it from config.json" if other
                  else "no ModelOpt quantization in config.json or hf_quant_config.json: unquantized, no flag")
        return draft.decide("deployment.extra_args (--quantization)", reason, facts.where("config.json", "quantization_config"))
    draft = draft.set(QUANTIZATION, quant, "ModelOpt checkpoint", quant.source)
    draft = _advise(draft, ctx, quant.algo)
    if backend != "sglang":
        return draft.decide("deployment.extra_args (--quantization)",
                            f"ModelOpt {quant.algo} on {backend}: no flag (vLLM detects ModelOpt itself; a mismatched flag breaks it)"
                            if backend == "vllm" else f"ModelOpt {quant.algo} on {backend}: the ModelOpt evaluation skill prescribes no flag",
                            quant.source)
    value = sglang_quantization(quant.algo)
    if value is None:
        return draft.report(Severity.WARNING,
                            f"ModelOpt algorithm {quant.algo} has no known SGLang --quantization value; none is set",
                            "check SGLang's docs for this format and add the flag to deployment.extra_args if needed",
                            **ctx.at("model"))
    why = ("ModelOpt NVFP4 on SGLang: its auto-detection picks the wrong kernel" if value == "modelopt_fp4"
           else f"ModelOpt {quant.algo} on SGLang")
    return draft.add_flag("--quantization", value, why=why, source=quant.source)


def _advise(draft: Draft, ctx: Context, algo: str) -> Draft:
    """Point out precision-sensitive benchmarks the spec leaves out (advice only: the spec decides)."""
    names = " ".join(ctx.spec.benchmark_names).lower()
    model_type = draft.get(MODEL_TYPE, "chat_reasoning")
    missing = []
    for bench in sensitive_benchmarks():
        if bench.only_for and algo.upper() not in bench.only_for:
            continue
        if not any(m in names for m in bench.match):
            suggestion = bench.suggest.get(model_type)
            missing.append(f"{bench.name} (tier {bench.tier}: {bench.why}" + (f"; e.g. {suggestion})" if suggestion else ")"))
    if not missing:
        return draft
    return draft.report(Severity.NOTE, f"quantized ({algo}) checkpoint: the spec leaves out precision-sensitive benchmarks: "
                        + "; ".join(missing), "advice only: add them to benchmarks if you want them", **ctx.at("benchmarks"))
