"""R225 set-sampling: the model's recommended sampling for its reasoning mode, in chat_reasoning runs.

Why: models are scored with the sampling their authors recommend, and many cards give other values
with reasoning off (Qwen3 hybrids: 0.7 / 0.8 / top_k 20 without thinking; Nemotron Nano v2 and
Super 49B v1.5: greedy). With reasoning on, generation_config.json ships with the checkpoint and
wins, else the family's card values (recipes/models.yaml `sampling`); with `reasoning: off` the
card's `sampling_off` wins. temperature and top_p go to every task whose command reads them
(nelc.placement). top_k and min_p are not NEL config.params (the ModelOpt skill, a2fbac7
SKILL.md:261-273, keeps them out of the top-level params because harness defaults conflict): they
ride in the request payload (adapter `params_to_add`), which vLLM and SGLang accept. Base models
keep each task's registry sampling.

Example:
>>> from nelc.engine import demo
>>> print(demo("R225", "model: Qwen/Qwen3-8B\\nmodel_type: chat_reasoning\\nreasoning: 'off'\\nbenchmarks: [ns_gpqa]\\n"))
evaluation.nemo_evaluator_config.config.params.temperature: 0.7  # R225: recommended by the qwen3 model card for reasoning off
evaluation.nemo_evaluator_config.config.params.top_p: 0.8  # R225: recommended by the qwen3 model card for reasoning off
evaluation.nemo_evaluator_config.target.api_endpoint.adapter_config.params_to_add.top_k: 20  # R225: recommended by the qwen3 model card for reasoning off; not a NEL param: sent in each request
evaluation.nemo_evaluator_config.target.api_endpoint.adapter_config.params_to_add.min_p: 0  # R225: recommended by the qwen3 model card for reasoning off; not a NEL param: sent in each request
"""

from __future__ import annotations

from nelc.derived import FAMILY, MODEL_TYPE
from nelc.draft import Draft
from nelc.facts import Context
from nelc.knowledge import family_named
from nelc.placement import place_param

PARAMS = "evaluation.nemo_evaluator_config.config.params"


PAYLOAD = "evaluation.nemo_evaluator_config.target.api_endpoint.adapter_config.params_to_add"
PAYLOAD_BACKENDS = ("vllm", "sglang")  # servers known to take top_k / min_p in an OpenAI request


def recommended(draft: Draft, ctx: Context) -> dict[str, tuple[float, str, str]]:
    """key -> (value, why, source): generation_config.json first (reasoning on), then the card."""
    entry = family_named(draft.get(FAMILY))
    off = ctx.spec.reasoning == "off"
    if off and entry and entry.sampling_off:
        return {key: (value, f"recommended by the {entry.family} model card for reasoning off", entry.source)
                for key, value in entry.sampling_off.items()}
    generation = {} if off else ctx.facts.json("generation_config.json") or {}
    card = entry.sampling if entry else {}
    out = {}
    for key in ("temperature", "top_p", "top_k", "min_p"):
        value = generation.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = (value, "recommended by generation_config.json", ctx.facts.where("generation_config.json", key))
        elif key in card:
            out[key] = (card[key], f"recommended by the {entry.family} model card", entry.source)
    return out


def set_sampling(draft: Draft, ctx: Context) -> Draft:
    if draft.get(MODEL_TYPE) != "chat_reasoning":
        return draft.decide(f"{PARAMS}.temperature", "base model: each task keeps its registry sampling")
    if ctx.spec.reasoning != "off" and (ctx.facts.json("generation_config.json") or {}).get("do_sample") is False:
        return draft.decide(f"{PARAMS}.temperature", "generation_config.json says do_sample: false; tasks keep their own sampling",
                            ctx.facts.where("generation_config.json", "do_sample"))
    for key, (value, why, source) in recommended(draft, ctx).items():
        if key in ("temperature", "top_p"):
            draft = place_param(draft, key, float(value), why, source)
        elif ctx.spec.backend not in PAYLOAD_BACKENDS:
            draft = draft.decide(f"{PAYLOAD}.{key}", f"{why}, but backend {ctx.spec.backend} is not known to take it in a request")
        elif key != "top_k" or int(value) > 0:  # top_k 0 or -1 means "off" in generation_config.json
            draft = draft.set(f"{PAYLOAD}.{key}", int(value) if key == "top_k" else value,
                              f"{why}; not a NEL param: sent in each request", source)
    return draft
