"""R197 check-parallelism: nemo_skills repeats that starve the final parallelism.

Why: nemo_skills runs max(1, int(parallelism / num_repeats)) requests at a time per repeat, so 32
repeats at parallelism 16 crawl at one request per repeat. The check reads the final values, after
the spec's benchmark settings and overrides (R190): raising a task's parallelism silences it.

Example:
>>> from nelc.engine import demo
>>> spec = "model: org/m\\nmodel_type: chat_reasoning\\nrecipes: modelopt-2026.05\\nbenchmarks: [gpqa]\\n"
>>> print(demo("R197", spec))
warning[R197]: ns_gpqa: parallelism 16 over 32 repeats gives nemo_skills 0.50 concurrent requests per repeat (rounded up to 1)
>>> print(demo("R197", spec.replace("[gpqa]", "[{name: gpqa, params: {parallelism: 64}}]")))
<BLANKLINE>
"""

from __future__ import annotations

from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context
from nelc.knowledge import lookup


def check_parallelism(draft: Draft, ctx: Context) -> Draft:
    shared = draft.get("evaluation.nemo_evaluator_config.config.params.parallelism")
    for index, task in enumerate(draft.get("evaluation.tasks", ())):
        registered = lookup(str(task.get("name", ""))).task
        if registered is None or registered.harness != "nemo_skills":
            continue
        params = draft.get(f"evaluation.tasks.{index}.nemo_evaluator_config.config.params") or {}
        repeats = _first((params.get("extra") or {}).get("num_repeats"), 1)
        parallelism = _first(params.get("parallelism"), shared, registered.defaults.get("parallelism"), 1)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (repeats, parallelism)):
            continue  # not numbers: the schema and R195 report them
        if parallelism < 1 or repeats < 1:
            draft = draft.report(Severity.ERROR, f"{task['name']}: parallelism {parallelism} and num_repeats {repeats} must be "
                                 "at least 1", "nemo_skills sends no request at all otherwise", **ctx.at("benchmarks"))
            continue
        if repeats > 1 and parallelism / repeats < 1:
            draft = draft.report(Severity.WARNING,
                                 f"{task['name']}: parallelism {parallelism} over {repeats} repeats gives nemo_skills "
                                 f"{parallelism / repeats:.2f} concurrent requests per repeat (rounded up to 1)",
                                 f"set the task's parallelism to at least {repeats} (benchmarks: [{{name: ..., params: "
                                 f"{{parallelism: {repeats}}}}}]) if the server can take it", **ctx.at("benchmarks"))
    return draft


def _first(*values):
    """The first value that is set (0 counts as set: it is a mistake to report, not a default to skip)."""
    return next(v for v in values if v is not None)
