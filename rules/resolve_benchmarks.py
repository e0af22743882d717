"""R165 resolve-benchmarks: `benchmarks` -> the `evaluation.tasks` list, in spec order.

Why: a task list with duplicates breaks NEL's name-based `-o evaluation.tasks.<name>...` and `-t`
shortcuts; collapsing them keeps every task addressable by name.

Example:
>>> from nelc.engine import demo
>>> print(demo("R165", "model: org/m\\nbenchmarks: [ns_gpqa, ns_ifbench, ns_gpqa]\\n"))
evaluation.tasks: [{name: ns_gpqa}, {name: ns_ifbench}]  # R165: benchmarks in spec order, duplicates collapsed
"""

from __future__ import annotations

from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context


def resolve_benchmarks(draft: Draft, ctx: Context) -> Draft:
    seen: list[str] = []
    for index, name in enumerate(ctx.spec.benchmarks):
        if name in seen:
            draft = draft.report("R165", Severity.NOTE, f"benchmark '{name}' is listed twice; it runs once",
                                 "remove the repeated entry", **ctx.at("benchmarks", index))
            continue
        seen.append(name)
    for block in ("judge", "user_simulator"):
        if getattr(ctx.spec, block) is not None:
            draft = draft.report("R165", Severity.WARNING, f"{block} is not wired into any task yet; it is not emitted",
                                 f"configure the task's extra.{'judge' if block == 'judge' else 'user'} through overrides for now",
                                 **ctx.at(block))
    return draft.set("evaluation.tasks", [{"name": name} for name in seen],
                     "benchmarks in spec order, duplicates collapsed", ctx.source("benchmarks"))
