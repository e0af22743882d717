"""L133 check-retry-backoff: a request_timeout that a harness waits before each retry stays short.

Why: simple-evals' default judge backend and MT-Bench (its model client and its judge) pass
request_timeout to tenacity's `wait_exponential(min=timeout, max=timeout * 10)`: it is the shortest
wait before a retry, not a limit on the call, which runs under the OpenAI client's own 600 s
(recipes/benchmarks.yaml `request_timeouts`, from the 26.3 wheels). simple-evals' registry default
of 600 s makes every retried judgement wait 10 to 100 minutes, and the ModelOpt skill's 3600 s for
long tasks would make it one to ten hours. The check reads each task's effective model and judge
request_timeout (nelc.effective) where the harness takes it as a backoff, and flags one above
60 s. nelc compile sets a wired judge's backoff to the harness's own class default (R166).
Runs in `nelc lint` and on every compiled config.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L133", "evaluation:\\n  tasks:\\n    - name: simple_evals.AIME_2025\\n"))
3:7 warning[L133]: simple_evals.AIME_2025: judge request_timeout 600 s (NEL 0.2.6 registry default of simple_evals.AIME_2025) is simple_evals's shortest wait before retrying a failed call, not a limit on the call: each retry waits 600-6000 s, up to 16 tries
"""

from __future__ import annotations

from nelc.knowledge import LONG_BACKOFF, needs_role, timeout_meaning
from nelc.rulebook import Finding, LintContext

ROLES = {  # role -> (its request_timeout, its max_retries) under the task's config
    "model": ("config.params.request_timeout", "config.params.max_retries"),
    "judge": ("config.params.extra.judge.request_timeout", "config.params.extra.judge.max_retries"),
}


def check_retry_backoff(ctx: LintContext) -> list[Finding]:
    out = []
    for task in ctx.effective:
        if task.task is None:
            continue
        for role, (key, retries_key) in ROLES.items():
            if role == "judge" and not needs_role(task.qualified, "judge"):
                continue  # a harness's unused judge defaults never wait
            meaning = timeout_meaning(task.harness, role, task.get("config.params.extra.judge.backend") if role == "judge" else None)
            found = task.values.get(key)
            value = found.value if found is not None else None
            if not meaning.is_backoff or not isinstance(value, (int, float)) or isinstance(value, bool) or value <= LONG_BACKOFF:
                continue
            retries = task.get(retries_key)
            tries = f", up to {retries} tries" if isinstance(retries, int) and not isinstance(retries, bool) else ""
            fix = f"set it to {meaning.class_default} (the harness client's own default)" if meaning.class_default else \
                f"set it to at most {LONG_BACKOFF}"
            out.append(Finding(task.where(key),
                               f"{task.name}: {role} request_timeout {value:g} s ({found.describe(task.task)}) is {task.harness}'s "
                               f"shortest wait before retrying a failed call, not a limit on the call: each retry waits "
                               f"{value:g}-{value * 10:g} s{tries}",
                               f"{fix}; the call itself is bounded by the OpenAI client's 600 s ({meaning.source.split(' (')[0]})"))
    return out
