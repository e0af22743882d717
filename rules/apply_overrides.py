"""R190 apply-overrides: the spec's raw `overrides`, deep-merged last.

Why: an escape hatch for any NEL key nelc does not model. Mappings merge key by key; lists and
scalars replace, as in NEL's own OmegaConf merge. Every overridden value is recorded as the
user's, and the result is still validated.

Example:
>>> from nelc.engine import demo
>>> print(demo("R190", "model: org/m\\nbenchmarks: [ns_gpqa]\\noverrides: {execution: {mode: sequential, extra_docker_args: --ipc=host}}\\n"))
execution.mode: sequential  # R190: user override
execution.extra_docker_args: "--ipc=host"  # R190: user override
"""

from __future__ import annotations

from nelc.draft import Draft
from nelc.facts import Context


def apply_overrides(draft: Draft, ctx: Context) -> Draft:
    if not ctx.spec.overrides:
        return draft.decide("overrides", "no overrides in the spec")
    return draft.merge(ctx.spec.overrides, "user override", lambda key: ctx.source("overrides", *key))
