"""R169 tune-parallelism: judge, simulator and code-execution tasks start with few concurrent requests.

Why: the ModelOpt evaluation skill's canary advice. Judges and code sandboxes give out before the model server does,
and their failures (rate limits, thread exhaustion) can hide inside a job that finishes. Tasks in
those risk classes without a parallelism of their own (a recipe's or bundle's) start at 4 (a
nemo_skills task at one request per repeat, as it splits parallelism over its repeats); raise it
once a canary shows the judge or sandbox coping. (R197 checks the final parallelism against
the repeat count, after the spec's own settings.)

Example:
>>> from nelc.engine import demo
>>> spec = "model: org/m\\nmodel_type: chat_reasoning\\nbenchmarks: [aa_lcr]\\njudge: {url: 'https://j', model_id: q}\\n"
>>> print(demo("R169", spec))
evaluation.tasks.0.nemo_evaluator_config.config.params.parallelism: 16  # R169: nemo_skills.ns_aa_lcr is a judge task: start conservative, one request per repeat (nemo_skills splits parallelism over its 16 repeats)
"""

from __future__ import annotations

from nelc.derived import TASKS
from nelc.draft import Draft
from nelc.facts import Context
from nelc.knowledge import lookup, recipe_named, risk_of

CONSERVATIVE = 4


def tune_parallelism(draft: Draft, ctx: Context) -> Draft:
    shared = ((((ctx.spec.overrides.get("evaluation") or {}).get("nemo_evaluator_config") or {}).get("config") or {})
              .get("params") or {}) if isinstance(ctx.spec.overrides.get("evaluation"), dict) else {}
    if isinstance(shared, dict) and "parallelism" in shared:
        return draft.decide("parallelism", "the spec's overrides set the evaluation-level parallelism: no task gets 4",
                            ctx.source("overrides", "evaluation", "nemo_evaluator_config", "config", "params", "parallelism"))
    resolved = draft.get(TASKS, ())
    for index, task in enumerate(draft.get("evaluation.tasks", ())):
        registered = lookup(task["name"]).task
        recipe = recipe_named(resolved[index].recipe, ctx.spec.recipes) if index < len(resolved) and resolved[index].recipe else None
        risk = risk_of(task["name"], recipe)
        path = f"evaluation.tasks.{index}.nemo_evaluator_config.config.params"
        if risk != "plain" and draft.get(f"{path}.parallelism") is None and "parallelism" in registered.params:
            repeats = draft.get(f"{path}.extra.num_repeats") if registered.harness == "nemo_skills" else None
            if isinstance(repeats, int) and not isinstance(repeats, bool) and repeats > CONSERVATIVE:
                draft = draft.set(f"{path}.parallelism", repeats, f"{task['name']} is a {risk} task: start conservative, one "
                                  f"request per repeat (nemo_skills splits parallelism over its {repeats} repeats)")
            else:
                draft = draft.set(f"{path}.parallelism", CONSERVATIVE,
                                  f"{task['name']} is a {risk} task: start conservative, raise after a clean canary")
    return draft
