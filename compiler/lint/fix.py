"""`nelc lint --fix`: apply fixes to the file's round-trip document, then keep every line the fix
does not need to change byte for byte.

ruamel's round trip keeps comments but not everything: it writes `key: null` as `key:`, drops a
`...` end marker and blank lines, and knows nothing of a BOM or CRLF endings. So the fixed
document is compared line by line with the original, and each changed hunk is put back as it was
whenever the file still reads the same way without it (under YAML 1.1, as NEL reads it). What
remains changed is exactly what the fixes need. Line endings and a BOM are restored.
"""

from __future__ import annotations

import difflib
import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from ..rulebook import Fix

BOM = "\ufeff"


def apply_fixes(text: str, fixes: list[Fix]) -> str | None:
    """The text with `fixes` applied, or None when the document cannot be rewritten. A fix whose ops
    do not all fit the document (a parent that is a list or a scalar) is skipped whole, never half-done."""
    bom = text.startswith(BOM)
    body = text[1:] if bom else text
    newline = "\r\n" if "\r\n" in body else "\n"
    yaml = _yaml()
    try:
        doc = yaml.load(body)
        for fix in fixes:
            if all(_fits(doc, op) for op in fix.ops):
                for op in fix.ops:
                    _apply(doc, op)
        out = io.StringIO()
        yaml.dump(doc, out)
    except Exception:  # noqa: BLE001 - ruamel on a document it cannot round-trip: leave the file as it is
        return None
    return (BOM if bom else "") + keep_untouched(body, out.getvalue(), newline)


def _fits(doc: Any, op: tuple) -> bool:
    """Whether every node on the op's path is a mapping (or a list indexed by an int) it can go through."""
    kind, path = op[0], op[1]
    node = doc
    for key in path[:-1]:
        if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        elif isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, dict) and kind == "set":
            return True  # the rest of the path is created
        else:
            return False
    if kind == "set":
        return isinstance(node, dict) or (isinstance(node, list) and isinstance(path[-1], int) and path[-1] < len(node))
    return isinstance(node, (dict, list)) and (path[-1] in node if isinstance(node, dict) else
                                                isinstance(path[-1], int) and path[-1] < len(node))


def keep_untouched(original: str, fixed: str, newline: str) -> str:
    """`fixed` with every hunk that does not change what the document says reverted to `original`."""
    old = original.splitlines(keepends=True)
    new = [line.rstrip("\r\n") + newline for line in fixed.splitlines()]
    target = _meaning(fixed)
    opcodes = difflib.SequenceMatcher(a=[l.rstrip("\r\n") for l in old], b=[l.rstrip("\r\n") for l in new],
                                      autojunk=False).get_opcodes()
    keep_new = [tag != "equal" for tag, *_ in opcodes]
    for index, (tag, *_rest) in enumerate(opcodes):
        if tag == "equal":
            continue
        keep_new[index] = False
        if _meaning(_assemble(opcodes, keep_new, old, new)) != target:
            keep_new[index] = True  # the fix needs this hunk
    result = _assemble(opcodes, keep_new, old, new)
    return result if _meaning(result) == target else fixed.replace("\n", newline)


def _assemble(opcodes: list, keep_new: list[bool], old: list[str], new: list[str]) -> str:
    parts = []
    for (tag, i1, i2, j1, j2), use_new in zip(opcodes, keep_new):
        parts += new[j1:j2] if use_new else old[i1:i2]
    return "".join(parts)


def _meaning(text: str) -> Any:
    """What NEL reads from the text (YAML 1.1: `12:00:00` is a number, `"12:00:00"` a string)."""
    reader = YAML(typ="safe", pure=True)
    reader.version = (1, 1)
    try:
        return ("ok", reader.load(text))
    except YAMLError:
        return ("invalid", None)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 1 << 30  # never reflow a line
    return yaml


def _parent(doc: Any, path: tuple, create: bool) -> Any:
    node = doc
    for key in path[:-1]:
        if isinstance(node, list):
            node = node[key]
            continue
        if key not in node:
            if not create:
                return None
            node[key] = CommentedMap()
        node = node[key]
    return node


def _prune(doc: Any, path: tuple) -> None:
    """Drop mappings a delete left empty (an empty `config.target` would still fail in the container)."""
    while path:
        parent = _parent(doc, path, create=False)
        if parent is None or isinstance(parent, list) or path[-1] not in parent or parent[path[-1]] not in ({},):
            return
        del parent[path[-1]]
        path = path[:-1]


def independent(fixes: list[Fix]) -> list[Fix]:
    """The fixes that can be applied together: none touches a path another one touches."""
    chosen, touched = [], []
    for fix in fixes:
        paths = [op[1] for op in fix.ops]
        if any(p[: len(t)] == t or t[: len(p)] == p for p in paths for t in touched):
            continue
        chosen.append(fix)
        touched.extend(paths)
    return chosen


def _apply(doc: Any, op: tuple) -> None:
    kind, path = op[0], op[1]
    parent = _parent(doc, path, create=kind == "set")
    if parent is None:
        return
    key = path[-1]
    if kind == "set":
        parent[key] = op[2]
    elif kind == "delete":
        if isinstance(parent, list):
            del parent[key]
        elif key in parent:
            del parent[key]
        _prune(doc, path[:-1])
    elif kind == "rename" and key in parent and op[2] not in parent:
        position = list(parent).index(key)
        parent.insert(position, op[2], parent.pop(key))
    elif kind == "quote" and key in parent:
        parent[key] = DoubleQuotedScalarString(str(parent[key]))
