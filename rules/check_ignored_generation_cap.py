"""L136 check-ignored-generation-cap: a max_new_tokens that the harness never sends.

Why: MT-Bench 26.3 builds its model client without the max_tokens it parses, so every answer is
capped at the client's 1024 tokens whatever max_new_tokens says (recipes/benchmarks.yaml
`generation_cap_fields`; a real canary sent 1024 on all 20 requests with max_new_tokens 36864).
A config that asks for another length gets a warning: answers are cut at 1024, and a reasoning
model's score is not the model's. Runs in `nelc lint` and on every compiled config.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L136", "evaluation:\\n  tasks:\\n    - name: mtbench\\n      nemo_evaluator_config:\\n        config:\\n"
...                 "          params: {max_new_tokens: 16384}\\n"))
6:20 warning[L136]: mtbench: max_new_tokens 16384 is never sent: mtbench caps every answer at 1024 tokens
"""

from __future__ import annotations

from nelc.effective import REGISTRY
from nelc.knowledge import fixed_generation_cap
from nelc.rulebook import Finding, LintContext


def check_ignored_generation_cap(ctx: LintContext) -> list[Finding]:
    out = []
    for task in ctx.effective:
        fixed = fixed_generation_cap(task.harness)
        gen = task.values.get("config.params.max_new_tokens")
        if fixed is None or gen is None or gen.layer == REGISTRY or gen.value in (None, fixed[0]):
            continue
        out.append(Finding(task.where("config.params.max_new_tokens"),
                           f"{task.name}: max_new_tokens {gen.value} is never sent: {task.harness} caps every answer at {fixed[0]} tokens",
                           f"remove it; a model whose answers need more is not measured by {task.harness} 26.3 ({fixed[1]})"))
    return out
