"""Load stage: YAML text -> plain data plus the position of every key and value.

ruamel.yaml round-trip keeps node positions, so every later diagnostic can point at
`file:line:col`. One `YAML()` instance per call, no global constructor changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .diagnostics import CompileError, Diagnostic, Severity

Path = tuple[str | int, ...]

MAX_BYTES = 1_000_000  # a spec or NEL config is a few KiB; anything larger is not one
MAX_NODES = 100_000  # bounds alias expansion ("billion laughs")
MAX_DEPTH = 64


@dataclass(frozen=True)
class Loaded:
    """A parsed YAML document: plain data and a path -> (line, col) index (1-based)."""

    file: str
    data: Any
    positions: dict[Path, tuple[int, int]]  # of each key (and list item)
    text: str
    value_positions: dict[Path, tuple[int, int]] | None = None  # of each mapping value

    def value_is_quoted(self, path: Path) -> bool:
        """Whether the scalar at `path` is written in quotes (YAML 1.1 retypes some plain scalars)."""
        line, col = (self.value_positions or {}).get(path, (0, 0))
        if not line:
            return False
        text_line = self.text.splitlines()[line - 1] if line <= len(self.text.splitlines()) else ""
        return text_line[col - 1: col] in ("'", '"')

    def where(self, path: Path) -> tuple[int, int]:
        """Position of the deepest known prefix of `path` (a missing key points at its parent)."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.positions:
                return self.positions[path[:end]]
        return (1, 1)

    def diagnostic(
        self, code: str, message: str, path: Path = (), hint: str = "",
        severity: Severity = Severity.ERROR, rule: str = "",
    ) -> Diagnostic:
        line, col = self.where(path)
        return Diagnostic(
            file=self.file, line=line, col=col, code=code, severity=severity,
            message=message, hint=hint, path=dotted(path), rule=rule,
        )


def dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _error(file: str, code: str, message: str, hint: str, line: int = 1, col: int = 1) -> CompileError:
    return CompileError([Diagnostic(file, line, col, code, Severity.ERROR, message, hint)])


def decode(raw: bytes, file: str) -> str:
    if len(raw) > MAX_BYTES:
        raise _error(file, "Y004", f"file is {len(raw):,} bytes; the limit is {MAX_BYTES:,}",
                     "a spec or NEL config is a few KiB; check that this is the right file")
    if b"\x00" in raw:
        raise _error(file, "Y005", "file contains NUL bytes (binary, not YAML)", "pass a YAML text file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise _error(file, "Y006", f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                     "save the file as UTF-8", line, col) from None


def load_yaml(text: str, file: str) -> Loaded:
    """Parse one YAML document; syntax errors, duplicate keys and bombs become coded diagnostics."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        node = yaml.load(text)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        raise _error(file, "Y002", _first_line(exc.problem), "remove or rename one of the two keys",
                     mark.line + 1, mark.column + 1) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise _error(file, "Y001", f"YAML syntax error: {_first_line(exc.problem or exc.context)}",
                     "fix the YAML syntax at this position", line, col) from None
    except (YAMLError, RecursionError) as exc:
        raise _error(file, "Y001", f"YAML error: {_first_line(str(exc))}", "fix the YAML syntax") from None
    positions: dict[Path, tuple[int, int]] = {(): (1, 1)}
    value_positions: dict[Path, tuple[int, int]] = {}
    data = _plain(node, (), (positions, value_positions), [0], file)
    return Loaded(file=file, data=data, positions=positions, text=text, value_positions=value_positions)


def _first_line(text: str | None) -> str:
    return (text or "invalid YAML").strip().splitlines()[0]


def _plain(node: Any, path: Path, index: tuple[dict, dict], budget: list[int], file: str) -> Any:
    positions, value_positions = index
    budget[0] += 1
    if budget[0] > MAX_NODES:
        raise _error(file, "Y003", f"document expands to more than {MAX_NODES:,} nodes (alias bomb?)",
                     "do not use YAML anchors and aliases to build large structures")
    if len(path) > MAX_DEPTH:
        raise _error(file, "Y003", f"document is nested deeper than {MAX_DEPTH} levels",
                     "flatten the structure", *positions.get(path[:-1], (1, 1)))
    if isinstance(node, CommentedMap):
        out = {}
        for key in node:
            if not isinstance(key, (str, int, float, bool)) or isinstance(key, bool):
                line, col = node.lc.key(key)
                raise _error(file, "Y007", f"mapping key {key!r} is not a plain string",
                             "use plain string keys", line + 1, col + 1)
            child = (*path, str(key))
            kline, kcol = node.lc.key(key)
            positions[child] = (kline + 1, kcol + 1)
            vline, vcol = node.lc.value(key)
            value_positions[child] = (vline + 1, vcol + 1)
            out[str(key)] = _plain(node[key], child, index, budget, file)
        return out
    if isinstance(node, CommentedSeq):
        out_list = []
        for position, item in enumerate(node):
            child = (*path, position)
            line, col = node.lc.item(position)
            positions[child] = (line + 1, col + 1)
            out_list.append(_plain(item, child, index, budget, file))
        return out_list
    if node is None or isinstance(node, bool):
        return node
    if isinstance(node, int):
        return int(node)  # drop ruamel's ScalarInt wrapper
    if isinstance(node, float):
        return float(node)
    if isinstance(node, TaggedScalar) or getattr(getattr(node, "tag", None), "value", None):
        raise _error(file, "Y008", f"custom YAML tag {getattr(node.tag, 'value', node.tag)} is not supported",
                     "remove the tag; specs and NEL configs use plain YAML", *positions.get(path, (1, 1)))
    if isinstance(node, str):
        return str(node)
    # Timestamps and binary scalars are not part of either format: keep their text.
    return str(node)
