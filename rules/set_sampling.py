"""R225 set-sampling: the model's recommended temperature and top_p for chat_reasoning runs.

Why: reasoning models are scored with the sampling their authors recommend; NEL's template
guesses 1.0 / 0.95 for every model. generation_config.json ships with the checkpoint and wins;
otherwise the family entry in recipes/models.yaml (from the model card) is used. It goes to every
task whose command reads the parameter (once, globally, when all do) and never overrides a
value a recipe or bundle sets for its task. Base models keep each task's registry sampling.

Example:
>>> from nelc.engine import demo
>>> print(demo("R225", "model: org/m\\nmodel_type: chat_reasoning\\nbenchmarks: [ns_gpqa]\\n",
...            files={"generation_config.json": {"do_sample": True, "temperature": 0.6, "top_p": 0.95}}))
evaluation.nemo_evaluator_config.config.params.temperature: 0.6  # R225: recommended by generation_config.json
evaluation.nemo_evaluator_config.config.params.top_p: 0.95  # R225: recommended by generation_config.json
"""

from __future__ import annotations

from nelc.derived import FAMILY, MODEL_TYPE
from nelc.draft import Draft
from nelc.facts import Context
from nelc.knowledge import family_named, lookup

PARAMS = "evaluation.nemo_evaluator_config.config.params"


def recommended(draft: Draft, ctx: Context) -> dict[str, tuple[float, str, str]]:
    """key -> (value, why, source), generation_config.json first, then the card."""
    generation = ctx.facts.json("generation_config.json") or {}
    entry = family_named(draft.get(FAMILY))
    card = entry.sampling if entry else {}
    out = {}
    for key in ("temperature", "top_p"):
        value = generation.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = (float(value), "recommended by generation_config.json", ctx.facts.where("generation_config.json", key))
        elif key in card:
            out[key] = (float(card[key]), f"recommended by the {entry.family} model card", entry.source)
    return out


def set_sampling(draft: Draft, ctx: Context) -> Draft:
    if draft.get(MODEL_TYPE) != "chat_reasoning":
        return draft.decide(f"{PARAMS}.temperature", "base model: each task keeps its registry sampling")
    if (ctx.facts.json("generation_config.json") or {}).get("do_sample") is False:
        return draft.decide(f"{PARAMS}.temperature", "generation_config.json says do_sample: false; tasks keep their own sampling",
                            ctx.facts.where("generation_config.json", "do_sample"))
    tasks = draft.get("evaluation.tasks", ())
    for key, (value, why, source) in recommended(draft, ctx).items():
        readers = [i for i, t in enumerate(tasks) if key in lookup(t["name"]).task.params]
        open_slots = [i for i in readers if draft.get(f"evaluation.tasks.{i}.nemo_evaluator_config.config.params.{key}") is None]
        if readers and len(readers) == len(tasks) == len(open_slots):
            draft = draft.set(f"{PARAMS}.{key}", value, why, source)
            continue
        for i in open_slots:
            draft = draft.set(f"evaluation.tasks.{i}.nemo_evaluator_config.config.params.{key}", value, why, source)
        if not readers:
            draft = draft.decide(f"{PARAMS}.{key}", "no selected task's command reads it")
    return draft
