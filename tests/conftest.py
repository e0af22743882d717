import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support helpers


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", help="rewrite golden/*/expected.* from the compiler")


@pytest.fixture
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


@pytest.fixture(autouse=True)
def _offline_hub(monkeypatch, tmp_path):
    """Tests never reach the Hub: offline, and an empty cache unless a test points HF_HOME elsewhere."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
