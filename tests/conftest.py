import hashlib
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support helpers


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", help="rewrite golden/*/expected.* from the compiler")


def pytest_collection_modifyitems(config, items):
    """The end-to-end runs (tests/e2e) build ~1.5 GB of harness venvs: they run only when `-m` names
    them (`python -m pytest -m e2e`, as CI does), never as part of a plain `python -m pytest`."""
    if "e2e" in (config.option.markexpr or ""):
        return
    kept = [item for item in items if item.get_closest_marker("e2e") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item.get_closest_marker("e2e") is not None])
        items[:] = kept


def pytest_xdist_auto_num_workers(config):
    """`-n auto` (pyproject's addopts): one worker per core, but the end-to-end runs stay in one process;
    each case already keeps the machine busy with a model stand-in, a judge and a harness."""
    return 0 if "e2e" in (config.option.markexpr or "") else None


@pytest.fixture
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


@pytest.fixture(scope="session")
def worker_id(request) -> str:
    """xdist's worker name ("gw0", ...), or "master" when the suite runs in one process (`-n 0`)."""
    return getattr(request.config, "workerinput", {}).get("workerid", "master")


@pytest.fixture(autouse=True)
def _offline_hub(monkeypatch, tmp_path):
    """Tests never reach the Hub: offline, and an empty cache unless a test points HF_HOME elsewhere."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)


@pytest.fixture(scope="session")
def golden_dry_run(tmp_path_factory, worker_id):
    """One real `nel run --dry-run` per config file (by content) per test run, shared by every test
    that examines it, across xdist workers too: the golden dry runs were each paid twice
    (test_nel_dryrun, test_runtime_checks). The first worker to ask runs it under a file lock and
    pickles the result beside this run's temporary folders; the others wait for it and read it."""
    import pickle

    from filelock import FileLock  # huggingface_hub's own dependency

    from tests.support.nel_dryrun import dry_run

    # xdist workers share their run's folder (the parent of each worker's basetemp); a plain run has one.
    shared = tmp_path_factory.getbasetemp()
    shared = (shared.parent if worker_id != "master" else shared) / "golden-dry-runs"
    shared.mkdir(exist_ok=True)

    def run(config: Path):
        key = hashlib.sha256(str(config.resolve()).encode() + b"\0" + config.read_bytes()).hexdigest()[:32]
        result = shared / f"{key}.pickle"
        with FileLock(str(result) + ".lock"):
            if not result.exists():
                result.write_bytes(pickle.dumps(dry_run(config, tmp_path_factory.mktemp("dry"))))
            return pickle.loads(result.read_bytes())
    return run
