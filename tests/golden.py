"""Golden cases: golden/<case>/spec.yaml with the checkpoint files it needs, and either
expected.yaml (the compiled config) or expected.txt (the diagnostics of a refused spec).

A case's own absolute directory appears in the output wherever a relative checkpoint path was
resolved; it is stored as /nelc-golden/<case> so goldens do not depend on the clone's location.
"""

from __future__ import annotations

import os
from pathlib import Path

from nelc.pipeline import Pair, compile_with_baseline

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
PORTABLE_ROOT = "/nelc-golden"


def cases() -> list[Path]:
    return sorted(p.parent for p in GOLDEN.glob("*/spec.yaml"))


def compile_case(case: Path) -> Pair:
    hf_home = case / "hf-home"
    if hf_home.is_dir():
        os.environ["HF_HOME"] = str(hf_home)
    return compile_with_baseline((case / "spec.yaml").read_bytes(), case / "spec.yaml", display="spec.yaml")


def portable(text: str, case: Path) -> str:
    return text.replace(str(case.resolve()), f"{PORTABLE_ROOT}/{case.name}")


def rendered(result: Pair, case: Path) -> dict[str, str]:
    """{file name: text} the case expects: the YAML (and its baseline's), or every diagnostic when refused."""
    if result.ok:
        files = {"expected.yaml": portable(result.candidate.yaml, case)}
        if result.baseline is not None:
            files["expected.baseline.yaml"] = portable(result.baseline.yaml, case)
        return files
    return {"expected.txt": portable("\n".join(d.render() for d in result.diagnostics) + "\n", case)}
