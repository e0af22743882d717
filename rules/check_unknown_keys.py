"""L120 check-unknown-keys: keys NEL or the evaluation container does not know, where they are strict.

Why: a key NEL's task schema or nemo-evaluator's config models do not know fails the dry run or,
worse, the container hours later. The common mistake is a task-level `config:` or `target:`
instead of `nemo_evaluator_config:` (NEL's own published Nemotron-3-Super example configs carry it
and fail NEL's dry run). Checked against schemas/nel.schema.json (what nelc's compile output is
also validated against) for the `evaluation` section, with a did-you-mean, and a safe fix that
moves a task-level `config`/`target` under `nemo_evaluator_config`.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L120", "evaluation:\\n  tasks:\\n    - name: ns_gpqa\\n      config: {params: {parallelism: 8}}\\n"))
4:7 error[L120]: evaluation.tasks[0].config is not a key NEL knows here [fix: safe: move it to evaluation.tasks.0.nemo_evaluator_config.config]
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from nelc.knowledge import schema
from nelc.nelconfig import REJECTED_KEYS, dig
from nelc.diagnostics import Severity
from nelc.rulebook import Applicability, Finding, Fix, LintContext

_UNEXPECTED = re.compile(r"'([^']+)'")
MOVABLE = ("config", "target")  # what belongs under a task's nemo_evaluator_config
# evaluation: NEL's task schema and the container's models refuse unknown keys (an error); in
# execution and deployment a key none of NEL 0.2.6's packaged configs defines is ignored (a warning).
CHECKED = ("evaluation", "execution", "deployment")


def check_unknown_keys(ctx: LintContext) -> list[Finding]:
    # 67 ms to import (python -X importtime), paid once per lint process, as the compile validation does
    from jsonschema import Draft202012Validator

    config: Any = ctx.config
    if not isinstance(config, dict):
        return []
    sections = {key: value for key, value in config.items() if key in CHECKED}  # top-level spelling is L117's
    out = []
    for error in Draft202012Validator(schema("nel")).iter_errors(sections):
        if error.validator != "additionalProperties" or not error.absolute_path:
            continue
        parent = tuple(error.absolute_path)
        known = sorted((error.schema.get("properties") or {}) if isinstance(error.schema, dict) else {})
        instance = error.instance if isinstance(error.instance, dict) else {}
        for key in (k for k in instance if k not in known):
            inside_l101 = "nemo_evaluator_config" in parent or parent == ("target",)
            if (inside_l101 and _holds_key(instance[key], "adapter_config")) or (*parent, key) in REJECTED_KEYS:
                continue  # a misplaced adapter_config there is L101's, a key NEL refuses is L117's
            out.append(_finding(config, parent, key, known))
    return out


def _holds_key(tree: Any, name: str, depth: int = 0) -> bool:
    """Whether a mapping key `name` appears anywhere in `tree` (keys only, never text)."""
    if depth > 32:
        return False
    if isinstance(tree, dict):
        return name in tree or any(_holds_key(v, name, depth + 1) for v in tree.values())
    if isinstance(tree, list):
        return any(_holds_key(v, name, depth + 1) for v in tree)
    return False


def _finding(config: dict, parent: tuple, key: str, known: list[str]) -> Finding:
    path = (*parent, key)
    shown = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in path).replace(".[", "[")
    is_task = len(parent) == 3 and parent[:2] == ("evaluation", "tasks")
    home_section = dig(config, (*parent, "nemo_evaluator_config"))
    movable = "nemo_evaluator_config" not in (dig(config, parent) or {}) or isinstance(home_section, dict)
    if is_task and key in MOVABLE and movable and dig(config, (*parent, "nemo_evaluator_config", key)) is None:
        home = (*parent, "nemo_evaluator_config", key)
        fix = Fix(Applicability.SAFE, f"move it to {'.'.join(map(str, home))}", (("set", home, dig(config, path)), ("delete", path)))
        return Finding(path, f"{shown} is not a key NEL knows here", "task settings go under nemo_evaluator_config", fix)
    close = difflib.get_close_matches(key, known, n=1)
    fix = Fix(Applicability.UNSAFE, f"rename to {close[0]}", (("rename", path, close[0]),)) if close else None
    ignored = parent[0] != "evaluation"
    return Finding(path, f"{shown} is not a key NEL knows here" + (" (NEL ignores it)" if ignored else ""),
                   f"did you mean '{close[0]}'?" if close else f"known keys here: {', '.join(known)}", fix,
                   Severity.WARNING if ignored else None)

