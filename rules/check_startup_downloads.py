"""L134 check-startup-downloads: a task whose harness downloads data when it starts needs the internet there.

Why: RULER's command begins with `nltk.download('punkt_tab'); nltk.download('punkt')` inside the
evaluation container (recipes/benchmarks.yaml `startup_downloads`, from the 26.3 wheel). On a
cluster whose compute nodes have no internet the download fails, the essay subtasks raise
"Resource 'punkt_tab' not found" and the job exits 1, hours after submission; the dry run cannot
see it. This is a note once per task: where the nodes reach the internet, or the image carries the
data, nothing is wrong. Runs in `nelc lint` and on every compiled config.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L134", "evaluation:\\n  tasks:\\n    - name: ruler-4k-completions\\n"))
3:7 note[L134]: ruler-4k-completions: its harness downloads NLTK's punkt and punkt_tab sentence tokenizers from the internet when it starts, inside the evaluation container
"""

from __future__ import annotations

from nelc.knowledge import startup_download
from nelc.rulebook import Finding, LintContext


def check_startup_downloads(ctx: LintContext) -> list[Finding]:
    out = []
    for task in ctx.effective:
        needed = startup_download(task.harness)
        if needed is None:
            continue
        out.append(Finding(("evaluation", "tasks", task.index),
                           f"{task.name}: its harness downloads {needed['what']} from the internet when it starts, inside the "
                           "evaluation container",
                           f"run where the compute nodes reach the internet, or the task fails: {needed['fails']} "
                           f"({needed['source'].split(' (')[0]})"))
    return out
