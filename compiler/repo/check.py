"""`nelc check`: compiled configs must be what their specs compile to today.

Convention (documented in README): a spec `NAME.nelc.yaml` compiles to `NAME.yaml` beside it; a
folder holding `spec.yaml` and `expected.yaml` (nelc's own golden layout) pairs those two. A
folder may hold `hf-home/`, a pinned Hugging Face cache used as HF_HOME, so checks run offline
and give the same answer on every machine. A pair compiled with `--baseline MODEL` records it in the
config's header, and is recompiled with it (unless the spec has since gained its own `baseline:`).
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import CompileError, Diagnostic, Severity
from ..load import MAX_BYTES
from ..output import baseline_path
from ..pipeline import compile_with_baseline, recorded_baseline
from ..probe import offline_hub
from ..safeio import IsLink, NotRegular, read_regular


@dataclass(frozen=True)
class Pair:
    spec: Path
    output: Path


@dataclass(frozen=True)
class Output:
    path: Path
    fresh: str | None  # None: the file should not exist
    diff: str  # empty when current


@dataclass(frozen=True)
class Outcome:
    pair: Pair
    fresh: str | None  # None: the spec does not compile
    diagnostics: tuple[Diagnostic, ...]
    diff: str  # empty when current
    outputs: tuple[Output, ...] = ()  # every file the spec compiles to (the config, and a baseline beside it)


def find_pairs(paths: list[Path]) -> list[Pair]:
    """Spec/output pairs under `paths`, walking folders without following symbolic links."""
    pairs = []
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            candidates = sorted(Path(folder) / name for folder, _, names in os.walk(path, followlinks=False)
                                for name in names if name.endswith(".yaml"))
        else:
            candidates = [path]
        for spec in candidates:
            if spec.name.endswith(".nelc.yaml"):
                pairs.append(Pair(spec, spec.with_name(spec.name[: -len(".nelc.yaml")] + ".yaml")))
            elif spec.name == "spec.yaml" and os.path.lexists(spec.parent / "expected.yaml"):
                pairs.append(Pair(spec, spec.parent / "expected.yaml"))
    return pairs


def shown(path: Path) -> str:
    """A path as the user can find it from where nelc runs: relative to the current folder when under it
    (two specs of one name in different folders must not print alike).

    >>> shown(Path.cwd() / "sub" / "q.nelc.yaml") == str(Path("sub") / "q.nelc.yaml")
    True
    """
    if not path.is_absolute():
        return str(path)
    try:  # abspath, not resolve: a linked folder keeps the name the user sees
        return str(Path(os.path.abspath(path)).relative_to(os.getcwd()))
    except ValueError:
        return str(path)


def read_text(file: Path) -> str:
    """A spec or compiled config as text: a regular file, not a link, UTF-8; else CompileError (F001, F004-F006)."""
    try:
        raw = read_regular(file, MAX_BYTES, follow_links=False)
    except IsLink:
        raise _error(file, "F004", "is a symbolic link; nelc check never follows links",
                     "commit the file itself (a link could point anywhere, e.g. /proc/self/environ)") from None
    except NotRegular:
        raise _error(file, "F005", "is not a regular file (a FIFO, device or folder)", "replace it with a regular file") from None
    except OSError as exc:
        raise _error(file, "F001", f"cannot read: {exc.strerror}", "check the file's permissions") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _error(file, "F006", "is not UTF-8 text", "save it as UTF-8") from None


def _error(file: Path, code: str, message: str, hint: str) -> CompileError:
    return CompileError([Diagnostic(shown(file), 0, 0, code, Severity.ERROR, message, hint)])


def portable(text: str, spec: Path, prefix: str | None) -> str:
    """With `--portable PREFIX`, the spec's absolute folder is written as PREFIX/<folder name>."""
    return text.replace(str(spec.parent.resolve()), f"{prefix}/{spec.parent.name}") if prefix else text


def check_pair(pair: Pair, prefix: str | None) -> Outcome:
    try:
        spec_text = read_text(pair.spec)
        committed = read_text(pair.output) if os.path.lexists(pair.output) else ""
    except CompileError as exc:
        return Outcome(pair, None, exc.diagnostics, "")
    hf_home = pair.spec.parent / "hf-home"
    recorded = recorded_baseline(committed)  # `nelc compile --baseline` wrote the pair: compile it the same way
    with offline_hub(hf_home if hf_home.is_dir() and not hf_home.is_symlink() else None):  # never the network
        compiled = compile_with_baseline(spec_text.encode("utf-8"), pair.spec, display=shown(pair.spec), baseline=recorded)
        if recorded is not None and any(d.code == "C003" for d in compiled.diagnostics):  # the spec has its own since: it wins
            compiled = compile_with_baseline(spec_text.encode("utf-8"), pair.spec, display=shown(pair.spec))
    if not compiled.ok:
        return Outcome(pair, None, compiled.diagnostics, "")
    outputs = [_output(pair.output, committed, portable(compiled.candidate.yaml, pair.spec, prefix))]
    path = baseline_path(pair.output)
    if compiled.baseline is not None or os.path.lexists(path):  # a baseline left from an older spec is stale too
        try:
            old = read_text(path) if os.path.lexists(path) else ""
        except CompileError as exc:
            return Outcome(pair, None, exc.diagnostics, "")
        outputs.append(_output(path, old, portable(compiled.baseline.yaml, pair.spec, prefix) if compiled.baseline else None))
    return Outcome(pair, outputs[0].fresh, compiled.diagnostics, "".join(o.diff for o in outputs), tuple(outputs))


def _output(path: Path, committed: str, fresh: str | None) -> Output:
    """fresh None: the spec no longer compiles to this file (it should not exist)."""
    after = (fresh or "").splitlines(keepends=True)
    name = shown(path)
    return Output(path, fresh, "".join(difflib.unified_diff(committed.splitlines(keepends=True), after,
                                                            f"{name} (committed)", f"{name} (compiled now)" if fresh is not None
                                                            else f"{name} (no longer compiled: remove it)")))
