"""`nelc check`: compiled configs must be what their specs compile to today.

Convention (documented in README): a spec `NAME.nelc.yaml` compiles to `NAME.yaml` beside it; a
folder holding `spec.yaml` and `expected.yaml` (nelc's own golden layout) pairs those two. A
folder may hold `hf-home/`, a pinned Hugging Face cache used as HF_HOME, so checks run offline
and give the same answer on every machine.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic
from ..pipeline import compile_spec
from ..probe import offline_hub


@dataclass(frozen=True)
class Pair:
    spec: Path
    output: Path


@dataclass(frozen=True)
class Outcome:
    pair: Pair
    fresh: str | None  # None: the spec does not compile
    diagnostics: tuple[Diagnostic, ...]
    diff: str  # empty when current


def find_pairs(paths: list[Path]) -> list[Pair]:
    pairs = []
    for path in paths:
        candidates = sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
        for spec in candidates:
            if spec.name.endswith(".nelc.yaml"):
                pairs.append(Pair(spec, spec.with_name(spec.name[: -len(".nelc.yaml")] + ".yaml")))
            elif spec.name == "spec.yaml" and (spec.parent / "expected.yaml").exists():
                pairs.append(Pair(spec, spec.parent / "expected.yaml"))
    return pairs


def portable(text: str, spec: Path, prefix: str | None) -> str:
    """With `--portable PREFIX`, the spec's absolute folder is written as PREFIX/<folder name>."""
    return text.replace(str(spec.parent.resolve()), f"{prefix}/{spec.parent.name}") if prefix else text


def check_pair(pair: Pair, prefix: str | None) -> Outcome:
    hf_home = pair.spec.parent / "hf-home"
    with offline_hub(hf_home if hf_home.is_dir() else None):  # a check never depends on the network
        result = compile_spec(pair.spec.read_bytes(), pair.spec, display=pair.spec.name)
    if not result.ok:
        return Outcome(pair, None, result.diagnostics, "")
    fresh = portable(result.yaml, pair.spec, prefix)
    committed = pair.output.read_text(encoding="utf-8") if pair.output.exists() else ""
    diff = "".join(difflib.unified_diff(committed.splitlines(keepends=True), fresh.splitlines(keepends=True),
                                        f"{pair.output} (committed)", f"{pair.output} (compiled now)"))
    return Outcome(pair, fresh, result.diagnostics, diff)
