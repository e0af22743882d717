"""A JSON array of findings, one object each, sorted as the diagnostics are."""

from __future__ import annotations

import json


def render(diagnostics, fixable: int = 0) -> str:
    return json.dumps([{"file": d.file, "line": d.line, "col": d.col, "code": d.code, "severity": d.severity.value,
                        "message": d.message, "hint": d.hint, "path": d.path} for d in diagnostics], indent=2) + "\n"
