"""SARIF 2.1.0, for code-scanning dashboards."""

from __future__ import annotations

import json

from nelc import __version__
from nelc.rules import BY_CODE

LEVEL = {"error": "error", "warning": "warning", "note": "note"}


def render(diagnostics, fixable: int = 0) -> str:
    codes = sorted({d.code for d in diagnostics})
    rules = [{"id": code, "name": BY_CODE[code].name if code in BY_CODE else code,
              "shortDescription": {"text": (BY_CODE[code].doc.splitlines()[0] if code in BY_CODE else code)}} for code in codes]
    results = [{
        "ruleId": d.code, "level": LEVEL[d.severity.value],
        "message": {"text": d.message + (f" Hint: {d.hint}" if d.hint else "")},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": d.file},
                                            "region": {"startLine": d.line or 1, "startColumn": d.col or 1}}}],
    } for d in diagnostics]
    log = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "nelc", "version": __version__, "rules": rules}}, "results": results}]}
    return json.dumps(log, indent=2) + "\n"
