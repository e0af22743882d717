"""Load stage: YAML text -> plain data plus the position of every key and value.

ruamel.yaml composes the node graph (with each node's position) and nelc builds plain data from
it under the YAML 1.2 core schema, so every later diagnostic can point at `file:line:col`.
Composing skips the round-trip constructor's comment bookkeeping, which only `--fix` needs (it
loads its own round-trip document). One `YAML()` instance per call, no global changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import re

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .diagnostics import CompileError, Diagnostic, Severity
from .secretscan import contains_secret, mask

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
    quoted: frozenset = frozenset()  # paths of scalars written in quotes

    def value_is_quoted(self, path: Path) -> bool:
        """Whether the scalar at `path` is written in quotes (YAML 1.1 retypes some plain scalars)."""
        return path in self.quoted

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


_FLOW = re.compile(r"[\[\]{}'\"#\n]")


def _too_deep(text: str) -> tuple[int, int] | None:
    """Where flow collections nest deeper than MAX_DEPTH, found before the parser recurses
    (ruamel would take seconds to fail on thousands of brackets). Quoted text is skipped. Only the
    characters that matter are visited (a 16 MB file of plain lines took 10 s char by char)."""
    depth, quote = 0, ""
    for match in _FLOW.finditer(text):
        char = match.group()
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                at = match.start()
                return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
        elif char in "]}":
            depth = max(depth - 1, 0)
        elif char == "#" and depth == 0:
            quote = "\n"  # a comment runs to the end of the line
    return None


def load_yaml(text: str, file: str) -> Loaded:
    """Parse one YAML document; syntax errors, duplicate keys and bombs become coded diagnostics."""
    deep = _too_deep(text)
    if deep:
        raise _error(file, "Y003", f"flow collections are nested deeper than {MAX_DEPTH} levels", "flatten the structure", *deep)
    try:
        _within_node_budget(text, file)
        node = YAML(typ="safe", pure=True).compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise _error(file, "Y001", f"YAML syntax error: {_first_line(exc.problem or exc.context)}",
                     "fix the YAML syntax at this position", line, col) from None
    except (YAMLError, RecursionError) as exc:
        raise _error(file, "Y001", f"YAML error: {_first_line(str(exc))}", "fix the YAML syntax") from None
    positions: dict[Path, tuple[int, int]] = {(): (1, 1)}
    value_positions: dict[Path, tuple[int, int]] = {}
    quoted: set[Path] = set()
    data = None if node is None else _plain(node, (), _Index(positions, value_positions, quoted, [0], file))
    return Loaded(file=file, data=data, positions=positions, text=text, value_positions=value_positions, quoted=frozenset(quoted))


_NODE_EVENTS = (ScalarEvent, SequenceStartEvent, MappingStartEvent, AliasEvent)


def _within_node_budget(text: str, file: str) -> None:
    """Count the document's nodes from the parser's event stream, which holds one event at a time,
    and stop at MAX_NODES before any node graph is built (a 4 MB list of `- 1` lines took 30 s and
    hundreds of MB to compose before the budget in _plain could refuse it)."""
    count = 0
    for event in YAML(typ="safe", pure=True).parse(text):
        if isinstance(event, _NODE_EVENTS):
            count += 1
            if count > MAX_NODES:
                mark = event.start_mark
                raise _error(file, "Y003", f"document has more than {MAX_NODES:,} nodes",
                             "a NEL config, a spec or a results file has far fewer; check that this is the right file",
                             mark.line + 1, mark.column + 1)


def _shown(text: str) -> str:
    """A key or tag as a message may show it: masked when it holds a secret."""
    return mask(text) if contains_secret(text) else text


def _first_line(text: str | None) -> str:
    return (text or "invalid YAML").strip().splitlines()[0]


@dataclass
class _Index:
    positions: dict
    value_positions: dict
    quoted: set
    budget: list
    file: str


_CORE = "tag:yaml.org,2002:"
_INT = re.compile(r"^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


def _mark(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _plain(node: Node, path: Path, index: _Index) -> Any:
    """Plain Python data from the composed node graph (YAML 1.2 core schema), with positions."""
    index.budget[0] += 1
    if index.budget[0] > MAX_NODES:
        raise _error(index.file, "Y003", f"document expands to more than {MAX_NODES:,} nodes (alias bomb?)",
                     "do not use YAML anchors and aliases to build large structures")
    if len(path) > MAX_DEPTH:
        raise _error(index.file, "Y003", f"document is nested deeper than {MAX_DEPTH} levels", "flatten the structure", *_mark(node))
    if isinstance(node, MappingNode):
        out: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == _CORE + "merge":  # `<<: *anchor` merges another mapping in
                for source in (value_node.value if isinstance(value_node, SequenceNode) else [value_node]):
                    merged = _plain(source, path, index)
                    out.update({k: v for k, v in (merged.items() if isinstance(merged, dict) else []) if k not in out})
                continue
            if not isinstance(key_node, ScalarNode):
                raise _error(index.file, "Y007", "a mapping key is not a plain string", "use plain string keys", *_mark(key_node))
            key = str(key_node.value)
            if key in out:
                raise _error(index.file, "Y002", f'found duplicate key "{_shown(key)}"', "remove or rename one of the two keys",
                             *_mark(key_node))
            child = (*path, key)
            index.positions[child] = _mark(key_node)
            index.value_positions[child] = _mark(value_node)
            out[key] = _plain(value_node, child, index)
        return out
    if isinstance(node, SequenceNode):
        items = []
        for position, item in enumerate(node.value):
            child = (*path, position)
            index.positions[child] = _mark(item)
            items.append(_plain(item, child, index))
        return items
    return _scalar(node, path, index)


def _scalar(node: ScalarNode, path: Path, index: _Index) -> Any:
    value, tag = node.value, node.tag
    if node.style in ("'", '"'):
        index.quoted.add(path)
    if tag == _CORE + "binary":
        # OmegaConf (PyYAML's SafeLoader) decodes it to bytes and NEL pastes str(bytes) into run.sh: the text
        # nelc would check is not the text that runs.
        raise _error(index.file, "Y008", "a !!binary value: NEL's OmegaConf decodes it to bytes and writes their Python "
                     "repr into the job script, so no check on its text holds", "write the value as plain text", *_mark(node))
    if tag == _CORE + "str" or tag in ("!", _CORE + "timestamp"):
        return value  # OmegaConf's loader drops YAML's timestamp resolver (omegaconf/_utils.py get_yaml_loader): text
    if tag == _CORE + "null":
        return None
    if tag == _CORE + "bool":
        return value.lower() == "true"
    if tag == _CORE + "int" and _INT.match(value):
        return int(value, 8 if value.startswith("0o") else 16 if value.startswith("0x") else 10) if value[:2] in ("0o", "0x") \
            else int(value)
    if tag == _CORE + "float":
        lowered = value.lower().lstrip("+")
        if lowered in (".inf", "-.inf", ".nan"):
            return float(lowered.replace(".", ""))
        if _FLOAT.match(value):
            return float(value)
        return value
    raise _error(index.file, "Y008", f"custom YAML tag {_shown(tag)} is not supported", "remove the tag; specs and NEL configs use plain YAML",
                 *_mark(node))
