"""R195 check-tasks: parameters the final tasks' commands never read, after the spec's overrides.

Why: NEL's dry run only warns about parameters a task's command never reads, and the container
ignores them: a typo silently changes nothing. nelc replicates NEL's check
(`nelc.taskcheck.unused_params`, from the registry snapshot): a warning, an error under
`--strict`. Parameters a recipe carries for fidelity (e.g. request_timeout on nemo_skills, which
NEL 0.2.6 ignores) are notes.

Example:
>>> from nelc.engine import demo
>>> spec = "model: org/m\\nmodel_type: chat_reasoning\\nbenchmarks: [ns_gpqa]\\noverrides: {evaluation: {nemo_evaluator_config: {config: {params: {request_timeout: 60}}}}}\\n"
>>> print(demo("R195", spec))
warning[R195]: ns_gpqa's command does not use config.params.request_timeout (NEL 0.2.6 ignores it)
"""

from __future__ import annotations

from nelc.derived import TASKS
from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context
from nelc.taskcheck import unused_params


def check_tasks(draft: Draft, ctx: Context) -> Draft:
    resolved = draft.get(TASKS, ())
    for finding in unused_params(draft.plain()):
        dotted = ".".join(finding.key)
        recipe_name = resolved[finding.index].recipe if finding.index < len(resolved) else None
        origin = draft.origin_of(("evaluation", "tasks", finding.index, "nemo_evaluator_config", *finding.key)) if finding.in_task else None
        if recipe_name and origin is not None and origin.rule == "R165":
            draft = draft.report(Severity.NOTE, f"{finding.task}: recipe {recipe_name} sets {dotted}, which NEL 0.2.6's "
                                 "command does not use; kept for fidelity to the recipe", "", **ctx.at("benchmarks"))
        else:
            draft = draft.report(Severity.WARNING, f"{finding.task}'s command does not use {dotted} (NEL 0.2.6 ignores it)",
                                 "remove it, or check its spelling against the task's parameters (`nel ls tasks`)",
                                 **ctx.at("overrides" if ctx.wrote("overrides") else "benchmarks"))
    return draft
