"""Talking to the real `nel` of NEL 0.2.6: a subprocess with a timeout, and the shapes of what it
prints (`nel status --json`, submission and error lines), each with the NEL file it comes from."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from dataclasses import dataclass
from typing import Callable

from nelc.diagnostics import printable
from nelc.secretscan import scrubbed

# NEL 0.2.6's job states (executors/base.py:32-39) and what `nel status --json` adds (api/functional.py:465-598).
STATUSES = {"pending", "running", "success", "failed", "killed", "not_found", "error", "unknown"}
TERMINAL = {"success", "failed", "killed", "not_found", "error"}
INSTALL = "pip install 'nemo-evaluator-launcher=={version}'"
Shell = Callable[[list[str], float], subprocess.CompletedProcess]


class RunError(Exception):
    """A coded refusal (X001-X008): nothing further is submitted."""

    def __init__(self, code: str, message: str, hint: str):
        super().__init__(f"error[{code}]: {message}\n  hint: {hint}")
        self.code = code


@dataclass(frozen=True)
class Timeouts:
    """Seconds each kind of `nel` call may take before it counts as hung."""

    version: float = 60
    dry_run: float = 900
    submit: float = 900
    status: float = 120
    copy: float = 1800
    ssh: float = 60


def run_subprocess(cmd: list[str], timeout: float) -> subprocess.CompletedProcess:
    """The real `shell` for Runner: a missing program is exit 127 and a hang exit 124, as in a shell."""
    program = shutil.which(cmd[0])
    if program is None:
        return subprocess.CompletedProcess(cmd, 127, "", f"{cmd[0]}: not found")
    try:
        return subprocess.run([program, *cmd[1:]], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(cmd, 124, "", f"timed out after {timeout:g} s")


INVOCATION = re.compile(r"Invocation ID: ([0-9a-f]{8,64})\b")  # NEL 0.2.6 cli/run.py:317; ids are token_hex(8)
_SPAWNED: list[subprocess.Popen] = []  # submitted `nel` processes, kept so they are reaped, never waited on


def submit_detached(cmd: list[str], log: Path, timeout: float, poll: float = 0.2) -> subprocess.CompletedProcess:
    """Run a submitting `nel run` with its output in `log` (mode 0600) and return as soon as it has
    printed its invocation id, or has exited, or `timeout` passed (exit 124).

    NEL's local executor starts run.sh detached but with `nel`'s stdout, so a captured pipe stays
    open until the whole job ends: waiting on it turns every long canary into a failed submission
    without an invocation id (and a rerun into a duplicate). A file has no such reader to wait for."""
    program = shutil.which(cmd[0])
    if program is None:
        return subprocess.CompletedProcess(cmd, 127, "", f"{cmd[0]}: not found")
    log.parent.mkdir(parents=True, exist_ok=True)
    if log.is_symlink():
        log.unlink()
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as out:
        proc = subprocess.Popen([program, *cmd[1:]], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    _SPAWNED.append(proc)
    deadline = time.monotonic() + timeout
    while True:
        code = proc.poll()
        text = log.read_bytes()[-1024 * 1024:].decode("utf-8", errors="replace")
        if INVOCATION.search(text):
            return subprocess.CompletedProcess(cmd, code or 0, text, "")
        if code is not None:
            return subprocess.CompletedProcess(cmd, code, text, "")
        if time.monotonic() > deadline:
            return subprocess.CompletedProcess(cmd, 124, text, f"printed no invocation id after {timeout:g} s (still running; "
                                                               f"its output: {log})")
        time.sleep(poll)


def parse_status(proc: subprocess.CompletedProcess, invocation: str) -> tuple[dict[str, str], str]:
    """`nel status INV --json` (NEL api/functional.py:443-601): a non-empty JSON list of jobs with
    known statuses. Returns (job id -> status, problem); anything else is a problem.

    >>> parse_status(subprocess.CompletedProcess([], 0, '[{"job_id": "ab.0", "status": "running"}]', ""), "ab")
    ({'ab.0': 'running'}, '')
    >>> parse_status(subprocess.CompletedProcess([], 0, "[]", ""), "ab")[1]
    'nel status reports no job for invocation ab'
    """
    if proc.returncode != 0:
        return {}, f"nel status exited {proc.returncode}: {printable((proc.stderr or proc.stdout).strip()[-200:])}"
    try:
        data = json.loads(proc.stdout)
    except (ValueError, RecursionError):
        return {}, f"nel status --json printed no JSON: {printable(proc.stdout.strip()[:120])!r}"
    if not isinstance(data, list):
        return {}, f"nel status --json printed a {type(data).__name__}, not a list of jobs"
    if not data:
        return {}, f"nel status reports no job for invocation {invocation}"
    jobs: dict[str, str] = {}
    for entry in data:
        status = entry.get("status") if isinstance(entry, dict) else None
        job = entry.get("job_id") or entry.get("invocation") or invocation if isinstance(entry, dict) else None
        if not isinstance(job, str) or status not in STATUSES:
            return {}, f"nel status --json has an entry without a job id and a known status: {printable(repr(entry)[:120])}"
        jobs[job] = status
    return jobs, ""


def tail(text: str, lines: int = 15) -> str:
    """The last lines of a tool's output, printable and with anything credential-shaped masked."""
    return "\n".join("  " + printable(scrubbed(line[:300])) for line in text.strip().splitlines()[-lines:])


_UNSET = re.compile(r"Environment variable '([A-Za-z_][A-Za-z0-9_]*)' \(referenced by '[^']*'\) is not set")


def explain_failure(proc: subprocess.CompletedProcess) -> str:
    """What went wrong, in words: NEL's own one-line error when it printed one, else the output's tail."""
    text = proc.stdout + proc.stderr
    if proc.returncode == 124:
        return f"  error[X004]: the nel command {proc.stderr}; nothing further is submitted"
    unset = _UNSET.search(text)  # NEL env_vars.py:130-133, raised even under --dry-run
    if unset:
        return (f"  NEL needs {unset.group(1)} in your environment (a host: variable of the config): export {unset.group(1)}=... "
                "and run again (`nelc compile --env-example FILE` lists every variable the config reads)")
    failed = re.search(r"Job submission failed, see logs \| Error: (.*)", text)
    return ("  " + printable(scrubbed(failed.group(1)[:400]))) if failed else tail(text)
