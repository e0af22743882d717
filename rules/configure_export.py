"""R150 configure-export: `export.<dest>` plus `execution.auto_export.destinations`.

Why: an `export` block alone does nothing (only auto_export triggers it), the export job cannot
resolve `${...}` outside `export`, and `log_logs` is deprecated. Only literals are emitted.

Example:
>>> from nelc.engine import demo
>>> print(demo("R150", "model: org/m\\nbenchmarks: [ns_gpqa]\\nexport: wandb\\nwandb: {entity: team, project: evals}\\n"))
execution.auto_export.destinations: [wandb]  # R150: export: wandb; NEL exports only what auto_export lists
export.wandb.entity: team  # R150: set in the spec
export.wandb.project: evals  # R150: set in the spec
export.wandb.copy_logs: true  # R150: keep logs with the results (log_logs is deprecated)
export.env_vars.WANDB_API_KEY: host:WANDB_API_KEY  # R150: the wandb client reads its key from the environment
"""

from __future__ import annotations

from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context


def configure_export(draft: Draft, ctx: Context) -> Draft:
    spec = ctx.spec
    unused = [name for name in ("mlflow", "wandb") if name != spec.export and ctx.wrote(name)]
    for name in unused:
        draft = draft.report(Severity.WARNING, f"the {name} block is ignored with export: {spec.export}",
                             f"set export: {name}, or remove the block", **ctx.at(name))
    if spec.export == "none":
        return draft.decide("export", "export: none; results stay in output_dir")
    draft = draft.set("execution.auto_export.destinations", [spec.export],
                      f"export: {spec.export}; NEL exports only what auto_export lists", ctx.source("export"))
    return _mlflow(draft, ctx) if spec.export == "mlflow" else _wandb(draft, ctx)


def _required(draft: Draft, ctx: Context, block: str, key: str, hint: str) -> Draft:
    value = getattr(getattr(ctx.spec, block), key)
    if value is None:
        return draft.report(Severity.ERROR, f"export: {block} needs {block}.{key}", hint, **ctx.at(block, key))
    return draft.set(f"export.{block}.{key}", value, "set in the spec", ctx.source(block, key))


def _mlflow(draft: Draft, ctx: Context) -> Draft:
    mlflow = ctx.spec.mlflow
    draft = _required(draft, ctx, "mlflow", "tracking_uri", "set mlflow.tracking_uri, e.g. https://mlflow.example.com")
    draft = draft.set("export.mlflow.experiment_name", mlflow.experiment_name,
                      "set in the spec" if ctx.wrote("mlflow", "experiment_name") else "NEL's exporter default",
                      ctx.source("mlflow", "experiment_name"))
    if mlflow.tags:
        draft = draft.set("export.mlflow.tags", dict(mlflow.tags), "set in the spec", ctx.source("mlflow", "tags"))
    return (draft
            .set("export.mlflow.copy_logs", True, "keep logs with the results (log_logs is deprecated)")
            .set("export.mlflow.log_config_params", True, "record the resolved config with the run"))


def _wandb(draft: Draft, ctx: Context) -> Draft:
    wandb = ctx.spec.wandb
    draft = _required(draft, ctx, "wandb", "entity", "set wandb.entity: your team or user name")
    draft = _required(draft, ctx, "wandb", "project", "set wandb.project: the W&B project to log to")
    if wandb.tags:
        draft = draft.set("export.wandb.tags", list(wandb.tags), "set in the spec", ctx.source("wandb", "tags"))
    return (draft
            .set("export.wandb.copy_logs", True, "keep logs with the results (log_logs is deprecated)")
            .set("export.env_vars.WANDB_API_KEY", "host:WANDB_API_KEY", "the wandb client reads its key from the environment"))
