"""L119 find-secrets: no credential written into a NEL config, anywhere.

Why: a NEL config is committed, copied into run folders and embedded in sbatch scripts; a key
written in it leaks with every copy. NEL takes keys by the NAME of an env var (`host:NAME`,
`api_key_name: NAME`). This finds credential-shaped tokens (hf_, nvapi-, sk-, ghp_, AKIA, long
random tokens) in any key or value, and URLs with `user:password@`. The value is never echoed:
the message shows the key path and at most 3 characters (`nelc.secretscan`).

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L119", "export:\\n  mlflow:\\n    tracking_uri: https://me:pw@mlflow.example.com\\n"))
3:19 error[L119]: export.mlflow.tracking_uri holds a URL with credentials (user:password@) (htt…)
"""

from __future__ import annotations

from nelc.rulebook import Finding, LintContext
from nelc import secretscan
from nelc.secretscan import mask, masked_path


def find_secrets(ctx: LintContext) -> list[Finding]:
    out = []
    for path, what in secretscan.find_secrets(ctx.config):
        value = _at(ctx.config, path)
        shown = f" ({mask(value)})" if isinstance(value, str) and not what.startswith("a key") else ""
        out.append(Finding(path, f"{masked_path(path)} holds {what}{shown}",
                           "pass it by the NAME of an env var (host:NAME, api_key_name: NAME), export it in your shell, "
                           "and rotate the exposed key", at_value=not what.startswith("a key")))
    return out


def _at(tree, path: tuple):
    for key in path:
        tree = tree[key]
    return tree
