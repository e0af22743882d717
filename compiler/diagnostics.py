"""One frozen, sortable diagnostic type shared by every stage.

A message says what is wrong; the hint says what to do. Severity is data, not control flow:
the pipeline stops writing output when any diagnostic is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A coded finding that points at `file:line:col` (1-based) when a location is known."""

    file: str
    line: int
    col: int
    code: str
    severity: Severity = field(compare=False)
    message: str = field(compare=False)
    hint: str = field(default="", compare=False)
    path: str = field(default="", compare=False)  # dotted YAML path, e.g. "slurm.walltime"
    rule: str = field(default="", compare=False)  # rule code that produced it, if any

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def location(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col}"
        return self.file

    def render(self) -> str:
        """One line per diagnostic (plus a hint line); control and escape characters from file
        names or values are escaped, so nothing a config holds can drive the terminal."""
        text = f"{self.location()}: {self.severity.value}[{self.code}]: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return printable(text)


# Invisible or direction-changing characters (Trojan Source, CVE-2021-42574), and line breaks
# other than \n that YAML or terminals honour.
INVISIBLE = frozenset("\u061c\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e"
                      "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff\u0085")


def printable(text: str, keep_newlines: bool = True) -> str:
    r"""`text` with control, escape and invisible characters escaped: safe on a terminal and in a comment.

    >>> print(printable("a\x1b[31mb\u202ec"), printable("ckpt\nbenchmarks: [x]", keep_newlines=False))
    a\x1b[31mb\u202ec ckpt\nbenchmarks: [x]
    """
    return "".join(c if (c == "\n" and keep_newlines) or (c.isprintable() and c not in INVISIBLE) else _escape_code(c)
                   for c in text)


def _escape_code(char: str) -> str:
    code = ord(char)
    return {"\t": "\\t", "\r": "\\r", "\n": "\\n"}.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


class CompileError(Exception):
    """Raised by a stage that cannot go on; carries the diagnostics that explain why."""

    def __init__(self, diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]):
        self.diagnostics = tuple(sorted(diagnostics))
        super().__init__("\n".join(d.render() for d in self.diagnostics))


def has_errors(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)
