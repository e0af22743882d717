"""L135 check-judge-model-name: a judge whose name the harness's own code depends on is named so.

Why: MT-Bench 26.3 writes its summary as `result.json` only for a judge named `gpt-4`; for any
other name it writes `<judge>-result.json`, and its output parser reads only `result.json`: after
every turn is judged the job fails with "FileNotFoundError: Failed to find `result.json`" and
scores nothing (recipes/benchmarks.yaml `judge_model_names`, from the 26.3 wheel; a real run).
The dry run cannot see it. Serve the judge under that name (vLLM: --served-model-name gpt-4) and
name it so. Runs in `nelc lint` and on every compiled config.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L135", "evaluation:\\n  tasks:\\n    - name: mtbench\\n      nemo_evaluator_config:\\n        config:\\n"
...                 "          params: {extra: {judge: {model_id: my-judge}}}\\n"))
6:36 error[L135]: mtbench: mtbench's judge is named my-judge, and only a judge named gpt-4 gets the result file the harness reads
"""

from __future__ import annotations

from nelc.knowledge import judge_model_name
from nelc.rulebook import Finding, LintContext


def check_judge_model_name(ctx: LintContext) -> list[Finding]:
    out = []
    for task in ctx.effective:
        required = judge_model_name(task.harness)
        model_id = task.get("config.params.extra.judge.model_id")
        if required is None or model_id is None or model_id == required["model_id"]:
            continue
        out.append(Finding(task.where("config.params.extra.judge.model_id"),
                           f"{task.name}: {task.harness}'s judge is named {model_id}, and only a judge named "
                           f"{required['model_id']} gets the result file the harness reads",
                           f"serve the judge as {required['model_id']} (vLLM: --served-model-name {required['model_id']}) and set "
                           f"its model_id to {required['model_id']}: {required['why']} ({required['source']})"))
    return out
