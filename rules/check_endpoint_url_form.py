"""L121 check-endpoint-url-form: each judge and user-simulator URL in the form its harness expects.

Why: harnesses disagree, as their 26.3 wheels show (recipes/benchmarks.yaml `endpoint_url_forms`,
each with its file and line). nemo-skills, MT-Bench and simple-evals (judge backend openai, the
default) take a /v1 base and append the route; simple-evals' generic backend posts to the URL as
given (full); tau2-bench removes a /chat/completions suffix itself, so either form works; AA-LCR
does too, with `rstrip("/chat/completions")`, which strips a set of characters:
`https://gw.example.com/openai/chat/completions` becomes `https://gw.example.`, an error here. A
URL in the wrong form passes the dry run, and the judge answers 404 inside the container. The
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
from nelc.knowledge import url_form, url_strips
from nelc.rulebook import Applicability, Finding, Fix, LintContext
from nelc.urlform import form_of, has_credentials, in_form, rstripped

SHAPES = {"base": "a /v1 base", "full": "the full /v1/chat/completions form", "either": "a /v1 base or the full form",
          None: "in no form nelc can tell"}


def check_endpoint_url_form(ctx: LintContext) -> list[Finding]:
    out = []
    for task in ctx.effective:
        for role, label in (("judge", "judge"), ("user", "user-simulator")):
            known = url_form(task.harness, task.get("config.params.extra.judge.backend") if role == "judge" else None)
            if known is None:
                continue
            form, source = known
            value = task.values.get(f"config.params.extra.{role}.url")
            if value is None or not isinstance(value.value, str) or value.layer not in (TASK, "evaluation") or _unused(task, role):
                continue
            if "${" in value.value or has_credentials(value.value):
                continue  # resolved at run time; a URL with credentials is L119's (never echoed)
            strips = url_strips(task.harness)
            mangled = rstripped(value.value, strips) if strips else None
            if mangled is not None:
                out.append(Finding(value.path, f"{task.name}: {task.harness} strips the characters of {strips!r} from the end of "
                                   f"the {label} URL (str.rstrip takes a set of characters), so it calls {mangled} ({source})",
                                   "use a URL whose path before /chat/completions ends in /v1 (https://HOST/v1/chat/completions)"))
                continue
            found = form_of(value.value)
            if found == form or (form == "either" and found is not None):
                continue
            fixed = in_form(value.value, form) if form != "either" else None
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
