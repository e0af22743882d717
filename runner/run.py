"""`nelc run`: dry run -> one canary per risk class -> full run, driving the real `nel`.

Execution stays out of the compiler: this module only calls `nel` (and `ssh` for the SLURM
registry preflight) through an injected `shell`, reports progress through an injected `say`,
and keeps each stage's outcome in a state file next to the config, so a rerun resumes. A failed
canary can never lead to a full run; every submission needs `--yes` or an answer at a prompt.
Nothing passes on missing evidence: the `nel` on PATH must be the NEL version the config was
compiled for, every call has a timeout, `nel status` must say something well-formed, and a canary
passes only when the copied artifacts show its task scored its samples with clean logs.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

from nelc import NEL_VERSION
from nelc.diagnostics import CompileError, Diagnostic, Severity, printable
from nelc.knowledge import RISK_ORDER, recipe_for_task, risk_of, same_task
from nelc.lint import lint_bytes
from nelc.lint.policy import load_policy
from nelc.load import decode, load_yaml
from nelc.nelconfig import dig, execution_type, tasks_of
from nelc.output import write_atomic

from .logs import last_errors
from .nel import INSTALL, INVOCATION, TERMINAL, RunError, Shell, Timeouts, explain_failure, parse_status, run_subprocess, submit_detached
from .images import CREDENTIALS_COMMAND, PUBLIC_ALTERNATIVES, credential_hosts, images_of, registry_host
from .verify import TaskReport, verify_run

# run_subprocess, RunError and Timeouts are part of this module's API (the CLI and tests build a Runner from them).
__all__ = ["Runner", "RunOptions", "RunError", "Timeouts", "canary_evidence", "plan_canaries", "run_subprocess"]

UNLISTED = re.compile(r"Found \d+ unlisted task\(s\) not in FDF mapping: ([^\n]*?)\. ")  # NEL 0.2.6 common/helpers.py:562-572
AUTH_FAILURE = re.compile(r"pyxis: failed to import docker image|unauthorized: authentication required|curl: \(22\).*401", re.I)
@dataclass(frozen=True)
class RunOptions:
    config: Path
    tasks: tuple[str, ...] = ()
    canary_samples: int = 10
    yes: bool = False
    poll_seconds: float = 30.0
    max_wait_seconds: float = 48 * 3600
    nel: str = "nel"
    restart: bool = False
    timeouts: Timeouts = Timeouts()

    def problems(self) -> list[str]:
        """Options that would only fail after a canary was submitted, refused before anything runs."""
        out = []
        if not (math.isfinite(self.poll_seconds) and self.poll_seconds > 0):
            out.append(f"--poll must be a positive number of seconds, not {self.poll_seconds}")
        if not (math.isfinite(self.max_wait_seconds) and self.max_wait_seconds > 0):
            out.append(f"--max-wait must be a positive number of hours, not {self.max_wait_seconds / 3600}")
        return out


@dataclass
class Runner:
    options: RunOptions
    shell: Shell
    say: Callable[[str], None]
    confirm: Callable[[str], bool]
    state: dict = field(default_factory=dict)
    config_digest: str = ""  # the config the dry run and canaries vouched for
    submitter: Callable[[list[str], Path, float], "subprocess.CompletedProcess"] = submit_detached
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)

    # ----- state ------------------------------------------------------------------------------
    @property
    def state_file(self) -> Path:
        return self.options.config.with_name(self.options.config.name + ".nelc-run.json")

    @property
    def work_dir(self) -> Path:
        return self.options.config.with_name(self.options.config.name + ".nelc-run")

    def load_state(self, raw: bytes) -> None:
        digest = hashlib.sha256(raw).hexdigest()
        saved = {}
        if self.options.restart and self.state_file.exists():
            self.state_file.unlink()
            self.say("--restart: the saved state is dropped; starting from the dry run")
        elif self.state_file.exists():
            try:
                saved = json.loads(self.state_file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                saved = None
            if not isinstance(saved, dict) or not isinstance(saved.get("stages"), dict) \
                    or not all(isinstance(v, dict) for v in saved["stages"].values()):
                raise RunError("X005", f"the state file {self.state_file} is not readable nelc run state",
                               "rerun with --restart to start again from the dry run (stages already submitted are not undone)")
        if saved.get("config_sha256") != digest or saved.get("tasks") != list(self.options.tasks):
            saved = {"config_sha256": digest, "tasks": list(self.options.tasks), "stages": {}}
            if self.state_file.exists():
                self.say("the config changed since the last run: starting from the dry run")
        self.state = saved

    def save(self) -> None:
        # 0600: the state records what nel and the logs said, which may name hosts, users or worse
        write_atomic(self.state_file, json.dumps(self.state, indent=2, sort_keys=True) + "\n", force=True, mode=0o600)

    def stage(self, name: str) -> dict:
        return self.state["stages"].setdefault(name, {})

    # ----- the gate ---------------------------------------------------------------------------
    def run(self) -> int:
        """The gate. Raises RunError (coded) or CompileError (the config is not readable YAML)."""
        problems = self.options.problems()
        if problems:
            raise RunError("X006", "; ".join(problems), "use positive, finite numbers")
        raw = self.options.config.read_bytes()
        loaded = load_yaml(decode(raw, str(self.options.config)), str(self.options.config))
        self.lint_first(raw)
        config = loaded.data if isinstance(loaded.data, dict) else {}
        self.check_nel_version(loaded.text)
        plan = plan_canaries(config, self.options.tasks)
        if not plan:  # nothing to prove the run on: never a full run on no evidence
            raise RunError("X007", "no canary can be planned: " + (
                f"no task of evaluation.tasks matches -t {' '.join(self.options.tasks)}" if self.options.tasks
                else "the config lists no evaluation.tasks (tasks composed from other files are not seen)"),
                "run with -t naming tasks exactly as evaluation.tasks lists them, and keep the task list in this file")
        self.load_state(raw)
        self.config_digest = hashlib.sha256(raw).hexdigest()
        if not self.dry_run():
            return 1
        if execution_type(config) in ("slurm/default", "slurm") and not self.preflight(config):
            return 1
        for risk, task in plan.items():
            outcome = self.canary(risk, task, config)
            if outcome == "declined":
                self.say("nothing more is submitted: the canary was declined; run `nelc run` again when ready")
                return 1
            if outcome != "passed":
                self.say("stage 2 failed: the full run is not submitted; fix the cause and run `nelc run` again")
                return 1
        return self.full_run()

    def lint_first(self, raw: bytes) -> None:
        """The same rules as `nelc lint`: a config with an error is never driven (nothing reaches nel, ssh or the terminal)."""
        display = str(self.options.config)
        # nelc lint's own policy: the nearest .nelc.toml or [tool.nelc], and the file's `# nelc: ignore[...]` comments
        result = lint_bytes(raw, self.options.config, display).under(load_policy(Path.cwd()), raw.decode("utf-8", "replace"))
        errors = [d for d in result.diagnostics if d.is_error]
        if errors:
            raise CompileError([*errors, Diagnostic(display, 1, 1, "X009", Severity.ERROR,
                                                    f"nelc lint finds {len(errors)} error(s): nothing is submitted",
                                                    f"fix them (`nelc lint {display}`); nelc run drives only what lint passes")])

    def check_nel_version(self, config_text: str) -> None:
        """The `nel` on PATH must be the NEL the config was compiled for (its header says which):
        NEL's main branch ships a different `nel` (nemo-evaluator 0.4: `nel eval run`, no `run`/`status`/`info`)."""
        wanted = re.search(r"for nemo-evaluator-launcher (\d+\.\d+)\.\d+", config_text)
        wanted_version = wanted.group(0).rsplit(" ", 1)[-1] if wanted else NEL_VERSION
        proc = self.shell([self.options.nel, "--version"], self.options.timeouts.version)
        if proc.returncode == 127:
            raise RunError("X001", f"`{self.options.nel}` was not found on PATH", "install it: " + INSTALL.format(version=wanted_version))
        if proc.returncode == 124:
            raise RunError("X004", f"`{self.options.nel} --version` {proc.stderr}", "check that `nel` starts on this machine")
        found = re.search(r"nemo_evaluator_launcher: (\d+)\.(\d+)\.(\S+)", proc.stdout)
        if found is None:
            shown = printable(proc.stdout.strip().splitlines()[0][:120] if proc.stdout.strip() else f"exit {proc.returncode}")
            raise RunError("X002", f"`{self.options.nel} --version` does not report nemo-evaluator-launcher ({shown}); "
                                   "another program (e.g. nemo-evaluator 0.4's `nel`) is first on PATH",
                           "reinstall the launcher this config targets: " + INSTALL.format(version=wanted_version))
        major_minor = f"{found.group(1)}.{found.group(2)}"
        if not wanted_version.startswith(major_minor + "."):
            raise RunError("X002", f"`{self.options.nel}` is nemo-evaluator-launcher {major_minor}.{found.group(3)}, but this config "
                                   f"was compiled for {wanted_version}", INSTALL.format(version=wanted_version))

    def dry_run(self) -> bool:
        if self.stage("dry_run").get("status") == "passed":
            self.say("stage 1 dry run: passed earlier (config unchanged)")
            return True
        self.say("stage 1 dry run: nel run --dry-run")
        proc = self.shell([self.options.nel, "run", "--config", str(self.options.config), "--dry-run", *self._task_args()],
                          self.options.timeouts.dry_run)
        ok = proc.returncode == 0 and "Job submission failed" not in proc.stdout
        unlisted = UNLISTED.search(proc.stdout + proc.stderr)
        refused = unlisted is not None and self.environ.get("NEMO_EVALUATOR_TRUST_UNLISTED_TASKS", "") != "1"
        self.stage("dry_run").update(status="passed" if ok and not refused else "failed")
        self.save()
        if not ok:
            self.say("stage 1 dry run: FAILED\n" + explain_failure(proc))
        elif refused:
            self.say(f"stage 1 dry run: FAILED\n  NEL found no task list for {printable(unlisted.group(1)[:300])} (a pinned "
                     "`container:` image's framework.yml is fetched from its registry, which this machine could not reach): "
                     "the dry run only warns, the real run refuses with 'Unlisted tasks found ... Set "
                     "NEMO_EVALUATOR_TRUST_UNLISTED_TASKS=1 to proceed.' (NEL 0.2.6 common/helpers.py:577-591)\n"
                     "  fix: export NEMO_EVALUATOR_TRUST_UNLISTED_TASKS=1 (the task is in NEL's packaged registry) and run again")
        else:
            self.say("stage 1 dry run: passed")
        return ok and not refused

    def canary(self, risk: str, task: str, config: dict, retried: bool = False) -> str:
        """passed | failed | declined"""
        record = self.stage(f"canary:{risk}")
        if record.get("status") == "passed":
            self.say(f"stage 2 canary ({risk}: {task}): passed earlier")
            return "passed"
        n = self.options.canary_samples
        if not self.options.yes and not self.confirm(f"submit the {risk} canary ({task}, {n} samples)?"):
            self.say(f"stage 2 canary ({risk}: {task}): declined, not submitted")
            return "declined"
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
            return "failed"
        record.update(invocation=invocation, task=task, status="running")
        self.save()
        statuses = self._follow(invocation, f"stage 2 canary ({risk})")
        folder = self.work_dir / f"canary-{risk}-{invocation}"
        # Two calls: one `nel info` with both flags copies the artifacts from the logs copy (exporters/utils.py:537).
        for flag in ("--copy-logs", "--copy-artifacts"):
            copied = self.shell([self.options.nel, "info", invocation, flag, str(folder)], self.options.timeouts.copy)
            if copied.returncode != 0:
                statuses.setdefault(f"nel info {flag}", f"failed ({printable(copied.stderr.strip()[-200:])})")
        reasons = [f"job {job} ended {status}" for job, status in statuses.items() if status != "success"]
        reasons += canary_evidence(task, n, verify_run(folder) if folder.is_dir() else [])
        record.update(status="failed" if reasons else "passed", reasons=reasons)
        self.save()
        if not reasons:
            self.say(f"stage 2 canary ({risk}: {task}): passed")
            return "passed"
        self.say(f"stage 2 canary ({risk}: {task}): FAILED\n" + "\n".join(f"  - {printable(r)}" for r in reasons)
                 + self._causes(folder))
        if not retried and any(AUTH_FAILURE.search(r) for r in reasons) and self.preflight(config, recheck=True):
            self.say("registry credentials are in place now: retrying the canary once")
            record.clear()
            return self.canary(risk, task, config, retried=True)
        return "failed"

    def full_run(self) -> int:
        record = self.stage("full")
        if record.get("invocation"):
            self.say(f"stage 3 full run: already submitted as {record['invocation']}")
            return 0
        if not self.options.yes and not self.confirm("every canary passed: submit the full run?"):
            self.say("stage 3 full run: declined, not submitted; every canary passed, so `nelc run` can submit it later")
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
        if not all(isinstance(part, str) and part and not part.startswith("-") for part in (host, user)):
            raise RunError("X010", "execution.hostname and execution.username must be non-empty and must not start with '-' "
                           "(ssh would read them as options)", "write the login host and your user name")
        # `--` ends ssh's options: nothing after it is read as one
        proc = self.shell(["ssh", "--", f"{user}@{host}", CREDENTIALS_COMMAND], self.options.timeouts.ssh)
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

    def _causes(self, folder: Path) -> str:
        """The last error lines of the copied logs, and where they are: the cause sits there."""
        if not folder.is_dir():
            return ""
        lines = [f"  copied logs and artifacts: {printable(str(folder))}"]
        lines += [f"  {printable(where)}: {printable(line)}" for where, line in last_errors(folder)]
        return "\n" + "\n".join(lines)

    def _submit(self, cmd: list[str]) -> str | None:
        if hashlib.sha256(self.options.config.read_bytes()).hexdigest() != self.config_digest:
            raise RunError("X008", f"{self.options.config} changed after its dry run and canaries were decided",
                           "run `nelc run` again: a changed config starts again from the dry run")
        submissions = len(list(self.work_dir.glob("submit-*.log"))) if self.work_dir.is_dir() else 0
        proc = self.submitter(cmd, self.work_dir / f"submit-{submissions + 1}.log", self.options.timeouts.submit)
        match = INVOCATION.search(proc.stdout)
        if proc.returncode != 0 or match is None:
            self.say("submission failed\n" + explain_failure(proc))
            return None
        return match.group(1)

    def _follow(self, invocation: str, label: str) -> dict[str, str]:
        """Job id -> final status; bounded by --max-wait. Unusable `nel status` output is a failure, not a wait."""
        deadline = time.monotonic() + self.options.max_wait_seconds
        last = None
        while True:
            proc = self.shell([self.options.nel, "status", invocation, "--json"], self.options.timeouts.status)
            jobs, problem = parse_status(proc, invocation)
            if problem:
                self.say(f"{label}: error[X003]: {problem}")
                return {invocation: f"unknown: {problem}"}
            summary = ", ".join(f"{j}: {s}" for j, s in sorted(jobs.items()))
            if summary != last:
                self.say(f"{label}: {summary}")
                last = summary
            if all(status in TERMINAL for status in jobs.values()):
                return jobs
            if time.monotonic() + self.options.poll_seconds > deadline:
                return {**jobs, invocation: f"still not finished after --max-wait {self.options.max_wait_seconds / 3600:g} h"}
            time.sleep(self.options.poll_seconds)


