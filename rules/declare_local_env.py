"""R240 declare-local-env: one env var on a local-executor config that would declare none.

Why: NEL 0.2.6's local executor raises `UnboundLocalError: export_reexport_cmd` in `nel run
--dry-run` when the first task, the deployment and the export declare no env var
(executors/local/executor.py:228-270; L129 says why). HF_TOKEN is declared only where a task needs
it, so a local run of simple_evals.mmlu on a local checkpoint declares none. This declares
`NELC_LOCAL_EXECUTOR_ENV: lit:1`, a variable nothing reads, in evaluation.env_vars. It runs after
R190 so the spec's overrides count, and adds nothing when any env var is declared.

Example:
>>> from nelc.engine import demo
>>> print(demo("R240", "model: org/m\\nbackend: none\\nendpoint: {url: 'http://h:8000/v1/chat/completions', model_id: m}\\nbenchmarks: [simple_evals.mmlu]\\n"))
evaluation.env_vars.NELC_LOCAL_EXECUTOR_ENV: lit:1  # R240: NEL 0.2.6's local dry run raises UnboundLocalError when no env var is declared (L129)
"""

from __future__ import annotations

from nelc.draft import Draft
from nelc.facts import Context
from nelc.nelconfig import first_task_env_groups

LOCAL_ENV = "NELC_LOCAL_EXECUTOR_ENV"


def declare_local_env(draft: Draft, ctx: Context) -> Draft:
    if ctx.spec.executor != "local" or first_task_env_groups(draft.plain()):
        return draft
    return draft.set(f"evaluation.env_vars.{LOCAL_ENV}", "lit:1",
                     "NEL 0.2.6's local dry run raises UnboundLocalError when no env var is declared (L129)",
                     "nemo_evaluator_launcher 0.2.6 executors/local/executor.py:228-270")
