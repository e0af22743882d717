"""R160 fill-evaluation: the base template's evaluation-level params, and HF_TOKEN where a task needs it.

Why: the ModelOpt evaluation skill's example_eval.yaml sets `request_timeout: 3600`,
`max_retries: 10` and `parallelism: 16` for every task (both recipe sets); without them a task runs
on its registry defaults, e.g. AA-LCR's 600 s timeout, which long generations and judge calls
outrun. Each goes to the tasks whose command reads it (at evaluation level when all do), so a
recipe's or the spec's task-level value still wins (nelc.placement). A harness that takes
request_timeout as its minimum retry backoff, not a per-request limit (MT-Bench:
recipes/benchmarks.yaml `request_timeouts`), keeps its own: 3600 there would make every retry wait
one to ten hours.
`HF_TOKEN: host:HF_TOKEN` is declared only when a task needs it: its dataset is gated on the Hub
(recipes/benchmarks.yaml `gated_datasets`, with sources) or it loads a tokenizer from the Hub in the
evaluation container (NEL 0.2.6's base template: "Required to access gated tokenizers"). `host:`
means the value is read from your shell at `nel run` time, never written here.

Example:
>>> from nelc.engine import demo
>>> print(demo("R160", "model: org/m\\nbenchmarks: [ns_gpqa]\\n"))
evaluation.nemo_evaluator_config.config.params.parallelism: 16  # R160: base template (example_eval.yaml) of the ModelOpt evaluation skill at NVIDIA/Model-Optimizer a2fbac7 (2026-08)
evaluation.env_vars.HF_TOKEN: host:HF_TOKEN  # R160: ns_gpqa reads a gated Hub dataset (Idavidrein/gpqa)
"""

from __future__ import annotations

from nelc.draft import Draft
from nelc.facts import Context
from nelc.knowledge import gated_dataset, lookup, recipe_set, timeout_meaning
from nelc.placement import place_param

def fill_evaluation(draft: Draft, ctx: Context) -> Draft:
    chosen = recipe_set(ctx.spec.recipes)
    for key, value in chosen.evaluation_params.items():
        draft = place_param(draft, key, value, f"base template (example_eval.yaml) of the {chosen.skill}", chosen.source,
                            takes=_per_request_timeout if key == "request_timeout" else lambda task: True)
    return _hf_token(draft)


def _per_request_timeout(task) -> bool:
    """The base template's request_timeout is a per-request limit; a harness that reads it as a retry backoff keeps its own."""
    return not timeout_meaning(task.harness, "model").is_backoff


def _hf_token(draft: Draft) -> Draft:
    reasons = []
    for index, task in enumerate(draft.get("evaluation.tasks", ())):
        registered = lookup(task["name"]).task
        gated = gated_dataset(registered.qualified) if registered else None
        tokenizer = draft.get(f"evaluation.tasks.{index}.nemo_evaluator_config.config.params.extra.tokenizer")
        if gated:
            reasons.append(f"{task['name']} reads a gated Hub dataset ({gated})")
        elif isinstance(tokenizer, str) and not tokenizer.startswith("/"):
            reasons.append(f"{task['name']} loads its tokenizer {tokenizer} from the Hub (gated models need a token)")
    if not reasons:
        return draft.decide("evaluation.env_vars.HF_TOKEN", "no task reads a gated dataset or a Hub tokenizer")
    return draft.set("evaluation.env_vars.HF_TOKEN", "host:HF_TOKEN", "; ".join(dict.fromkeys(reasons)))
