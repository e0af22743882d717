"""R101 choose-model-type: fix `model_type` (base | chat_reasoning) before anything reads it.

Why: the bundles, sampling and reasoning defaults all depend on it, and the ModelOpt evaluation skill derives it from
the checkpoint when the user does not say: a chat template means a chat model.

Example:
>>> from nelc.engine import demo
>>> print(demo("R101", "model: org/m\\nbenchmarks: [ns_gpqa]\\n", has_chat_template=False))
model_type: base  # R101: tokenizer_config.json has no chat template
"""

from __future__ import annotations

from nelc.derived import MODEL_TYPE
from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context


def choose_model_type(draft: Draft, ctx: Context) -> Draft:
    if ctx.spec.model_type:
        return draft.set(MODEL_TYPE, ctx.spec.model_type, "set in the spec", ctx.source("model_type"))
    if ctx.facts.has_chat_template is None:
        unknown = "an external endpoint has no tokenizer to read" if ctx.spec.backend == "none" else "no tokenizer_config.json could be read"
        return draft.set(MODEL_TYPE, "chat_reasoning", f"{unknown}; chat models are the common case").report(
            Severity.NOTE, f"model_type not set and {unknown}; assuming chat_reasoning",
            "set `model_type: base` for a base (completions) model", **ctx.at("model"))
    if ctx.facts.has_chat_template:
        return draft.set(MODEL_TYPE, "chat_reasoning", "tokenizer_config.json has a chat template",
                         ctx.facts.where("tokenizer_config.json", "chat_template"))
    return draft.set(MODEL_TYPE, "base", "tokenizer_config.json has no chat template",
                     ctx.facts.where("tokenizer_config.json"))
