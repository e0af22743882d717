"""R160 fill-evaluation: the evaluation-level env every task group shares.

Why: harness containers download gated datasets (GPQA, HLE...) with HF_TOKEN, and NEL's own
templates declare it for every task; declaring it once at `evaluation.env_vars` keeps each task
block small. `host:` means the value is read from your shell at `nel run` time, never written here.

Example:
>>> from nelc.engine import demo
>>> print(demo("R160", "model: org/m\\nbenchmarks: [ns_gpqa]\\n"))
evaluation.env_vars.HF_TOKEN: host:HF_TOKEN  # R160: harness containers download gated datasets with it
"""

from __future__ import annotations

from nelc.draft import Draft
from nelc.facts import Context


def fill_evaluation(draft: Draft, ctx: Context) -> Draft:
    return draft.set("evaluation.env_vars.HF_TOKEN", "host:HF_TOKEN",
                     "harness containers download gated datasets with it")
