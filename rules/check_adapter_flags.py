"""L102 check-adapter-flags: every adapter_config key is one the container accepts.

Why: nemo-evaluator validates flat flags against its legacy model (extra keys forbidden) and an
explicit `interceptors` chain against its registry and stage order, but only in the container,
hours after NEL's dry run passed. Same check as compile rule R175 (`nelc.adapter`): typos,
deprecated names, `max_saved_*` used for logging, a system prompt that is never sent, legacy
flags beside a chain, unknown interceptors, wrong stage order, no `endpoint`.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L102", "evaluation:\\n  nemo_evaluator_config:\\n    target:\\n      api_endpoint:\\n        adapter_config:\\n          use_request_loging: true\\n"))
6:11 error[L102]: unknown adapter flag 'use_request_loging' (the container rejects it) [fix: unsafe: rename to use_request_logging]
"""

from __future__ import annotations

from nelc.adapter import adapter_problems
from nelc.rulebook import Applicability, Finding, Fix, LintContext
from nelc.nelconfig import dig, tasks_of

HOME = ("nemo_evaluator_config", "target", "api_endpoint", "adapter_config")


def check_adapter_flags(ctx: LintContext) -> list[Finding]:
    homes = [("evaluation",) + HOME] + [("evaluation", "tasks", i) + HOME for i, _ in tasks_of(ctx.config)]
    out = []
    for home in homes:
        settings = dig(ctx.config, home)
        if not isinstance(settings, dict):
            continue
        for problem in adapter_problems(settings):
            path = home + ((problem.key,) if problem.key else ())
            fix = None
            if problem.replacement and problem.key and problem.replacement not in settings:
                # a deprecated alias is a sure rename; a misspelling's closest match is a guess
                safety = Applicability.SAFE if problem.severity.value == "warning" else Applicability.UNSAFE
                fix = Fix(safety, f"rename to {problem.replacement}", (("rename", path, problem.replacement),))
            elif problem.key == "custom_system_prompt":
                fix = Fix(Applicability.SAFE, "add use_system_prompt: true", (("set", home + ("use_system_prompt",), True),))
            out.append(Finding(path, problem.message, problem.hint, fix, problem.severity))
    return out
