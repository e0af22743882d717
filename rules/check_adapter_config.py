"""R198 check-adapter-config: the adapter settings each task really sends to the container.

Why: NEL deep-merges `evaluation.nemo_evaluator_config` into each task's own before writing the
task's config_ef.yaml, and the container validates the merge: an explicit interceptor chain beside
a flat flag (a recipe's `params_to_remove`, nelc's reasoning switch) fails, and so does a
misspelled flag that came in through a benchmark entry or an override. R175 checks the spec's
`interceptors:` alone; this checks every task's merged result, after R190, with the same rules
(`nelc.adapter`, shared with lint L102).

Example:
>>> from nelc.engine import demo
>>> spec = ("model: org/m\\nmodel_type: chat_reasoning\\nbenchmarks: [{name: gpqa, nemo_evaluator_config: "
...         "{target: {api_endpoint: {adapter_config: {use_request_loging: true}}}}}]\\n")
>>> print(demo("R198", spec))
error[R198]: ns_gpqa: unknown adapter flag 'use_request_loging' (the container rejects it)
"""

from __future__ import annotations

import copy

from deepmerge import Merger

from nelc.adapter import adapter_problems
from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context

PATH = ("target", "api_endpoint", "adapter_config")
_MERGE = Merger([(dict, ["merge"]), (list, ["override"])], ["override"], ["override"])  # NEL's OmegaConf merge


def check_adapter_config(draft: Draft, ctx: Context) -> Draft:
    config = draft.plain()
    evaluation = config.get("evaluation") if isinstance(config.get("evaluation"), dict) else {}
    shared = _dig(evaluation.get("nemo_evaluator_config"))
    already = {d.message for d in draft.diagnostics if d.rule == "R175"}  # the spec's interceptors: reported once
    for task in evaluation.get("tasks") or []:
        if not isinstance(task, dict):
            continue
        merged = _MERGE.merge(copy.deepcopy(shared), copy.deepcopy(_dig(task.get("nemo_evaluator_config"))))
        for name, wanted in ctx.spec.interceptors.items():  # the task's own value wins in NEL's merge
            if name != "interceptors" and name in merged and merged[name] != wanted:
                draft = draft.report(Severity.WARNING, f"{task.get('name')}: interceptors.{name} is replaced by the task's own "
                                     f"value {merged[name]!r} (a task-level setting wins in NEL's merge)",
                                     f"set it for this task: benchmarks: [{{name: {task.get('name')}, nemo_evaluator_config: "
                                     f"{{target: {{api_endpoint: {{adapter_config: {{{name}: ...}}}}}}}}}}]", **ctx.at("interceptors", name))
        for problem in adapter_problems(merged) if merged else []:
            if problem.message in already or problem.severity is Severity.NOTE:
                continue
            draft = draft.report(problem.severity, f"{task.get('name')}: {problem.message}", problem.hint,
                                 **ctx.at("interceptors" if ctx.wrote("interceptors") else "benchmarks"))
    return draft


def _dig(section) -> dict:
    node = section
    for key in PATH:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}
