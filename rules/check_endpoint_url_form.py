"""L121 check-endpoint-url-form: each judge and user-simulator URL in the form its harness expects.

Why: harnesses disagree. nemo-skills (and simple-evals) take a /v1 base and append the route; AA-LCR
and tau2-bench take the full /v1/chat/completions URL (NEL 0.2.6's own registry defaults show both;
recipes/benchmarks.yaml `endpoint_url_forms` has the sources). One URL shared by both kinds of task
is wrong for one of them, the dry run passes, and the judge answers 404 inside the container. The
check reads each task's effective URL (nelc.effective); a URL written on the task itself gets a
safe fix to the other form. Runs in `nelc lint` and on every compiled config.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L121", "evaluation:\\n  tasks:\\n    - name: ns_hle_aa\\n      nemo_evaluator_config:\\n        config:\\n          params:\\n            extra:\\n              judge: {url: 'https://j.example/v1/chat/completions'}\\n"))
8:23 error[L121]: ns_hle_aa: the judge URL is the full /v1/chat/completions form; nemo_skills expects a /v1 base (NEL 0.2.6 registry (ns_hle_aa, ns_arena_hard_v2, ns_omniscience judges default to https://inference-api.nvidia.com/v1); ModelOpt evaluation skill db9ea8f) [fix: safe: write https://j.example/v1]
"""

from __future__ import annotations

from nelc.diagnostics import Severity
from nelc.effective import TASK
from nelc.knowledge import url_form
from nelc.rulebook import Applicability, Finding, Fix, LintContext
from nelc.urlform import form_of, has_credentials, in_form

SHAPES = {"base": "a /v1 base", "full": "the full /v1/chat/completions form", None: "in no form nelc can tell"}


def check_endpoint_url_form(ctx: LintContext) -> list[Finding]:
    out = []
    for task in ctx.effective:
        known = url_form(task.harness)
        if known is None:
            continue
        form, source = known
        for role, label in (("judge", "judge"), ("user", "user-simulator")):
            value = task.values.get(f"config.params.extra.{role}.url")
            if value is None or not isinstance(value.value, str) or value.layer not in (TASK, "evaluation") or _unused(task, role):
                continue
            if "${" in value.value or has_credentials(value.value):
                continue  # resolved at run time; a URL with credentials is L119's (never echoed)
            found = form_of(value.value)
            if found == form:
                continue
            fixed = in_form(value.value, form)
            fix = Fix(Applicability.SAFE, f"write {fixed}", (("set", value.path, fixed),)) if fixed and value.layer == TASK else None
            hint = (f"write {fixed}" if fixed else "write https://HOST/v1 (base) or https://HOST/v1/chat/completions (full)")
            out.append(Finding(value.path, f"{task.name}: the {label} URL is {SHAPES[found]}; {task.harness} expects "
                               f"{SHAPES[form]} ({source})", hint, fix,
                               severity=None if found else Severity.WARNING))  # a form nelc cannot tell may still be right
    return out


def _unused(task, role: str) -> bool:
    """A judge the harness does not call: nemo-skills without judge_support, tau2's judge not enabled."""
    if role != "judge":
        return False
    if task.harness == "nemo_skills":
        return task.get("config.params.extra.judge_support") is False
    return task.get("config.params.extra.judge.enabled") is False
