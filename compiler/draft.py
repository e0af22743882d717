"""The value the rules pass along: a NEL config tree plus why each value is there.

A Draft is immutable. `set` returns a new Draft that shares every untouched subtree with the old
one (copy on the written path only), so rules stay pure and cheap.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Callable, Generic, Iterator, Mapping, TypeVar

from deepmerge import Merger

from . import flags
from .diagnostics import Diagnostic, Severity

Key = tuple[str | int, ...]
_MISSING = object()
T = TypeVar("T")
INTERNAL = "nelc"  # top-level key for values rules hand to later rules; dropped before emit


@dataclass(frozen=True)
class Slot(Generic[T]):
    """A typed value one rule derives for later rules (nelc.derived lists them all). It lives under
    the draft's internal key, so `--explain` and rule examples show who set it and why, and it is
    never emitted."""

    name: str
    doc: str

    @property
    def path(self) -> Key:
        return (INTERNAL, self.name)


@dataclass(frozen=True)
class Origin:
    """Who set a value and why: a rule code, a reason, and the spec line or fact behind it."""

    rule: str
    reason: str
    source: str = ""


@dataclass(frozen=True)
class Decision:
    """A rule that considered something and chose not to act, kept for `--explain`."""

    rule: str
    topic: str
    reason: str
    source: str = ""


@dataclass(frozen=True)
class Draft:
    tree: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    origins: Mapping[Key, Origin] = field(default_factory=lambda: MappingProxyType({}))
    decisions: tuple[Decision, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    flag_origins: Mapping[str, Origin] = field(default_factory=lambda: MappingProxyType({}))  # per server flag
    rule: str = ""  # the rule now running; the engine sets it

    def by(self, rule: str) -> "Draft":
        return replace(self, rule=rule)

    def get(self, path: str | Key | Slot[T], default: Any = None) -> Any:
        node: Any = self.tree
        for part in _key(path):
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, (list, tuple)) and isinstance(part, int) and -len(node) <= part < len(node):
                node = node[part]
            else:
                return default
        return node

    def has(self, path: str | Key) -> bool:
        return self.get(path, _MISSING) is not _MISSING

    def set(self, path: str | Key | Slot[T], value: Any, why: str, source: str = "") -> "Draft":
        """Write `value` at `path` (creating mappings on the way) and record its origin."""
        key = _key(path)
        tree = _write(self.tree, key, _frozen_copy(value))
        origins = {k: o for k, o in self.origins.items() if k[: len(key)] != key}
        origins[key] = Origin(self.rule, why, source)
        return replace(self, tree=tree, origins=MappingProxyType(origins))

    def delete(self, path: str | Key, why: str, source: str = "") -> "Draft":
        key = _key(path)
        if not self.has(key):
            return self
        tree = _write(self.tree, key, _MISSING)
        origins = {k: o for k, o in self.origins.items() if k[: len(key)] != key}
        return replace(self, tree=tree, origins=MappingProxyType(origins),
                       decisions=self.decisions + (Decision(self.rule, ".".join(map(str, key)), f"removed: {why}", source),))

    def add_flag(self, flag: str, *values: str, why: str, source: str = "") -> "Draft":
        """Append `flag values...` to `deployment.extra_args` unless the flag is already there
        (the spec's own value, or an earlier rule's, wins) and record why, per flag."""
        updated = flags.append_unless_present(self.get("deployment.extra_args", ""), flag, *values)
        if updated is None:
            earlier = self.flag_origins.get(flag)
            who = f"already set by {earlier.rule}" if earlier else "the spec's own value wins"
            return self.decide(f"deployment.extra_args {flag}", f"{who}; not changed to {' '.join((flag, *values))}", source)
        draft = self.set("deployment.extra_args", updated, why, source)
        return replace(draft, flag_origins=MappingProxyType({**draft.flag_origins, flag: Origin(self.rule, why, source)}))

    def merge(self, patch: Mapping[str, Any], why: str, source: Callable[[Key], str]) -> "Draft":
        """Deep-merge `patch` over the tree the way NEL/OmegaConf do (mappings merge, lists and
        scalars replace) and record every leaf of the patch as set for `why`."""
        merger = Merger([(dict, ["merge"]), (list, ["override"])], ["override"], ["override"])
        merged = merger.merge(self.plain(), _thaw(_frozen_copy(patch)))
        origins = dict(self.origins)
        for key, _ in leaves(patch):
            origins = {k: o for k, o in origins.items() if k[: len(key)] != key}
            origins[key] = Origin(self.rule, why, source(key))
        return replace(self, tree=_frozen_copy(merged), origins=MappingProxyType(origins))

    def decide(self, topic: str, reason: str, source: str = "") -> "Draft":
        """Record a choice that left the config unchanged (shown by `--explain`)."""
        return replace(self, decisions=self.decisions + (Decision(self.rule, topic, reason, source),))

    def report(self, severity: Severity, message: str, hint: str = "", *,
               file: str = "", line: int = 0, col: int = 0, path: str = "") -> "Draft":
        """A diagnostic from the running rule, under that rule's code (the engine sets `rule`)."""
        diag = Diagnostic(file=file, line=line, col=col, code=self.rule, severity=severity,
                          message=message, hint=hint, path=path, rule=self.rule)
        return self.with_diagnostic(diag)

    def with_diagnostic(self, diag: Diagnostic) -> "Draft":
        return replace(self, diagnostics=self.diagnostics + (diag,))

    def plain(self) -> dict:
        """A mutable deep copy for emitting and validating."""
        return _thaw(self.tree)

    def origin_of(self, path: Key) -> Origin | None:
        """The origin recorded at `path` or its nearest ancestor."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.origins:
                return self.origins[path[:end]]
        return None


def _key(path: str | Key | Slot) -> Key:
    if isinstance(path, Slot):
        return path.path
    if isinstance(path, tuple):
        return path
    return tuple(int(p) if p.isdigit() else p for p in path.split("."))


def _frozen_copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): _frozen_copy(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_frozen_copy(v) for v in value)
    return copy.copy(value)


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


def _write(node: Any, key: Key, value: Any) -> Any:
    if not key:
        return value
    head, rest = key[0], key[1:]
    if isinstance(node, tuple) and isinstance(head, int):
        items = list(node)
        if head == len(items):  # one past the end appends (an override adding a task)
            items.append(MappingProxyType({}) if rest else None)
        items[head] = _write(items[head], rest, value)
        return tuple(items)
    base = dict(node) if isinstance(node, Mapping) else {}
    child = _write(base.get(head, MappingProxyType({})), rest, value)
    if child is _MISSING:
        base.pop(head, None)
    else:
        base[head] = child
    return MappingProxyType(base)


def leaves(tree: Any, prefix: Key = ()) -> Iterator[tuple[Key, Any]]:
    """Every scalar (and empty container) with its path, in tree order."""
    if isinstance(tree, Mapping) and tree:
        for k, v in tree.items():
            yield from leaves(v, (*prefix, k))
    elif isinstance(tree, (list, tuple)) and tree:
        for i, v in enumerate(tree):
            yield from leaves(v, (*prefix, i))
    else:
        yield prefix, tree
