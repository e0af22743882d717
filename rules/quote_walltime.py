"""L109 quote-walltime: SLURM time values are quoted `"HH:MM:SS"` or `"D-HH:MM:SS"` strings.

Why: NEL reads YAML 1.1, where an unquoted `12:00:00` is the base-60 integer 43200; `#SBATCH
--time 43200` is then read by SLURM as 43200 *minutes*. Only values starting with 0 happen to
survive.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L109", "execution:\\n  walltime: 12:00:00\\n"))
2:13 error[L109]: execution.walltime is unquoted: YAML 1.1 reads 12:00:00 as the number 43200 (SLURM minutes) [fix: safe: quote it]
"""

from __future__ import annotations

import re

from nelc.rulebook import Applicability, Finding, Fix, LintContext
from nelc.nelconfig import dig

_TIME = re.compile(r"^(\d+-)?\d+:\d{2}:\d{2}$")


def check(value_text: str) -> int:
    parts = [int(p) for p in value_text.split("-")[-1].split(":")]
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


def quote_walltime(ctx: LintContext) -> list[Finding]:
    out = []
    for key in ("walltime", "max_walltime"):
        path = ("execution", key)
        value = dig(ctx.config, path)
        if value is None:
            continue
        if isinstance(value, str) and _TIME.match(value):
            if not ctx.loaded.value_is_quoted(path):
                out.append(Finding(path, f"execution.{key} is unquoted: YAML 1.1 reads {value} as the number {check(value)} (SLURM minutes)",
                                   f'write {key}: "{value}"', Fix(Applicability.SAFE, "quote it", (("quote", path),)), at_value=True))
        else:
            out.append(Finding(path, f"execution.{key} must be a quoted \"HH:MM:SS\" or \"D-HH:MM:SS\"",
                               f'write {key}: "04:00:00"', at_value=True))
    return out
