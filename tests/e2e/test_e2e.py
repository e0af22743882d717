"""Real runs judge nelc run and nelc verify: each case of cases.py is compiled by nelc, run through
the real `nelc run` (stage 1 dry run on the real nel, stage 2 a 10-sample canary on the real NEL
local executor, nemo-evaluator and harness wheel, stage 3 declined), and held to what it must do:
a clean canary passes and nothing beyond it is submitted; a broken one is refused with its reason.

    python -m pytest -m e2e          # all cases (~10 min on 2 cores, after build.py)
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from .build import e2e_home
from .cases import CASES, Expectation, run_case

pytestmark = pytest.mark.e2e


def _record(name: str, row: dict) -> None:
    """The case table of the last run (status, verdict, seconds), in $NELC_E2E_HOME/last-run.json."""
    times = e2e_home() / "last-run.json"
    table = json.loads(times.read_text()) if times.exists() else {}
    table[name] = row
    times.write_text(json.dumps(dict(sorted(table.items())), indent=1) + "\n")


@pytest.mark.parametrize("expectation", CASES, ids=[e.case.name for e in CASES])
def test_case(expectation: Expectation, e2e_environment, nelc_executable, tmp_path):
    started = time.monotonic()
    result = run_case(expectation.case, tmp_path / expectation.case.name, nelc_executable)
    canary = next((stage for name, stage in result.stages.items() if name.startswith("canary:")), {})
    _record(expectation.case.name, {"canary": canary.get("status") or result.stages.get("dry_run", {}).get("status"),
                                    "verdict": (result.verify or {}).get("verdict"), "exit_code": result.exit_code,
                                    "seconds": round(time.monotonic() - started, 1)})
    output = result.output
    assert not result.stages.get("full", {}).get("invocation"), "the full run is declined here: it must never be submitted"
    if expectation.passes:
        assert canary.get("status") == "passed", f"{expectation.case.name}: the canary did not pass\n{output[-3000:]}"
        assert "every canary passed: submit the full run?" in output and "declined, not submitted" in output
        assert (result.verify or {}).get("verdict") == "valid", json.dumps(result.verify)[:2000]
        (task,) = (result.verify or {})["tasks"]
        assert task["scored"] >= expectation.case.samples and task["evidence"], task
        return
    assert result.exit_code == 1, output[-3000:]
    assert canary.get("status") != "passed", f"{expectation.case.name}: a broken run passed its canary\n{output[-3000:]}"
    assert re.search(expectation.reason, output, re.I), f"{expectation.case.name}: the refusal does not name " \
                                                         f"/{expectation.reason}/\n{output[-3000:]}"
    if result.canary_folder:  # a failed canary shows where its logs are and their last error lines
        assert "copied logs and artifacts:" in output, output[-3000:]


def test_the_case_table_has_clean_and_broken_runs():
    assert any(e.passes for e in CASES) and sum(not e.passes for e in CASES) >= 5
    assert all(asdict(e.case)["samples"] == 10 for e in CASES)
