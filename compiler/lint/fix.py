"""`nelc lint --fix`: apply fixes to the file's round-trip document, keeping comments and layout."""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from ..rulebook import Fix


def apply_fixes(text: str, fixes: list[Fix]) -> str:
    yaml = _yaml()
    doc = yaml.load(text)
    for fix in fixes:
        for op in fix.ops:
            _apply(doc, op)
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
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