def canary_evidence(task: str, samples: int, reports: list[TaskReport]) -> list[str]:
    """Why a canary may not pass: it passes only on positive evidence that `task` ran, scored at
    least `samples` samples (or the whole dataset, when smaller) and left clean logs."""
    mine = [r for r in reports if same_task(r.name, task)]  # config.type: the short name, or harness.task if unlisted
    if not mine:
        found = ", ".join(sorted({r.name for r in reports})) or "nothing"
        return [f"{task}: the copied artifacts hold no record of this task (found: {found}); "
                "`nel info --copy-logs/--copy-artifacts` copied no evidence"]
    reasons = []
    for report in mine:
        reasons += [f"{task}: {p}" for p in report.problems]
        if report.logs == 0 and not report.problems:
            reasons.append(f"{task}: no logs were copied")
        wanted = min(samples, report.dataset_size) if report.dataset_size else samples  # never the run's own limit
        if report.problems:
            continue  # verify already said what is missing or wrong
        if report.scored is None:
            reasons.append(f"{task}: no file the harness wrote shows how many samples were scored")
        elif report.scored < wanted:
            reasons.append(f"{task}: only {report.scored} of {wanted} samples were scored")
    return list(dict.fromkeys(reasons))


def plan_canaries(config: dict, only: tuple[str, ...] = ()) -> dict[str, str]:
    """One representative task per risk class present (judge, code, simulator, plain), among the
    tasks `-t` selects (matched as NEL matches them: the name, `harness.task` or `name.<index>`)."""
    found: dict[str, str] = {}
    for index, task in tasks_of(config):
        name = str(task.get("name", ""))
        if only and not any(_selects(wanted, name, index) for wanted in only):
            continue
        found.setdefault(risk_of(name, recipe_for_task(name)), name)
    return {risk: found[risk] for risk in RISK_ORDER if risk in found}


def _selects(wanted: str, name: str, index: int) -> bool:
    return wanted == f"{name}.{index}" or same_task(wanted, name)


