"""R230 set-reasoning-mode: turn a reasoning-capable model's thinking on (or off) with its own switch.

Why: reasoning models usually score best with reasoning on, and each family has exactly one
switch: a chat-template kwarg (`enable_thinking`, or `thinking` for DeepSeek V3.1), a system
prompt such as `/think` (which NEL sends only with `use_system_prompt: true`), or an OpenAI-style
`reasoning_effort`. Mixing switches confuses the template, so only one is set. The spec's
`reasoning: off` picks the off position; `process_reasoning_traces` strips thinking before scoring.

Example:
>>> from nelc.engine import demo
>>> print(demo("R230", "model: Qwen/Qwen3-8B\\nmodel_type: chat_reasoning\\nbenchmarks: [ns_gpqa]\\n"))
evaluation.nemo_evaluator_config.target.api_endpoint.adapter_config.params_to_add.chat_template_kwargs: {enable_thinking: true}  # R230: qwen3 reasoning on through chat_template_kwargs.enable_thinking
evaluation.nemo_evaluator_config.target.api_endpoint.adapter_config.use_system_prompt: false  # R230: the payload switch is used; no system prompt
evaluation.nemo_evaluator_config.target.api_endpoint.adapter_config.process_reasoning_traces: true  # R230: strip the thinking before scoring
"""

from __future__ import annotations

from nelc.derived import FAMILY, MODEL_TYPE
from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context
from nelc.knowledge import family_named

ADAPTER = "evaluation.nemo_evaluator_config.target.api_endpoint.adapter_config"


def set_reasoning_mode(draft: Draft, ctx: Context) -> Draft:
    family = draft.get(FAMILY)
    entry = family_named(family)
    reasoning = entry.reasoning if entry else None
    wanted = ctx.spec.reasoning or "on"
    if draft.get(MODEL_TYPE) != "chat_reasoning" or not reasoning:
        if ctx.spec.reasoning:
            return draft.report(Severity.WARNING, f"reasoning: {ctx.spec.reasoning} has no effect: no known reasoning switch for this model",
                                "remove it, or configure the switch through interceptors", **ctx.at("reasoning"))
        return draft.decide(ADAPTER, "not a known reasoning-capable chat model: no reasoning switch")
    source = entry.source
    on = wanted == "on"
    toggle = reasoning["toggle"]
    if toggle in ("chat_template_kwargs", "chat_template_kwargs_thinking"):
        key = "enable_thinking" if toggle == "chat_template_kwargs" else "thinking"
        draft = (draft
                 .set(f"{ADAPTER}.params_to_add.chat_template_kwargs", {key: on},
                      f"{family} reasoning {wanted} through chat_template_kwargs.{key}", source)
                 .set(f"{ADAPTER}.use_system_prompt", False, "the payload switch is used; no system prompt"))
    elif toggle == "system_prompt" and not reasoning.get(wanted):
        draft = draft.decide(f"{ADAPTER}.custom_system_prompt", f"{family} reasons {wanted} by default: no system prompt needed", source)
    elif toggle == "system_prompt":
        draft = (draft
                 .set(f"{ADAPTER}.custom_system_prompt", reasoning[wanted], f"{family} reasoning {wanted} through its system prompt", source)
                 .set(f"{ADAPTER}.use_system_prompt", True, "NEL sends custom_system_prompt only with use_system_prompt: true"))
    elif toggle == "reasoning_effort":
        effort = "high" if on else "low"
        draft = draft.set(f"{ADAPTER}.params_to_add.reasoning_effort", effort,
                          f"{family} reasons always; effort {effort} for reasoning {wanted}", source)
        if not on:
            draft = draft.report(Severity.WARNING, f"{family} cannot turn reasoning off; using reasoning_effort: low",
                                 "compare against reasoning baselines instead", **ctx.at("reasoning"))
    elif toggle == "always_on" and not on:
        draft = draft.report(Severity.WARNING, f"{family} always reasons; reasoning: off is not possible",
                             "remove reasoning: off", **ctx.at("reasoning"))
    if on:
        draft = draft.set(f"{ADAPTER}.process_reasoning_traces", True, "strip the thinking before scoring")
    return draft
