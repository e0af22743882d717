"""L101 check-adapter-placement: `adapter_config` only where NEL passes it to the container.

Why: NEL copies only `evaluation.nemo_evaluator_config.target.api_endpoint.adapter_config` (and
the per-task equivalent) into config_ef.yaml. At top-level `target.api_endpoint` it is silently
dropped; under `...config.target...` (the path in the ModelOpt skill's text) or
`...config.params.target...` the container fails, hours after the dry run passed.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L101", "target:\\n  api_endpoint:\\n    adapter_config: {use_caching: false}\\n"))
3:5 error[L101]: adapter_config at target.api_endpoint is silently dropped by NEL [fix: safe: move it to evaluation.nemo_evaluator_config.target.api_endpoint.adapter_config]
"""

from __future__ import annotations

from nelc.rulebook import Applicability, Finding, Fix, LintContext
from nelc.nelconfig import dig, tasks_of

HOME = ("evaluation", "nemo_evaluator_config", "target", "api_endpoint", "adapter_config")
WRONG = {
    ("target", "api_endpoint", "adapter_config"): "is silently dropped by NEL",
    ("evaluation", "nemo_evaluator_config", "config", "target", "api_endpoint", "adapter_config"):
        "fails in the container ('config' has no 'target')",
    ("evaluation", "nemo_evaluator_config", "config", "params", "target", "api_endpoint", "adapter_config"):
        "fails in the container (Invalid parameter 'target')",
}


def check_adapter_placement(ctx: LintContext) -> list[Finding]:
    places = [(wrong, HOME, effect) for wrong, effect in WRONG.items()]
    for index, _ in tasks_of(ctx.config):  # the same mistakes inside a task
        task = ("evaluation", "tasks", index)
        places += [(task + wrong[1:], task + HOME[1:], effect) for wrong, effect in WRONG.items() if wrong[0] == "evaluation"]
    out = []
    for path, home, effect in places:
        value = dig(ctx.config, path)
        if value is None:
            continue
        fix = None if dig(ctx.config, home) is not None else Fix(
            Applicability.SAFE, f"move it to {'.'.join(map(str, home))}", (("set", home, value), ("delete", path)))
        out.append(Finding(path, f"adapter_config at {'.'.join(map(str, path[:-1]))} {effect}",
                           f"put it at {'.'.join(map(str, home))}", fix))
    return out
