"""R225 set-sampling: the model's recommended temperature and top_p for chat_reasoning runs.

Why: reasoning models are scored with the sampling their authors recommend; NEL's template
guesses 1.0 / 0.95 for every model. generation_config.json ships with the checkpoint and wins;
otherwise the family entry in recipes/models.yaml (from the model card) is used. Base models keep
each task's registry sampling, since few-shot benchmarks define their own decoding.

Example:
>>> from nelc.engine import demo
>>> print(demo("R225", "model: org/m\\nmodel_type: chat_reasoning\\nbenchmarks: [ns_gpqa]\\n",
...            files={"generation_config.json": {"do_sample": True, "temperature": 0.6, "top_p": 0.95}}))
evaluation.nemo_evaluator_config.config.params.temperature: 0.6  # R225: recommended by generation_config.json
evaluation.nemo_evaluator_config.config.params.top_p: 0.95  # R225: recommended by generation_config.json
"""

from __future__ import annotations

from nelc.data import recipe
from nelc.draft import Draft
from nelc.facts import Context

PARAMS = "evaluation.nemo_evaluator_config.config.params"


def set_sampling(draft: Draft, ctx: Context) -> Draft:
    if draft.get("nelc.model_type") != "chat_reasoning":
        return draft.decide(f"{PARAMS}.temperature", "base model: each task keeps its registry sampling")
    generation = ctx.facts.json("generation_config.json") or {}
    if generation.get("do_sample") is False:
        return draft.decide(f"{PARAMS}.temperature", "generation_config.json says do_sample: false; tasks keep their own sampling",
                            ctx.facts.where("generation_config.json", "do_sample"))
    family = draft.get("nelc.family")
    card = next((e.get("sampling") or {} for e in recipe("models") if e["family"] == family), {}) if family else {}
    for key in ("temperature", "top_p"):
        value = generation.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            draft = draft.set(f"{PARAMS}.{key}", float(value), "recommended by generation_config.json",
                              ctx.facts.where("generation_config.json", key))
        elif key in card:
            draft = draft.set(f"{PARAMS}.{key}", float(card[key]), f"recommended by the {family} model card",
                              f"recipes/models.yaml:{family}")
        else:
            draft = draft.decide(f"{PARAMS}.{key}", "no recommendation known: tasks keep their registry value")
    return draft
