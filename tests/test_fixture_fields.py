"""No fixture in tests/runs/ holds a field real code does not write.

Three holds, each against real code or a real run:
- every run_config.yml validates against nemo-evaluator 0.2.8's own `Evaluation` model (extra keys
  forbidden, api/api_dataclasses.py:219-227), and every results.yml against `EvaluationResult`;
- every job's `pkg_name` is the one NEL 0.2.6's packaged registry gives its task (all_tasks_irs.yaml);
- a job of a harness that tests/e2e ran for real (tests/runs/real.json) uses only the key paths and
  the file names that real run wrote (numbers generalized: avg-of-32 and avg-of-3 are one path).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from nelc.runner.verify import verdict, verify_run

RUNS = Path(__file__).parent / "runs"
MANIFEST = json.loads((RUNS / "real.json").read_text())
JOBS = sorted(p.parent.parent for p in RUNS.glob("*/*/artifacts/run_config.yml"))
REAL = {RUNS / dest for dest in MANIFEST}


def _load(path: Path):
    return yaml.safe_load(path.read_text()) if path.exists() else None


def key_paths(node, prefix: str = "") -> set[str]:
    """Every key path of a document, numbers generalized (avg-of-32 -> avg-of-N).

    >>> sorted(key_paths({"a": {"avg-of-3": {"v": 1}}, "b": [{"c": 2}]}))
    ['a', 'a.avg-of-N', 'a.avg-of-N.v', 'b', 'b[].c']
    """
    out: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}.{re.sub(r'[0-9]+', 'N', str(key))}" if prefix else re.sub(r"[0-9]+", "N", str(key))
            out.add(path)
            out |= key_paths(value, path)
    elif isinstance(node, list):
        for value in node:
            out |= key_paths(value, f"{prefix}[]")
    return out


def file_names(job: Path) -> set[str]:
    return {re.sub(r"[0-9]+", "N", str(p.relative_to(job))) for p in job.rglob("*") if p.is_file()}


@lru_cache(maxsize=1)
def task_pkg_names() -> dict[str, set[str]]:
    """task name -> pkg_name(s), from NEL 0.2.6's packaged task registry."""
    import nemo_evaluator_launcher
    irs = Path(nemo_evaluator_launcher.__file__).parent / "resources" / "all_tasks_irs.yaml"
    out: dict[str, set[str]] = {}
    for task in yaml.load(irs.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["tasks"]:
        defaults = task.get("defaults") or {}
        for name in {task.get("name"), (defaults.get("config") or {}).get("type")} - {None}:
            out.setdefault(str(name), set()).add(str(defaults.get("pkg_name")))
    return out


def real_of(pkg: str) -> list[Path]:
    return [job for job in REAL if (_load(job / "artifacts" / "run_config.yml") or {}).get("pkg_name") == pkg]


@pytest.mark.parametrize("job", JOBS, ids=[str(j.relative_to(RUNS)) for j in JOBS])
def test_fixture_documents_validate_against_nemo_evaluators_own_models(job):
    from nemo_evaluator.api.api_dataclasses import Evaluation, EvaluationResult
    run_config = _load(job / "artifacts" / "run_config.yml")
    Evaluation.model_validate(run_config)
    results = _load(job / "artifacts" / "results.yml")
    if results is not None:
        EvaluationResult.model_validate(results)


@pytest.mark.parametrize("job", JOBS, ids=[str(j.relative_to(RUNS)) for j in JOBS])
def test_fixture_pkg_name_is_the_registrys(job):
    run_config = _load(job / "artifacts" / "run_config.yml")
    task = run_config["config"]["type"]
    known = task_pkg_names().get(task) or task_pkg_names().get(task.split(".")[-1])
    assert known, f"{task} is not in NEL 0.2.6's registry"
    assert run_config["pkg_name"] in known


@pytest.mark.parametrize("job", JOBS, ids=[str(j.relative_to(RUNS)) for j in JOBS])
def test_fixture_fields_are_fields_a_real_run_wrote(job):
    pkg = _load(job / "artifacts" / "run_config.yml")["pkg_name"]
    reals = real_of(pkg)
    if not reals:
        pytest.skip(f"no real run of harness {pkg} here (tests/e2e cannot run it: no 26.3 wheel on PyPI)")
    for name in ("results.yml", "eval_factory_metrics.json", "run_config.yml"):
        mine = key_paths(_load(job / "artifacts" / name))
        written = set().union(*(key_paths(_load(real / "artifacts" / name)) for real in reals))
        invented = sorted(mine - written)
        assert not invented, f"{name} holds paths no real {pkg} run wrote: {invented[:5]}"
    invented_files = sorted(file_names(job) - set().union(*(file_names(real) for real in reals)))
    assert not invented_files, f"files no real {pkg} run wrote: {invented_files[:5]}"


def test_every_real_fixture_is_recorded_with_its_case_and_run():
    assert MANIFEST, "tests/runs/real.json lists no fixture regenerated from a real run"
    for dest, record in MANIFEST.items():
        assert (RUNS / dest / "artifacts" / "run_config.yml").exists() or (RUNS / dest / "logs").is_dir(), dest
        assert record["case"] and isinstance(record["seconds"], (int, float))


def test_each_real_fixture_still_gets_its_cases_verdict():
    """verify today judges each real job as its case expects: a clean canary valid, a broken one not."""
    from tests.e2e.cases import by_name

    for dest, record in MANIFEST.items():
        now = verdict(verify_run(RUNS / dest))
        assert now == record["verdict"], f"{dest}: verify says {now}, tests/runs/real.json recorded {record['verdict']}"
        assert (now == "valid") is by_name(record["case"]).passes, f"{dest}: {now} for case {record['case']}"
