"""R201 detect-quantization: read the ModelOpt algorithm and set the server's quantization flag.

Why: the ModelOpt evaluation skill's policy. ModelOpt writes `quantization_config.quant_method: modelopt` in config.json
(or, in older exports, `quantization.quant_algo` in hf_quant_config.json). vLLM detects ModelOpt
itself and breaks on a mismatched `--quantization`, so it gets none; SGLang gets `modelopt_fp8` /
`modelopt_fp4` (its auto-detection takes NVFP4 for FP8). Other methods (DeepSeek block fp8,
compressed-tensors, AWQ, GPTQ, mxfp4) are not ModelOpt: the server reads them from config.json.
A quantized checkpoint also gets the spec's recipe set's advice (the skill's
references/quantization-benchmarks.md): precision-sensitive benchmarks the spec leaves out, by the
skill's priority labels ("good to add" included), and the recommended use-case sets not yet covered.
Nothing the model cannot run is advised (a minimum context above config.json's window, images for a
text-only model): AA-LCR and SciCode are "very high" for quantization, but not for a 40960-token model,
where advising them would only lead to R205 errors. A last note names what was left out and why.

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
from nelc.facts import Context, ModelFacts
from nelc.knowledge import (SensitiveBenchmark, context_minimums, lookup, quantization_advice, recipe_named, recipe_set,
                            sglang_quantization)


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
    """The spec's recipe set's advice: precision-sensitive benchmarks the spec leaves out, and the
    recommended use-case sets it does not cover yet (advice only: the spec decides). A benchmark the
    model cannot run (its minimum context above the model's window, images for a text-only model) is
    never advised; the last note says which were left out and why."""
    chosen = recipe_set(ctx.spec.recipes).name
    advice = quantization_advice(chosen)
    names = " ".join(ctx.spec.benchmark_names).lower()
    model_type = draft.get(MODEL_TYPE, "chat_reasoning")
    missing, left_out = [], {}
    for bench in advice.sensitive:
        if (bench.only_for and algo.upper() not in bench.only_for) or model_type not in bench.suggest:
            continue
        if not any(m in names for m in bench.match):
            reason = cannot_run(bench, bench.suggest[model_type], chosen, ctx.facts)
            if reason:
                left_out[bench.name] = reason
            else:
                missing.append(f"{bench.name} ({bench.label}: {bench.why}; e.g. {bench.suggest[model_type]})")
    if missing:
        draft = draft.report(Severity.NOTE, f"quantized ({algo}) checkpoint: the spec leaves out precision-sensitive benchmarks: "
                             + "; ".join(missing), f"advice only ({advice.source}): add them to benchmarks if you want them",
                             **ctx.at("benchmarks"))
    gaps = []
    for use_case, members in advice.use_cases.items():
        lacking = [m for m in members if not any(p in names for p in advice.patterns(m))]
        runnable = [m for m in lacking if m not in left_out]
        if runnable and (len(lacking) < len(members) or use_case.startswith(("standard", "quick"))):
            gaps.append(f"{use_case}: add {', '.join(runnable)}")
    if gaps:
        draft = draft.report(Severity.NOTE, "recommended sets for quantized checkpoints not yet covered: " + "; ".join(gaps),
                             f"advice only ({advice.source}, \"Recommended sets by use case\")", **ctx.at("benchmarks"))
    if left_out:
        draft = draft.report(Severity.NOTE, "left out of the quantization advice, as this model cannot run them: "
                             + "; ".join(f"{name} ({why})" for name, why in left_out.items()),
                             "nothing to do; a model with a longer context (or one that reads images) could run them",
                             **ctx.at("benchmarks"))
    return draft


def cannot_run(bench: SensitiveBenchmark, suggestion: str, set_name: str, facts: ModelFacts) -> str | None:
    """Why the model cannot run the benchmark's suggested recipe or task, or None when it can (or nothing is known).

    >>> from nelc.knowledge import quantization_advice
    >>> lcr = next(b for b in quantization_advice("modelopt-2026.08").sensitive if b.name == "AA-LCR")
    >>> cannot_run(lcr, "aa_lcr", "modelopt-2026.08", ModelFacts("checkpoint", "./m", files={"config.json": {"max_position_embeddings": 40960}}))
    'needs a context of 196608 tokens; this model has 40960 (config.json:max_position_embeddings)'
    """
    recipe = recipe_named(suggestion, set_name)
    task = lookup(recipe.task_name if recipe else suggestion).task
    floors = [recipe.min_context] if recipe and recipe.min_context else []
    floors += list(context_minimums(task.qualified)) if task else []
    window = facts.context_window()
    if window and floors and max(floors) > window[0]:
        return f"needs a context of {max(floors)} tokens; this model has {window[0]} ({window[1]})"
    images = bench.modality == "image" or (task is not None and "vlm" in task.endpoint_types)
    if images and facts.reads_images() is False:
        return f"needs images; this model reads text only ({facts.where('config.json')} has no vision_config)"
    return None
