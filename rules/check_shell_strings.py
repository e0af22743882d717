"""R196 check-shell-strings: every value NEL pastes into a shell script is safe there, overrides included.

Why: NEL 0.2.6 writes `run.sh`, sbatch scripts and `.secrets.env` from config strings without
quoting them (recipes/shell_surface.yaml lists each key with NEL's file and line). A served model
name `m; touch /tmp/x #` runs `touch` on the host when the local run.sh starts; a newline in a
SLURM account becomes a shell line of the sbatch script. This rule checks the final config, after
the spec's overrides, against one character set per field class (`nelc.shellsafe`, shared with
lint rule L118) and refuses control, bidi and zero-width characters anywhere.

Example:
>>> from nelc.engine import demo
>>> print(demo("R196", "model: org/m\\nserved_model_name: 'm;id'\\nbenchmarks: [ns_gpqa]\\n"))
error[R196]: deployment.served_model_name holds ';', which NEL 0.2.6 writes unescaped into a shell script (configs/deployment/vllm.yaml:35-46, sglang.yaml:32-40 -> executors/local/run.template.sh:86)
"""

from __future__ import annotations

from nelc.diagnostics import Severity
from nelc.draft import INTERNAL, Draft
from nelc.facts import Context
from nelc.shellsafe import SHELL_SEPARATORS, problems, shell_operators
from nelc.validate import locate_by_source
# Where a config value came from when no spec line is recorded for it.
_SPEC_KEY = {"deployment": ("deployment",), "execution": ("slurm",), "evaluation": ("benchmarks",), "export": ("export",)}


def check_shell_strings(draft: Draft, ctx: Context) -> Draft:
    raw_flags = ctx.spec.deployment.extra_args
    operator = shell_operators(raw_flags) if isinstance(raw_flags, str) else None
    if operator:  # nelc quotes each flag it emits, but the spec meant something a shell would run
        draft = draft.report(Severity.ERROR, f"deployment.extra_args holds {operator!r} ({SHELL_SEPARATORS}); server flags never "
                             "need one", "write only flags and their values; quote a value that is literal text",
                             **ctx.at("deployment", "extra_args"))
    config = {key: value for key, value in draft.plain().items() if key != INTERNAL}
    for problem in problems(config):
        draft = draft.report(Severity.ERROR, problem.message, problem.hint, **_where(draft, ctx, problem.path))
    return draft


def _where(draft: Draft, ctx: Context, path: tuple) -> dict:
    """The spec line that set the value (an override, a spec key), else the spec key it derives from."""
    file, line = locate_by_source(draft.origin_of, ctx.spec_file)(path)
    if line and file == ctx.spec_file:
        return {"file": ctx.spec_file, "line": line, "col": 1, "path": ".".join(map(str, path))}
    if path[:2] in (("deployment", "checkpoint_path"), ("deployment", "served_model_name"), ("deployment", "hf_model_handle")):
        key = ("served_model_name",) if path[1] == "served_model_name" and ctx.wrote("served_model_name") else ("model",)
    elif path[:2] == ("execution", "output_dir"):
        key = ("output_dir",)
    else:
        key = _SPEC_KEY.get(str(path[0]), ("model",))
    return {**ctx.at(*key), "path": ".".join(map(str, path))}
