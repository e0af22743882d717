"""GitHub Actions workflow commands: annotations on the pull request's files."""

from __future__ import annotations

LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def render(diagnostics, fixable: int = 0) -> str:
    lines = []
    for d in diagnostics:
        body = d.message + (f" (hint: {d.hint})" if d.hint else "")
        where = f"file={d.file},line={d.line or 1},col={d.col or 1}"
        lines.append(f"::{LEVEL[d.severity.value]} {where},title={d.code}::{_escape(body)}")
    return "\n".join(lines) + ("\n" if lines else "")
