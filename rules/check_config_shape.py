"""L117 check-config-shape: the sections and keys NEL reads, spelled as it reads them.

Why: NEL silently ignores an unknown top-level section (`evalution:` just disappears), rejects
`execution.env_vars`, `deployment.multiple_instances` and the old `evaluation.overrides`, and
composes the file only through its `defaults` list (one execution option, one deployment option,
then `_self_`).

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L117", "defaults: [{execution: local}, {deployment: vllm}, _self_]\\nevalution:\\n  tasks: []\\n"))
2:1 warning[L117]: top-level section 'evalution' is silently ignored by NEL [fix: unsafe: rename to evaluation]
"""

from __future__ import annotations

import difflib

from nelc.diagnostics import Severity
from nelc.nelconfig import REJECTED_KEYS as FORBIDDEN
from nelc.rulebook import Applicability, Finding, Fix, LintContext

SECTIONS = ("defaults", "execution", "deployment", "target", "evaluation", "env_vars", "auxiliary_deployments", "export", "user_config_path")
EXECUTIONS = ("local", "slurm/default", "lepton/default")
DEPLOYMENTS = ("none", "vllm", "vllm_ray", "sglang", "nim", "trtllm", "generic")

def check_config_shape(ctx: LintContext) -> list[Finding]:
    config, out = ctx.config, []
    for key in config:
        if key not in SECTIONS:
            close = difflib.get_close_matches(key, SECTIONS, n=1)
            fix = Fix(Applicability.UNSAFE, f"rename to {close[0]}", (("rename", (key,), close[0]),)) if close and close[0] not in config else None
            out.append(Finding((key,), f"top-level section '{key}' is silently ignored by NEL",
                               f"did you mean '{close[0]}'?" if close else "remove it", fix, Severity.WARNING))
    for (section, key), hint in FORBIDDEN.items():
        if isinstance(config.get(section), dict) and key in config[section]:
            out.append(Finding((section, key), f"{section}.{key} is rejected by NEL 0.2.6", hint))
    out += _defaults(config)
    return out


def _defaults(config: dict) -> list[Finding]:
    defaults = config.get("defaults")
    if defaults is None:
        return [Finding((), "no defaults list: NEL composes nothing from its packaged groups",
                        "add defaults: [{execution: local}, {deployment: vllm}, _self_]")]
    if not isinstance(defaults, list):
        return [Finding(("defaults",), "defaults must be a list", "write defaults: [{execution: ...}, {deployment: ...}, _self_]")]
    out = []
    groups = {k: v for item in defaults if isinstance(item, dict) for k, v in item.items()}
    for group, options in (("execution", EXECUTIONS), ("deployment", DEPLOYMENTS)):
        if group not in groups:
            out.append(Finding(("defaults",), f"defaults has no {group} option", f"add {{{group}: {options[0] if group == 'execution' else 'vllm'}}}"))
        elif groups[group] not in options:
            close = difflib.get_close_matches(str(groups[group]), options, n=1)
            out.append(Finding(("defaults",), f"'{groups[group]}' is not a NEL {group} option (Hydra: Could not find '{group}/{groups[group]}')",
                               f"did you mean '{close[0]}'?" if close else f"use one of {', '.join(options)}"))
    if "_self_" in defaults and defaults[-1] != "_self_":
        items = [d for d in defaults if d != "_self_"] + ["_self_"]
        out.append(Finding(("defaults",), "_self_ is not last: group defaults would override this file's values",
                           "move _self_ to the end", Fix(Applicability.SAFE, "move _self_ last", (("set", ("defaults",), items),))))
    if groups.get("deployment") == "vllm_ray" and groups.get("execution") == "local":
        out.append(Finding(("defaults",), "vllm_ray needs the SLURM executor (it injects PROC_ID and MASTER_IP)", "use execution: slurm/default"))
    return out
