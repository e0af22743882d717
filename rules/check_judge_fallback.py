"""L130 check-judge-fallback: every judge-scored task names its judge model.

Why: a task scored by a judge that the config gives no judge model_id runs with whatever its
harness falls back to. simple-evals' AIME and MATH tasks then use a hard-coded hosted judge
(llama70b or gpt4) keyed by JUDGE_API_KEY (nvidia-simple-evals==26.3 simple_evals/__main__.py:331-357):
the run needs a key nobody set, and answers 401 on every judgement hours in (the ModelOpt skill's
upstream ed8a9ab). nelc compile wires the spec's `judge` into these tasks (R166) or refuses them.
Runs in `nelc lint` and on every compiled config.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L130", "evaluation:\\n  tasks:\\n    - name: simple_evals.AIME_2025\\n"))
3:7 error[L130]: simple_evals.AIME_2025 is scored by a judge, and the config names no judge model: the harness falls back to its own hosted default
"""

from __future__ import annotations

from nelc.knowledge import needs_role
from nelc.rulebook import Finding, LintContext


def check_judge_fallback(ctx: LintContext) -> list[Finding]:
    out = []
    for task in ctx.effective:
        if task.task is None or not needs_role(task.qualified, "judge"):
            continue
        model = task.get("config.params.extra.judge.model_id")
        if model in (None, "", "???"):
            out.append(Finding(("evaluation", "tasks", task.index),
                               f"{task.name} is scored by a judge, and the config names no judge model: the harness falls back to "
                               "its own hosted default",
                               "set extra.judge.url, model_id and api_key (nelc compile: `judge:` in the spec)"))
    return out
