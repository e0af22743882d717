"""`file:line:col: severity[CODE]: message` plus an indented hint, then a one-line summary."""

from __future__ import annotations


def render(diagnostics, fixable: int = 0) -> str:
    lines = [d.render() for d in diagnostics]
    counts = {s: sum(d.severity.value == s for d in diagnostics) for s in ("error", "warning", "note")}
    summary = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n) or "no findings"
    if fixable:
        summary += f" ({fixable} fixable with --fix)"
    return "\n".join(lines + [summary]) + "\n"
