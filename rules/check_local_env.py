"""L129 check-local-env: a local-executor config declares at least one env var NEL collects.

Why: NEL 0.2.6's local executor sets `export_reexport_cmd` only when some env var group is
non-empty (executors/local/executor.py:228-235) and reads it for every task (:270), so a config
with no env var anywhere raises `UnboundLocalError: cannot access local variable
'export_reexport_cmd'` in `nel run --dry-run`, which is `nelc run`'s first stage. NEL counts the
host's NEMO_EVALUATOR_TELEMETRY_* variables as declared, and a real run sets them itself before
it executes (api/functional.py:356-360), so the crash shows only in dry runs from a shell that does
not set them. Since HF_TOKEN
is declared only for gated datasets and Hub tokenizers, a local run of simple_evals.mmlu on a
local checkpoint trips it. nelc compile declares `NELC_LOCAL_EXECUTOR_ENV: lit:1` there (R240).
Runs in `nelc lint` and on every compiled config.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L129", "defaults: [{execution: local}, {deployment: vllm}]\\nevaluation:\\n  tasks:\\n    - name: mmlu\\n"))
2:1 error[L129]: no env var is declared for the first task, its deployment or export: NEL 0.2.6's local dry run raises UnboundLocalError (export_reexport_cmd)
"""

from __future__ import annotations

from nelc.nelconfig import execution_type, first_task_env_groups, tasks_of
from nelc.rulebook import Finding, LintContext


def check_local_env(ctx: LintContext) -> list[Finding]:
    config = ctx.config
    if not isinstance(config, dict) or execution_type(config) != "local" or not tasks_of(config):
        return []
    if first_task_env_groups(config):
        return []
    return [Finding(("evaluation",), "no env var is declared for the first task, its deployment or export: NEL 0.2.6's local dry run raises "
                    "UnboundLocalError (export_reexport_cmd)",
                    "declare one, e.g. evaluation.env_vars: {NELC_LOCAL_EXECUTOR_ENV: 'lit:1'} "
                    "(nemo_evaluator_launcher 0.2.6 executors/local/executor.py:228-270)")]
