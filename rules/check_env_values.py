"""L105 check-env-values: every env value is `lit:`, `host:` or `runtime:`, and never `${oc.env:...}`.

Why: NEL rejects an unprefixed value at dry run, and resolves `${oc.env:VAR}` before its own
check, so its error message prints the secret. `host:VAR` reads the variable from your shell at
`nel run` time without writing it anywhere.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L105", "env_vars:\\n  HF_TOKEN: ${oc.env:HF_TOKEN}\\n  MODE: fast\\n"))
2:13 error[L105]: env_vars.HF_TOKEN uses ${oc.env:...}; NEL's own error message would print the secret [fix: safe: write host:HF_TOKEN]
3:9 error[L105]: env_vars.MODE has no lit:/host:/runtime: prefix (NEL refuses it) [fix: unsafe: write lit:fast]
"""

from __future__ import annotations

import re

from nelc.rulebook import Applicability, Finding, Fix, LintContext
from nelc.nelconfig import dig, env_blocks

_GOOD = re.compile(r"^(lit:.*|host:[A-Za-z_][A-Za-z0-9_]*|runtime:[A-Za-z_][A-Za-z0-9_]*)$", re.S)
_OC_ENV = re.compile(r"^\$\{oc\.(?:env|decode):([A-Za-z_][A-Za-z0-9_]*)[^}]*\}$")
_NAME = re.compile(r"^\$?([A-Za-z_][A-Za-z0-9_]*)$")


def check_env_values(ctx: LintContext) -> list[Finding]:
    out = []
    for block in env_blocks(ctx.config):
        env = dig(ctx.config, block)
        present = isinstance(dig(ctx.config, block[:-1]), dict) and block[-1] in dig(ctx.config, block[:-1])
        if present and not isinstance(env, dict):
            out.append(Finding(block, f"{'.'.join(map(str, block))} must be a mapping NAME: VALUE (NEL cannot merge a "
                               f"{type(env).__name__} with its env vars)", "write NAME: host:NAME lines, or remove it"))
            continue
        for name, value in (env.items() if isinstance(env, dict) else []):
            path = block + (name,)
            text = str(value)
            where = ".".join(map(str, path))
            oc_env = _OC_ENV.match(text)
            if "${oc.env:" in text or "${oc.decode:" in text:
                fix = Fix(Applicability.SAFE, f"write host:{oc_env[1]}", (("set", path, f"host:{oc_env[1]}"),)) if oc_env else None
                out.append(Finding(path, f"{where} uses ${{oc.env:...}}; NEL's own error message would print the secret",
                                   "use host:VAR", fix, at_value=True))
            elif not isinstance(value, str) or not _GOOD.match(text):
                bare = _NAME.match(text)
                suggestion = f"host:{bare[1]}" if bare and text.isupper() else f"lit:{text}"
                out.append(Finding(path, f"{where} has no lit:/host:/runtime: prefix (NEL refuses it)",
                                   f"write {suggestion}" if not bare or text.isupper() else "write lit:VALUE for a literal or host:VAR for a shell variable",
                                   Fix(Applicability.UNSAFE, f"write {suggestion}", (("set", path, suggestion),)), at_value=True))
    return out
