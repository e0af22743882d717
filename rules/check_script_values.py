"""L118 check-script-values: values NEL pastes into shell scripts hold only characters safe there.

Why: NEL 0.2.6 quotes almost nothing it writes into `run.sh`, sbatch scripts and `.secrets.env`
(recipes/shell_surface.yaml: each key with NEL's file and line), and its dry run accepts any
string. A `;` in a served model name, a `$(...)` in a path or a newline in a SLURM account runs as
a command when the script starts. Same policy as compile rule R196 (`nelc.shellsafe`): one
character set per field class, no control, bidi or zero-width characters anywhere, and no command
separators or substitutions in `extra_args` (shell by design, but server flags never need them).

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L118", "deployment:\\n  served_model_name: 'm; touch /tmp/x #'\\n"))
2:22 error[L118]: deployment.served_model_name holds ';', which NEL 0.2.6 writes unescaped into a shell script (configs/deployment/vllm.yaml:35-46, sglang.yaml:32-40 -> executors/local/run.template.sh:86)
"""

from __future__ import annotations

from nelc.rulebook import Finding, LintContext
from nelc.shellsafe import problems


def check_script_values(ctx: LintContext) -> list[Finding]:
    return [Finding(problem.path, problem.message, problem.hint, at_value=True) for problem in problems(ctx.config)]
