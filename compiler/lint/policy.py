"""Which findings `nelc lint` reports and which fail it: the policy people know from ruff.

- Exit 1 on errors only; `--strict` (or `strict = true`) also fails on warnings.
- `select` / `ignore` take codes or code prefixes (`L1`, `R195`); ignore wins.
- `# nelc: ignore[CODE, ...]` on the finding's line or the line above silences those codes there;
  a bare `# nelc: ignore` silences every code there.
- R196, L118, L119, S007, S011 and V011 (commands and secrets) are always reported.
- Defaults come from the nearest `.nelc.toml` (top-level keys) or `pyproject.toml` `[tool.nelc]`,
  looking up from the current folder; command-line flags win. A spec may carry its own
  `lint: {ignore: [...]}`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..diagnostics import CompileError, Diagnostic, Severity

_CODE = re.compile(r"^[A-Z][0-9]{0,3}$")
# Findings about what could run a command or leak a secret. The file being checked must not be able
# to switch them off (an ignore comment or a spec's lint.ignore in a pull request would), so no
# setting silences them.
ALWAYS_REPORTED = frozenset({"R196", "L118", "L119", "L137", "L138", "S007", "S011", "S012", "V011"})
_INLINE = re.compile(r"#\s*nelc:\s*ignore(?:\[([A-Za-z0-9,\s]*)\])?")


@dataclass(frozen=True)
class LintPolicy:
    select: tuple[str, ...] = ()  # empty: every code
    ignore: tuple[str, ...] = ()
    strict: bool = False
    source: str = ""  # the file the defaults came from, if any

    def wants(self, code: str) -> bool:
        if code in ALWAYS_REPORTED:
            return True
        selected = not self.select or any(code.startswith(prefix) for prefix in self.select)
        return selected and not any(code.startswith(prefix) for prefix in self.ignore)

    def fails_on(self, diag: Diagnostic) -> bool:
        return diag.is_error or (self.strict and diag.severity is Severity.WARNING)

    def with_options(self, select: tuple[str, ...], ignore: tuple[str, ...], strict: bool) -> "LintPolicy":
        return replace(self, select=select or self.select, ignore=(*self.ignore, *ignore), strict=strict or self.strict)


def codes(values: Any, where: str) -> tuple[str, ...]:
    """Codes or prefixes from a config value or a flag; CompileError (F009) for anything else."""
    if isinstance(values, str):
        values = [v.strip() for v in values.split(",") if v.strip()]
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) and _CODE.match(v.upper()) for v in values):
        raise CompileError([Diagnostic(where, 0, 0, "F009", Severity.ERROR, f"select/ignore must list codes such as L113 or "
                                       f"prefixes such as L1, not {str(values)[:60]!r}", "see `nelc rules` for the codes")])
    return tuple(v.upper() for v in values)


def load_policy(start: Path) -> LintPolicy:
    """The nearest `.nelc.toml` or `pyproject.toml` with `[tool.nelc]` from `start` upwards."""
    for folder in (start.resolve(), *start.resolve().parents):
        for name in (".nelc.toml", "pyproject.toml"):
            path = folder / name
            if not path.is_file():
                continue
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
                raise CompileError([Diagnostic(str(path), 0, 0, "F009", Severity.ERROR, f"cannot read the nelc settings: {exc}",
                                               "fix the TOML syntax")]) from None
            tool = data.get("tool") if name == "pyproject.toml" else None
            table = data if name == ".nelc.toml" else (tool.get("nelc") if isinstance(tool, dict) else None)
            if table is None:
                continue
            if not isinstance(table, dict) or set(table) - {"select", "ignore", "strict"} or \
                    not isinstance(table.get("strict", False), bool):
                raise CompileError([Diagnostic(str(path), 0, 0, "F009", Severity.ERROR,
                                               "nelc settings take only select (list), ignore (list) and strict (true/false)",
                                               "e.g. [tool.nelc] ignore = [\"R195\"]")])
            return LintPolicy(codes(table.get("select", []), str(path)), codes(table.get("ignore", []), str(path)),
                              table.get("strict", False), str(path))
    return LintPolicy()


def inline_ignored(diag: Diagnostic, lines: list[str]) -> bool:
    """`# nelc: ignore[CODE]` on the finding's line or the line above it (never for ALWAYS_REPORTED)."""
    if diag.code in ALWAYS_REPORTED:
        return False
    for number in (diag.line, diag.line - 1):
        if 1 <= number <= len(lines):
            match = _INLINE.search(lines[number - 1])
            if match and (match.group(1) is None or diag.code in {c.strip().upper() for c in match.group(1).split(",")}):
                return True
    return False


def spec_ignores(data: Any) -> tuple[str, ...]:
    """A spec's own `lint: {ignore: [...]}` (the spec schema validates it when the spec compiles)."""
    lint = data.get("lint") if isinstance(data, dict) else None  # codes or prefixes, as --ignore takes
    ignore = lint.get("ignore") if isinstance(lint, dict) else None
    try:
        return codes(ignore, "spec") if ignore else ()
    except CompileError:
        return ()
