"""Every golden case compiles to exactly its committed output (`--update-goldens` rewrites them)."""

from __future__ import annotations

import pytest

from tests.golden import cases, compile_case, rendered


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_golden(case, update_goldens):
    result = compile_case(case)
    name, text = rendered(result, case)
    other = case / ({"expected.yaml": "expected.txt", "expected.txt": "expected.yaml"}[name])
    if update_goldens:
        (case / name).write_text(text, encoding="utf-8")
        other.unlink(missing_ok=True)
    assert not other.exists(), f"{case.name}: compiles to {name}, but {other.name} is committed"
    assert (case / name).read_text(encoding="utf-8") == text


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
