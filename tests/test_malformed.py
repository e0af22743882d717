"""The malformed-input corpus (tests/malformed/): every file is refused with a coded diagnostic,
never a traceback, and no output file is left behind. Time and memory per file are measured by
`python bench/bench.py` (benchmarks print figures; unit tests do not time)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from nelc.cli import main

CORPUS = Path(__file__).parent / "malformed"
CASES = sorted(p for p in CORPUS.iterdir() if p.suffix == ".yaml" or p.is_dir())


def corpus_specs(tmp: Path) -> list[Path]:
    """Every corpus case as a spec path, plus a generated 10 MB file (too large to commit)."""
    big = tmp / "ten-megabytes.yaml"
    big.write_text("model: a/b\nbenchmarks: [x]\n" + "# padding padding padding padding padding padding\n" * 210_000)
    return [c / "spec.yaml" if c.is_dir() else c for c in CASES] + [big]


def test_corpus_has_at_least_fifty_cases():
    assert len(CASES) + 1 >= 50


@pytest.mark.parametrize("case", CASES + ["ten-megabytes"], ids=lambda c: c if isinstance(c, str) else c.name)
def test_refused_with_a_coded_diagnostic(case, tmp_path):
    if case == "ten-megabytes":
        spec = corpus_specs(tmp_path)[-1]
    else:
        work = tmp_path / "case"
        shutil.copytree(case, work) if case.is_dir() else (work.mkdir(), shutil.copy(case, work / case.name))
        spec = work / ("spec.yaml" if case.is_dir() else case.name)
    out = spec.parent / "out.yaml"
    before = set(spec.parent.iterdir())
    result = CliRunner().invoke(main, ["compile", str(spec), "-o", str(out)])
    assert result.exit_code == 1, result.output
    assert "error[" in result.stderr and "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert set(spec.parent.iterdir()) == before  # no output, no temporary file left behind
    assert "hf_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789" not in result.stderr
