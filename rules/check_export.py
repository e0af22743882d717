"""L111 check-export: an export block runs only when auto_export lists it, and holds only literals.

Why: NEL exports automatically only the destinations in `execution.auto_export.destinations`; an
`export.mlflow` block alone does nothing. The export job sees `export` alone, so `${deployment...}`
inside it fails ("Interpolation key ... not found"). `log_logs` / `log_artifacts` are deprecated.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L111", "export:\\n  mlflow:\\n    tracking_uri: http://m\\n    description: ${deployment.served_model_name}\\n"))
2:3 warning[L111]: export.mlflow is never used: execution.auto_export.destinations does not list mlflow [fix: unsafe: add mlflow to execution.auto_export.destinations]
4:18 error[L111]: export.mlflow.description interpolates ${...}; the export job cannot resolve it
"""

from __future__ import annotations

from nelc.diagnostics import Severity
from nelc.draft import leaves
from nelc.rulebook import Applicability, Finding, Fix, LintContext
from nelc.nelconfig import dig

DESTINATIONS = ("mlflow", "wandb", "local", "gsheets")


def check_export(ctx: LintContext) -> list[Finding]:
    export = ctx.config.get("export") if isinstance(ctx.config.get("export"), dict) else {}
    listed = dig(ctx.config, ("execution", "auto_export", "destinations")) or []
    listed = listed if isinstance(listed, list) else []
    out = []
    for dest in (d for d in export if d != "env_vars"):
        if dest not in listed:
            ops = (("set", ("execution", "auto_export", "destinations"), [*listed, dest]),)
            out.append(Finding(("export", dest), f"export.{dest} is never used: execution.auto_export.destinations does not list {dest}",
                               f"add {dest} to execution.auto_export.destinations",
                               Fix(Applicability.UNSAFE, f"add {dest} to execution.auto_export.destinations", ops), Severity.WARNING))
    for dest in listed:
        if dest not in DESTINATIONS:
            out.append(Finding(("execution", "auto_export", "destinations"), f"unknown export destination '{dest}'",
                               f"use one of {', '.join(DESTINATIONS)}"))
        elif dest not in export:
            out.append(Finding(("execution", "auto_export", "destinations"), f"auto_export lists {dest} but there is no export.{dest} block",
                               f"configure export.{dest}"))
    for path, value in leaves(export, ("export",)):
        if isinstance(value, str) and "${" in value:
            out.append(Finding(path, f"{'.'.join(map(str, path))} interpolates ${{...}}; the export job cannot resolve it",
                               "write the literal value", at_value=True))
        if path[-1] in ("log_logs", "log_artifacts"):
            new = {"log_logs": "copy_logs", "log_artifacts": "copy_artifacts"}[path[-1]]
            out.append(Finding(path, f"{path[-1]} is deprecated", f"use {new}", Fix(Applicability.SAFE, f"rename to {new}", (("rename", path, new),)),
                               Severity.WARNING))
    return out
