"""L137 check-env-interpolation: no value outside env_vars reads the environment through OmegaConf.

Why: NEL resolves every interpolation in the config before it writes a script, so
`${oc.env:HF_TOKEN}` anywhere becomes the secret itself: in `interceptors.params_to_add` it is sent
in the body of every request to the endpoint (nemo-evaluator's payload modifier), in a judge URL it
goes to that host, and with MLflow export the resolved config (secret included) is uploaded as an
artifact. Env vars belong in an `env_vars` block as `host:NAME` (L105 checks those), which NEL
passes to the container without writing the value into the config. `${oc.env:USER}` (and LOGNAME,
HOME) name who you are, not a secret: NEL's own SLURM default for `execution.username` is one.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L137", "evaluation:\\n  nemo_evaluator_config:\\n    target: {api_endpoint: {adapter_config: "
...                 "{params_to_add: {user: '${oc.env:HF_TOKEN}'}}}}\\n"))
3:68 error[L137]: evaluation.nemo_evaluator_config.target.api_endpoint.adapter_config.params_to_add.user reads the environment variable HF_TOKEN through ${oc.env:...}: NEL writes its value into the config, and from there into requests, scripts and exported artifacts
"""

from __future__ import annotations

import re

from nelc.draft import leaves
from nelc.rulebook import Finding, LintContext

# `${oc.env:NAME...}` and the legacy `${env:NAME}`; a name that is itself an interpolation is unknown
_ENV = re.compile(r"\$\{\s*(?:oc\.)?env\s*:\s*([^,}\s]*)")
IDENTITY = frozenset({"USER", "LOGNAME", "HOME"})  # who and where you are: never a credential


def check_env_interpolation(ctx: LintContext) -> list[Finding]:
    out = []
    for path, value in leaves(ctx.config):
        if not isinstance(value, str) or any(part == "env_vars" for part in path):
            continue  # L105 checks env values
        names = [name for name in _ENV.findall(value) if name not in IDENTITY]
        if not names:
            continue
        dotted = ".".join(map(str, path))
        shown = ", ".join(dict.fromkeys(name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else "(a computed name)" for name in names))
        out.append(Finding(path, f"{dotted} reads the environment variable {shown} through ${{oc.env:...}}: NEL writes its value "
                           "into the config, and from there into requests, scripts and exported artifacts",
                           "declare it in an env_vars block as NAME: host:NAME and let the harness read it there; never "
                           "interpolate a secret into a value", at_value=True))
    return out

