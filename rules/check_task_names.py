"""L107 check-task-names: every task name resolves in NEL 0.2.6's registry, unambiguously.

Why: NEL resolves names after loading its registry (seconds into a dry run) and stops at the
first bad one. Short names must be unique (`mmlu` is in two harnesses); `harness.task` must use
the registry's exact harness spelling (`simple_evals`, not `simple-evals`). A task with its own
`container:` is resolved from that image instead, needing the network and possibly
`NEMO_EVALUATOR_TRUST_UNLISTED_TASKS=1`.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L107", "evaluation:\\n  tasks:\\n    - name: mmlu\\n    - name: ns_gpqa\\n"))
3:13 error[L107]: there are several tasks named 'mmlu'
"""

from __future__ import annotations

from nelc.rulebook import Applicability, Finding, Fix, LintContext
from nelc.nelconfig import tasks_of
from nelc.knowledge import lookup


def check_task_names(ctx: LintContext) -> list[Finding]:
    out = []
    seen: dict[str, int] = {}
    for index, task in tasks_of(ctx.config):
        path = ("evaluation", "tasks", index, "name")
        name = task.get("name")
        if not isinstance(name, str) or not name:
            out.append(Finding(("evaluation", "tasks", index), "a task has no name (NEL: Key 'name' is not in struct)", "add name:"))
            continue
        if name in seen:
            out.append(Finding(path, f"task {name} is listed twice; NEL's name-based -o and -t shortcuts cannot pick one",
                               "remove one, or override by index", severity=None, at_value=True))
        seen[name] = index
        if task.get("container"):
            continue
        found = lookup(name)
        if found.task is None:
            single = found.hint.startswith("did you mean '") and found.hint.count("'") == 2
            fix = Fix(Applicability.UNSAFE, f"rename to {found.hint.split(chr(39))[1]}", (("set", path, found.hint.split("'")[1]),)) if single else None
            out.append(Finding(path, found.problem, found.hint, fix, at_value=True))
    return out
