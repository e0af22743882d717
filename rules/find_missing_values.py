"""L104 find-missing-values: no `???` left anywhere.

Why: `???` is OmegaConf's mandatory-value marker; NEL's dry run stops at the first one
(`Missing mandatory value: ...`) and names only that one. nelc lists them all. Values inherited
from NEL's group defaults (served_model_name, checkpoint_path, hostname...) are checked by the
rules that know them.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L104", "deployment:\\n  served_model_name: ???\\n"))
2:3 error[L104]: deployment.served_model_name is still ??? (NEL: Missing mandatory value)
"""

from __future__ import annotations

from nelc.draft import leaves
from nelc.rulebook import Finding, LintContext


def find_missing_values(ctx: LintContext) -> list[Finding]:
    return [Finding(path, f"{'.'.join(map(str, path))} is still ??? (NEL: Missing mandatory value)", "give it a value")
            for path, value in leaves(ctx.config) if value == "???"]
