"""R167 fill-tokenizers: a tokenizer for every task whose command reads `extra.tokenizer`.

Why: completions and log-probability tasks (lm-evaluation-harness `adlr_*`) and long-context
ruler tasks tokenize in the evaluation container, which cannot see the server's /checkpoint;
NEL's templates leave `tokenizer: ???`. nelc fills it with the model's HF handle (or the handle a
checkpoint's config.json `_name_or_path` names) only on those tasks, so no other task gets an
unused parameter, and sets `tokenizer_backend` where the command reads it.

Example:
>>> from nelc.engine import demo
>>> print(demo("R167", "model: meta-llama/Llama-3.1-8B\\nmodel_type: base\\nbenchmarks: [adlr_gsm8k_cot_8_shot]\\n"))
evaluation.tasks.0.nemo_evaluator_config.config.params.extra.tokenizer: meta-llama/Llama-3.1-8B  # R167: adlr_gsm8k_cot_8_shot tokenizes in the evaluation container: the model's HF handle
evaluation.tasks.0.nemo_evaluator_config.config.params.extra.tokenizer_backend: huggingface  # R167: the command reads tokenizer_backend; NEL's templates use huggingface
"""

from __future__ import annotations

import re

from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context
from nelc.nelconfig import dig
from nelc.knowledge import lookup

_HANDLE = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
OVERRIDE = ("evaluation", "nemo_evaluator_config", "config", "params", "extra", "tokenizer")


def tokenizer_for(ctx: Context) -> tuple[str, str] | None:
    facts = ctx.facts
    if ctx.spec.tokenizer:
        return ctx.spec.tokenizer, "set in the spec"
    if facts.hf_handle:
        return facts.hf_handle, "the model's HF handle"
    for name, key in (("config.json", "_name_or_path"), ("tokenizer_config.json", "name_or_path")):
        value = (facts.json(name) or {}).get(key)
        if isinstance(value, str) and _HANDLE.match(value) and not value.startswith(("/", ".")):
            return value, f"{facts.where(name, key)} names the original model"
    return None


def fill_tokenizers(draft: Draft, ctx: Context) -> Draft:
    user_value = dig(ctx.spec.overrides, OVERRIDE)
    for index, task in enumerate(draft.get("evaluation.tasks", ())):
        registered = lookup(task["name"]).task
        base = f"evaluation.tasks.{index}.nemo_evaluator_config.config.params.extra"
        extra = draft.get(base, {}) or {}
        needed = extra.get("tokenizer") == "???" or registered.endpoint_type == "completions" or "logprobs" in registered.capabilities
        if needed and "tokenizer" in registered.extra_params and extra.get("tokenizer") in (None, "???"):
            found = tokenizer_for(ctx)
            if user_value:
                draft = draft.delete(f"{base}.tokenizer", "the spec's overrides give the tokenizer") if "tokenizer" in extra else draft
            elif found is None:
                draft = draft.report(Severity.ERROR, f"{task['name']} needs a tokenizer the evaluation container can load, and "
                                     "none is known for this model (the container cannot see the server's checkpoint)",
                                     "set `tokenizer: org/name` in the spec (the model's original HF handle)", **ctx.at("benchmarks"))
            else:
                draft = draft.set(f"{base}.tokenizer", found[0], f"{task['name']} tokenizes in the evaluation container: {found[1]}",
                                  ctx.source("tokenizer") if ctx.spec.tokenizer else ctx.source("model"))
        if needed and "tokenizer_backend" in registered.extra_params and "tokenizer_backend" not in extra:
            draft = draft.set(f"{base}.tokenizer_backend", "huggingface",
                              "the command reads tokenizer_backend; NEL's templates use huggingface")
    return draft
