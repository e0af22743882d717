"""L123 check-request-timeout: long and judge-scored tasks wait long enough for each answer.

Why: a reasoning model's long generation, a long-context prefill or a judge call behind it takes
minutes under load; a request that outlives `request_timeout` is retried and, after max_retries,
fails the sample. The ModelOpt evaluation skill's base template sets `request_timeout: 3600` for
every task (example_eval.yaml, both recipe sets); registry defaults are often far lower (AA-LCR 600 s,
lm-eval 30 s). The check reads each task's effective request_timeout (nelc.effective), for tasks
whose command reads it, when the task is judge- or simulator-scored or generates 16384 tokens or
more. A harness that takes request_timeout as its minimum retry backoff (MT-Bench;
recipes/benchmarks.yaml `request_timeouts`) is left to L133: there a longer value only waits longer.
Runs in `nelc lint` and on every compiled config.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L123", "evaluation:\\n  tasks:\\n    - name: aa_lcr\\n"))
3:7 warning[L123]: aa_lcr: request_timeout 600 s (NEL 0.2.6 registry default of AA-LCR.aa_lcr) is below the 3600 s the ModelOpt evaluation skill's base template sets for judge-scored and long tasks
"""

from __future__ import annotations


from nelc.knowledge import recipe_for_task, recipe_set, risk_of, timeout_meaning
from nelc.rulebook import Finding, LintContext

LONG_GENERATION = 16384  # tokens: at tens of tokens a second per request under load, minutes per answer


def check_request_timeout(ctx: LintContext) -> list[Finding]:
    wanted = recipe_set().evaluation_params.get("request_timeout")
    out = []
    for task in ctx.effective:
        if task.task is None or "request_timeout" not in task.task.params or timeout_meaning(task.harness, "model").is_backoff:
            continue
        timeout = task.values.get("config.params.request_timeout")
        if timeout is None or not isinstance(timeout.value, (int, float)) or timeout.value >= wanted:
            continue
        gen = task.get("config.params.max_new_tokens")
        risk = risk_of(task.name, recipe_for_task(task.qualified))
        long = isinstance(gen, int) and gen >= LONG_GENERATION
        if risk in ("judge", "simulator") or long:
            out.append(Finding(task.where("config.params.request_timeout"),
                               f"{task.name}: request_timeout {timeout.value:g} s ({timeout.describe(task.task)}) is below the "
                               f"{wanted} s the ModelOpt evaluation skill's base template sets for judge-scored and long tasks",
                               f"set request_timeout: {wanted} (evaluation.nemo_evaluator_config.config.params)"))
    return out
