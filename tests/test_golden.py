"""Every golden case compiles to exactly its committed output (`--update-goldens` rewrites them)."""

from __future__ import annotations

import pytest

from tests.golden import cases, compile_case, rendered


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_golden(case, update_goldens):
    files = rendered(compile_case(case), case)
    stale = {"expected.yaml", "expected.baseline.yaml", "expected.txt"} - set(files)
    if update_goldens:
        for name, text in files.items():
            (case / name).write_text(text, encoding="utf-8")
        for name in stale:
            (case / name).unlink(missing_ok=True)
    assert not [name for name in stale if (case / name).exists()], f"{case.name}: compiles to {sorted(files)}, but more is committed"
    for name, text in files.items():
        assert (case / name).read_text(encoding="utf-8") == text, f"{case.name}/{name}"


def test_enough_goldens_cover_the_matrix():
    """Issue 2 asks for executor x backend x export coverage."""
    import yaml

    seen = set()
    for case in cases():
        spec = yaml.safe_load((case / "spec.yaml").read_text())
        if (case / "expected.yaml").exists():
            seen.add((spec.get("executor", "local"), spec.get("backend", "vllm"), spec.get("export", "none")))
    executors = {e for e, _, _ in seen}
    backends = {b for _, b, _ in seen}
    exports = {x for _, _, x in seen}
    assert executors == {"local", "slurm"}
    assert backends == {"vllm", "sglang", "nim", "trtllm", "none"}
    assert exports == {"none", "mlflow", "wandb"}
    assert len(seen) >= 12
