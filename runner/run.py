"""`nelc run`: dry run -> one canary per risk class -> full run, driving the real `nel`.

Execution stays out of the compiler: this module only calls `nel` (and `ssh` for the SLURM
registry preflight) through an injected `shell`, reports progress through an injected `say`,
and keeps each stage's outcome in a state file next to the config, so a rerun resumes. A failed
canary can never lead to a full run; every submission needs `--yes` or an answer at a prompt.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from nelc.knowledge import RISK_ORDER, recipe_for_task, risk_of
from nelc.load import decode, load_yaml
from nelc.nelconfig import dig, execution_type, tasks_of

from .images import CREDENTIALS_COMMAND, PUBLIC_ALTERNATIVES, credential_hosts, images_of, registry_host
from .verify import verify_run

TERMINAL = {"success", "failed", "killed", "not_found", "error"}
AUTH_FAILURE = re.compile(r"pyxis: failed to import docker image|unauthorized: authentication required|curl: \(22\).*401", re.I)
Shell = Callable[[list[str]], subprocess.CompletedProcess]


@dataclass(frozen=True)
class RunOptions:
    config: Path
    tasks: tuple[str, ...] = ()
    canary_samples: int = 10
    yes: bool = False
    poll_seconds: float = 30.0
    max_wait_seconds: float = 48 * 3600
    nel: str = "nel"


@dataclass
class Runner:
    options: RunOptions
    shell: Shell
    say: Callable[[str], None]
    confirm: Callable[[str], bool]
    state: dict = field(default_factory=dict)

    # ----- state ------------------------------------------------------------------------------
    @property
    def state_file(self) -> Path:
        return self.options.config.with_name(self.options.config.name + ".nelc-run.json")

    @property
    def work_dir(self) -> Path:
        return self.options.config.with_name(self.options.config.name + ".nelc-run")

    def load_state(self) -> None:
        digest = hashlib.sha256(self.options.config.read_bytes()).hexdigest()
        saved = json.loads(self.state_file.read_text()) if self.state_file.exists() else {}
        if saved.get("config_sha256") != digest or saved.get("tasks") != list(self.options.tasks):
            saved = {"config_sha256": digest, "tasks": list(self.options.tasks), "stages": {}}
            if self.state_file.exists():
                self.say("the config changed since the last run: starting from the dry run")
        self.state = saved

    def save(self) -> None:
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state, indent=2, sort_keys=True) + "\n")
        tmp.replace(self.state_file)

    def stage(self, name: str) -> dict:
        return self.state["stages"].setdefault(name, {})

    # ----- the gate ---------------------------------------------------------------------------
    def run(self) -> int:
        self.load_state()
        config = load_yaml(decode(self.options.config.read_bytes(), str(self.options.config)), str(self.options.config)).data
        if not self.dry_run():
            return 1
        if execution_type(config) in ("slurm/default", "slurm") and not self.preflight(config):
            return 1
        for risk, task in plan_canaries(config, self.options.tasks).items():
            if not self.canary(risk, task, config):
                self.say("stage 2 failed: the full run is not submitted; fix the cause and run `nelc run` again")
                return 1
        return self.full_run()

    def dry_run(self) -> bool:
        if self.stage("dry_run").get("status") == "passed":
            self.say("stage 1 dry run: passed earlier (config unchanged)")
            return True
        self.say("stage 1 dry run: nel run --dry-run")
        proc = self.shell([self.options.nel, "run", "--config", str(self.options.config), "--dry-run", *self._task_args()])
        ok = proc.returncode == 0 and "Job submission failed" not in proc.stdout
        self.stage("dry_run").update(status="passed" if ok else "failed")
        self.save()
        if not ok:
            self.say("stage 1 dry run: FAILED\n" + _tail(proc.stdout + proc.stderr))
        else:
            self.say("stage 1 dry run: passed")
        return ok

    def canary(self, risk: str, task: str, config: dict, retried: bool = False) -> bool:
        record = self.stage(f"canary:{risk}")
        if record.get("status") == "passed":
            self.say(f"stage 2 canary ({risk}: {task}): passed earlier")
            return True
        n = self.options.canary_samples
        if not self.options.yes and not self.confirm(f"submit the {risk} canary ({task}, {n} samples)?"):
            self.say("not submitted")
            return False
        overrides = [f"++evaluation.nemo_evaluator_config.config.params.limit_samples={n}"]
        for index, entry in tasks_of(config):  # a task's own limit_samples would win over the global one
            if entry.get("name") == task and dig(entry, ("nemo_evaluator_config", "config", "params", "limit_samples")) is not None:
                overrides.append(f"++evaluation.tasks.{index}.nemo_evaluator_config.config.params.limit_samples={n}")
        cmd = [self.options.nel, "run", "--config", str(self.options.config), "-t", task]
        for override in overrides:
            cmd += ["-o", override]
        self.say(f"stage 2 canary ({risk}: {task}): submitting")
        invocation = self._submit(cmd)
        if invocation is None:
            record.update(status="failed", reasons=["submission failed"])
            self.save()
            return False
        record.update(invocation=invocation, task=task, status="running")
        self.save()
        statuses = self._follow(invocation, f"stage 2 canary ({risk})")
        folder = self.work_dir / f"canary-{risk}"
        self.shell([self.options.nel, "info", invocation, "--copy-logs", str(folder)])
        self.shell([self.options.nel, "info", invocation, "--copy-artifacts", str(folder)])
        reasons = [f"job {job} ended {status}" for job, status in statuses.items() if status != "success"]
        for report in verify_run(folder) if folder.exists() else []:
            if report.expected is None and report.scored is not None:
                report.expected = n  # a canary scores exactly its limit
            reasons += report.problems
            if report.scored is not None and report.scored < n:
                reasons.append(f"{task}: only {int(report.scored)} of {n} samples evaluated")
        if not folder.exists():
            reasons.append("no logs could be copied for inspection")
        record.update(status="failed" if reasons else "passed", reasons=reasons)
        self.save()
        if not reasons:
            self.say(f"stage 2 canary ({risk}: {task}): passed")
            return True
        self.say(f"stage 2 canary ({risk}: {task}): FAILED\n" + "\n".join(f"  - {r}" for r in reasons))
        if not retried and any(AUTH_FAILURE.search(r) for r in reasons) and self.preflight(config, recheck=True):
            self.say("registry credentials are in place now: retrying the canary once")
            record.clear()
            return self.canary(risk, task, config, retried=True)
        return False

    def full_run(self) -> int:
        record = self.stage("full")
        if record.get("invocation"):
            self.say(f"stage 3 full run: already submitted as {record['invocation']}")
            return 0
        if not self.options.yes and not self.confirm("every canary passed: submit the full run?"):
            self.say("not submitted")
            return 1
        self.say("stage 3 full run: submitting (no limit_samples)")
        invocation = self._submit([self.options.nel, "run", "--config", str(self.options.config), *self._task_args()])
        if invocation is None:
            return 1
        record.update(invocation=invocation, status="submitted")
        self.save()
        self.say(f"stage 3 full run: submitted as {invocation}\n  follow: {self.options.nel} status {invocation}\n"
                 f"  when it ends: nelc verify <output_dir>/<timestamp>-{invocation}")
        return 0

    # ----- SLURM registry preflight -----------------------------------------------------------
    def preflight(self, config: dict, recheck: bool = False) -> bool:
        record = self.stage("preflight")
        if record.get("status") == "passed" and not recheck:
            return True
        images = images_of(config)
        private = {image: registry for image, (registry, public) in images.items() if not public}
        self.say("preflight: images " + ", ".join(f"{i} ({images[i][0]}{'' if images[i][1] else ', private or restricted'})" for i in images))
        if not private:
            record.update(status="passed")
            self.save()
            return True
        host, user = dig(config, ("execution", "hostname")), dig(config, ("execution", "username"))
        proc = self.shell(["ssh", f"{user}@{host}", CREDENTIALS_COMMAND])
        machines = credential_hosts(proc.stdout)
        missing = {image: registry for image, registry in private.items() if registry_host(registry, image) not in machines}
        if missing:
            for image, registry in missing.items():
                hint = f"; a public alternative: {PUBLIC_ALTERNATIVES[registry]}" if registry in PUBLIC_ALTERNATIVES else ""
                self.say(f"preflight: no enroot or docker credentials for {registry} ({registry_host(registry, image)}) on {host}, "
                         f"needed by {image}{hint}")
            record.update(status="failed", missing=sorted(missing))
            self.save()
            return False
        record.update(status="passed")
        self.save()
        return True

    # ----- helpers ----------------------------------------------------------------------------
    def _task_args(self) -> list[str]:
        return [arg for task in self.options.tasks for arg in ("-t", task)]

    def _submit(self, cmd: list[str]) -> str | None:
        proc = self.shell(cmd)
        match = re.search(r"Invocation ID: ([A-Za-z0-9]+)", proc.stdout)
        if proc.returncode != 0 or match is None:
            self.say("submission failed\n" + _tail(proc.stdout + proc.stderr))
            return None
        return match.group(1)

    def _follow(self, invocation: str, label: str) -> dict[str, str]:
        deadline = time.monotonic() + self.options.max_wait_seconds
        last = None
        while True:
            proc = self.shell([self.options.nel, "status", invocation, "--json"])
            try:
                jobs = {job.get("job_id") or invocation: job.get("status", "error") for job in json.loads(proc.stdout or "[]")}
            except json.JSONDecodeError:
                jobs = {invocation: "error"}
            summary = ", ".join(f"{j}: {s}" for j, s in sorted(jobs.items()))
            if summary != last:
                self.say(f"{label}: {summary}")
                last = summary
            if jobs and all(status in TERMINAL for status in jobs.values()):
                return jobs
            if time.monotonic() > deadline:
                return {**jobs, invocation: "timed out waiting"}
            time.sleep(self.options.poll_seconds)


def plan_canaries(config: dict, only: tuple[str, ...] = ()) -> dict[str, str]:
    """One representative task per risk class present (judge, code, simulator, plain)."""
    found: dict[str, str] = {}
    for _, task in tasks_of(config):
        name = str(task.get("name", ""))
        if only and name not in only:
            continue
        found.setdefault(risk_of(name, recipe_for_task(name)), name)
    return {risk: found[risk] for risk in RISK_ORDER if risk in found}


def run_subprocess(cmd: list[str]) -> subprocess.CompletedProcess:
    """The real `shell` for Runner: a missing program is exit 127, as in a shell."""
    program = shutil.which(cmd[0]) or cmd[0]
    try:
        return subprocess.run([program, *cmd[1:]], capture_output=True, text=True)
    except FileNotFoundError as exc:
        return subprocess.CompletedProcess(cmd, 127, "", f"{exc.filename}: not found")


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join("  " + line for line in text.strip().splitlines()[-lines:])
