"""The end-to-end cases need the environment tests/e2e/build.py makes and private namespaces
(`unshare --net --pid`, root or user namespaces). Without them every e2e test is skipped with one
line saying why; CI has both and runs them (`python -m pytest -m e2e`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .build import e2e_home

HERE = Path(__file__).resolve().parent


def _namespaces_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "--net", "--pid", "--fork", "--kill-child", "true"], capture_output=True).returncode == 0


@pytest.fixture(scope="session")
def e2e_environment() -> Path:
    """Build (or reuse) the venvs, datasets and checkpoint; the e2e home."""
    if not _namespaces_work():
        pytest.skip("e2e: `unshare --net --pid` is not permitted here (run as root or with user namespaces)")
    subprocess.run([sys.executable, str(HERE / "build.py")], check=True, stdout=subprocess.DEVNULL)
    return e2e_home()


@pytest.fixture(scope="session")
def nelc_executable() -> str:
    found = Path(sys.executable).with_name("nelc")
    return str(found) if found.exists() else (shutil.which("nelc") or "nelc")
