"""Run the real `nel run --dry-run` of nemo-evaluator-launcher 0.2.6 on a config file and read back
the per-task config_ef.yaml it writes (base64, inside each task's run.sh or sbatch script)."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml  # PyYAML: NEL's own YAML reader, installed with nemo-evaluator-launcher

_CONFIG_EF = re.compile(r'echo "([A-Za-z0-9+/=]+)" \| base64 -d > config_ef\.yaml')
_HOST_VAR = re.compile(r"host:([A-Za-z_][A-Za-z0-9_]*)")
_KEY_NAME = re.compile(r"^\s*api_key_name:\s*([A-Za-z_][A-Za-z0-9_]*)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class DryRun:
    returncode: int
    stdout: str
    stderr: str
    config_efs: dict[str, dict]  # task script path (relative) -> decoded config_ef.yaml


def nel_executable() -> str:
    local = Path(sys.executable).parent / "nel"
    return str(local) if local.exists() else (shutil.which("nel") or "nel")


def host_variables(config_text: str) -> set[str]:
    """Every `host:` variable the config reads, plus api-key names NEL adds as host: variables;
    NEL resolves them even in a dry run."""
    declared = set(re.findall(r"^\s*([A-Za-z_][A-Za-z0-9_]*):\s*\"?lit:", config_text, re.MULTILINE))
    return set(_HOST_VAR.findall(config_text)) | (set(_KEY_NAME.findall(config_text)) - declared)


def dry_run(config: Path, workdir: Path) -> DryRun:
    """Copy `config` into `workdir` and dry-run it there, with dummy values for host: variables
    only in the subprocess environment (never real secrets), and no USER (NEL's SLURM default
    would otherwise hide a missing username)."""
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / config.name
    shutil.copyfile(config, target)
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")}
    # No NEMO_EVALUATOR_TELEMETRY_*: a dry run sends no telemetry (api/functional.py:356-360 sets them only for a
    # real run), and NEL counts a set one as a declared env var, which hides L129's crash.
    env.update({"HOME": str(workdir / "home")})
    for name in host_variables(target.read_text()):
        env[name] = f"dummy-{name.lower()}"
    proc = subprocess.run([nel_executable(), "run", "--config", str(target), "--dry-run"], cwd=workdir,
                          env=env, capture_output=True, text=True, timeout=300)
    efs = {}
    # Local runs write run.sh files; SLURM dry runs only print their sbatch scripts.
    for script in sorted(workdir.rglob("run.sh")):
        for match in _CONFIG_EF.finditer(script.read_text(errors="replace")):
            efs[str(script.relative_to(workdir))] = yaml.safe_load(base64.b64decode(match.group(1)))
    if not efs:
        for index, match in enumerate(_CONFIG_EF.finditer(proc.stdout)):
            efs[f"stdout#{index}"] = yaml.safe_load(base64.b64decode(match.group(1)))
    return DryRun(proc.returncode, proc.stdout, proc.stderr, efs)
