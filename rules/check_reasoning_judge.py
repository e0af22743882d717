"""L132 check-reasoning-judge: an OpenAI reasoning model judging a nemo-skills task keeps the sampling it must.

Why: nemo-skills' OpenAI client treats `*gpt-5*` and `o<digit>*` models as reasoning models and
raises unless temperature is 0.0 and top_p 0.95 (recipes/benchmarks.yaml `reasoning_judges`): a
judge sampling override that suits other judges ends the task when judging starts, after every
answer was generated. Unset values keep nemo-skills' defaults, which pass. Runs in `nelc lint` and
on every compiled config.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L132", "evaluation:\\n  tasks:\\n    - name: ns_hle_aa\\n      nemo_evaluator_config: {config: {params: {extra: "
...                 "{judge: {model_id: openai/gpt-5, temperature: 0.6}}}}}\\n"))
4:102 error[L132]: ns_hle_aa: judge openai/gpt-5 is an OpenAI reasoning model, which nemo_skills calls only with temperature 0.0 (this config: 0.6)
"""

from __future__ import annotations

import fnmatch

from nelc.knowledge import reasoning_judge
from nelc.rulebook import Finding, LintContext


def check_reasoning_judge(ctx: LintContext) -> list[Finding]:
    out = []
    for task in ctx.effective:
        rules = reasoning_judge(task.harness)
        model = task.get("config.params.extra.judge.model_id")
        if rules is None or not isinstance(model, str):
            continue
        name = model.rsplit("/", 1)[-1]  # a provider prefix (us/azure/openai/) is not the model's name
        if not any(fnmatch.fnmatch(name, pattern) for pattern in rules["models"]):
            continue
        for key in ("temperature", "top_p"):
            value = task.get(f"config.params.extra.judge.{key}")
            if value is not None and value != rules[key]:
                out.append(Finding(task.where(f"config.params.extra.judge.{key}"),
                                   f"{task.name}: judge {model} is an OpenAI reasoning model, which {task.harness} calls only with "
                                   f"{key} {rules[key]} (this config: {value})",
                                   f"set extra.judge.{key}: {rules[key]} or leave it unset ({rules['source']})", at_value=True))
    return out
