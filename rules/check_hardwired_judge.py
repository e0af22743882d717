"""L131 check-hardwired-judge: a harness that wires its own judge gets the env vars that judge needs.

Why: some harnesses ignore any judge the config names. HLE's own harness (`hle.hle`,
`hle.hle_aa_v2`) judges with an Azure OpenAI client authenticated by OAuth and raises unless
OPENAI_TOKEN_URL, OPENAI_CLIENT_ID, OPENAI_CLIENT_SECRET and OPENAI_SCOPE are set in its container
(recipes/benchmarks.yaml `hardwired_judges`, with the wheel's lines): after every answer has been
generated. nemo-skills' ns_hle_aa takes the spec's judge instead. Runs in `nelc lint` and on every
compiled config.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L131", "evaluation:\\n  tasks:\\n    - name: hle.hle\\n"))
3:7 error[L131]: hle.hle: hle judges with an Azure OpenAI judge reached with an OAuth client, and its container gets no OPENAI_TOKEN_URL, OPENAI_CLIENT_ID, OPENAI_CLIENT_SECRET, OPENAI_SCOPE
"""

from __future__ import annotations

from nelc.knowledge import hardwired_judge
from nelc.nelconfig import declared_env, task_env_blocks
from nelc.rulebook import Finding, LintContext


def check_hardwired_judge(ctx: LintContext) -> list[Finding]:
    out = []
    for task in ctx.effective:
        judge = hardwired_judge(task.harness)
        if judge is None:
            continue
        declared = declared_env(ctx.config, task_env_blocks(task.index))
        missing = [name for name in judge["env"] if name not in declared]
        if missing:
            out.append(Finding(("evaluation", "tasks", task.index),
                               f"{task.name}: {task.harness} judges with {judge['what']}, and its container gets no {', '.join(missing)}",
                               f"declare them in the task's env_vars (NAME: host:NAME), or run {judge['instead']} ({judge['source']})"))
    return out
