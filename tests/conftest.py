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


@pytest.fixture
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


@pytest.fixture(autouse=True)
def _offline_hub(monkeypatch, tmp_path):
    """Tests never reach the Hub: offline, and an empty cache unless a test points HF_HOME elsewhere."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)


@pytest.fixture(scope="session")
def golden_dry_run(tmp_path_factory):
    """One real `nel run --dry-run` per config file (by content) per test run, shared by every test
    that examines it: the golden dry runs were each paid twice (test_nel_dryrun, test_runtime_checks)."""
    from tests.support.nel_dryrun import dry_run

    done = {}

    def run(config: Path):
        key = (str(config.resolve()), hashlib.sha256(config.read_bytes()).hexdigest())
        if key not in done:
            done[key] = dry_run(config, tmp_path_factory.mktemp("dry"))
        return done[key]
    return run
