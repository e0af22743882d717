"""One end-to-end case: a spec compiled by nelc, optionally edited into a broken variant, then the
real `nelc run` (stage 1 dry run, stage 2 canary, full run declined) on the real `nel run` and its
own run.sh, the real nemo-evaluator and the real harness code, with two stand-ins: the `docker` in
standins/ and a vLLM-like model server (standins/model_server.py), plus the same server as judge
or user simulator on every loopback URL the config names.

Everything runs in a private network namespace (loopback only, so ports never clash) and a private
PID namespace: when the driver ends, the kernel ends every process the job left behind.

    python -m tests.e2e.harness CASE.json     # what the test calls through `unshare`; writes RESULT.json
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from ruamel.yaml import YAML

from .build import e2e_home

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
STANDINS = HERE / "standins"
SERVER = STANDINS / "model_server.py"
CHECKPOINTS = "@E2E_CHECKPOINTS@"  # in a spec: the folder of build.py's checkpoints


@dataclass
class Case:
    """A spec, the task to canary, and what makes it a broken variant (if anything)."""

    name: str
    spec: str  # file in tests/e2e/specs/
    task: str
    edits: dict = field(default_factory=dict)  # dotted config path -> value, applied after compiling
    text_edits: dict = field(default_factory=dict)  # exact text -> replacement in the compiled YAML, applied first
    env: dict = field(default_factory=dict)  # environment of the whole job (NELC_E2E_FAULT reaches the servers)
    judge_env: dict = field(default_factory=dict)  # environment of the judge / user-simulator stand-ins only
    judge_api_key: str | None = None  # the judge stand-in requires this key (a 401 for any other)
    trust_unlisted: bool = True  # export NEMO_EVALUATOR_TRUST_UNLISTED_TASKS=1 (the fix nelc run names)
    no_datasets: bool = False  # the evaluation image's Hugging Face cache is empty
    # lint codes the broken variant trips on purpose: nelc run lints first and refuses an error, so the case
    # ignores them in a .nelc.toml beside the config, as a user who knowingly runs past a finding would
    lint_ignore: tuple = ()
    samples: int = 10


@dataclass
class Result:
    case: str
    exit_code: int | None = None
    output: str = ""
    stages: dict = field(default_factory=dict)
    canary_folder: str | None = None
    verify: dict | None = None
    seconds: float = 0.0
    server_requests: list = field(default_factory=list)


# ----- outside the namespaces: compile, derive, launch -------------------------------------------
def set_path(config: dict, dotted: str, value) -> None:
    keys = [int(k) if k.isdigit() else k for k in dotted.split(".")]
    node = config
    for key in keys[:-1]:
        node = node[key]
    if value is None and isinstance(node, dict):
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value


def prepare(case: Case, work: Path, nelc: str) -> Path:
    """Compile the case's spec with the real nelc CLI and apply its edits; the config path."""
    work.mkdir(parents=True, exist_ok=True)
    compiled = work / "compiled.yaml"
    spec = HERE / "specs" / case.spec
    text = spec.read_text(encoding="utf-8")
    if CHECKPOINTS in text:  # a spec on build.py's weightless checkpoint, which lives in the e2e home
        spec = work / case.spec
        spec.write_text(text.replace(CHECKPOINTS, str(e2e_home() / "checkpoints")), encoding="utf-8")
    proc = subprocess.run([nelc, "compile", str(spec), "-o", str(compiled), "--force"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"nelc compile {case.spec} failed:\n{proc.stderr}")
    yaml = YAML()
    yaml.preserve_quotes = True
    text = compiled.read_text(encoding="utf-8")
    for old, new in case.text_edits.items():
        if old not in text:
            raise AssertionError(f"{case.name}: the compiled config holds no {old!r} to replace")
        text = text.replace(old, new)
    config = yaml.load(text)
    set_path(config, "execution.output_dir", str(work / "results"))
    for dotted, value in case.edits.items():
        set_path(config, dotted, value)
    target = work / "config.yaml"
    with target.open("w", encoding="utf-8") as f:
        yaml.dump(config, f)
    policy = work / ".nelc.toml"
    if case.lint_ignore:
        policy.write_text("ignore = [" + ", ".join(f'"{code}"' for code in case.lint_ignore) + "]\n", encoding="utf-8")
    elif policy.exists():
        policy.unlink()
    return target


def launch(case: Case, config: Path, work: Path, timeout: float = 900) -> Result:
    """Run the driver in fresh network and PID namespaces; its Result."""
    spec = work / "case.json"
    spec.write_text(json.dumps({"case": asdict(case), "config": str(config), "work": str(work)}))
    inner = f"ip link set lo up && exec {sys.executable} -m tests.e2e.harness {spec}"
    started = time.monotonic()
    try:
        proc = subprocess.run(["unshare", "--net", "--pid", "--fork", "--kill-child", "bash", "-c", inner],
                              cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as timed_out:
        raise AssertionError(f"{case.name}: no result after {timeout:g} s\n{timed_out.stdout}") from None
    result_file = work / "result.json"
    if not result_file.exists():
        raise AssertionError(f"{case.name}: the driver wrote no result (exit {proc.returncode})\n"
                             f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    result = Result(**json.loads(result_file.read_text()))
    result.seconds = round(time.monotonic() - started, 1)
    return result


# ----- inside the namespaces: stand-ins, nelc run, evidence ---------------------------------------
def job_environment(case: Case, config_text: str, work: Path) -> dict:
    env = dict(os.environ)
    env["NELC_E2E_HOME"] = str(e2e_home())  # the docker stand-in reads the image table there
    env["PATH"] = f"{STANDINS}:{Path(sys.executable).parent}:{env.get('PATH', '')}"
    env["HOME"] = str(work / "home")  # NEL's execution database (~/.nemo-evaluator) stays with the case
    env["NELC_E2E_STATE"] = str(work / "state")
    # No NEMO_EVALUATOR_TELEMETRY_*: NEL counts a set one as a declared env var, which would hide its local
    # executor's crash on a config that declares none (L129) from stage 1's dry run. A real run sets them itself
    # (api/functional.py:356-360), and the loopback-only namespace keeps telemetry from leaving.
    for name in [n for n in env if n.startswith("NEMO_EVALUATOR_TELEMETRY_")]:
        del env[name]
    # the model server counts a checkpoint's tokens with its tokenizer.json, as vLLM does: it needs `tokenizers`,
    # which lm-eval's venv has (nelc's own does not)
    env.setdefault("NELC_E2E_SERVER_PYTHON", str(e2e_home() / "venvs" / "lm-eval" / "bin" / "python"))
    if case.no_datasets:
        empty = work / "empty-home"
        images = json.loads((Path(env["NELC_E2E_HOME"]) / "images.json").read_text())
        for entry in images.values():
            entry["home"] = str(empty)
        table = work / "e2e-home"
        table.mkdir(exist_ok=True)
        (table / "images.json").write_text(json.dumps(images))
        for link in ("venvs", "checkpoints"):
            target = table / link
            if not target.exists():
                target.symlink_to(Path(env["NELC_E2E_HOME"]) / link)
        env["NELC_E2E_HOME"] = str(table)
    for name in sorted(set(re.findall(r"host:([A-Za-z_][A-Za-z0-9_]*)", config_text))):
        env.setdefault(name, f"e2e-dummy-{name.lower()}")
    if case.trust_unlisted:
        env["NEMO_EVALUATOR_TRUST_UNLISTED_TASKS"] = "1"
    else:
        env.pop("NEMO_EVALUATOR_TRUST_UNLISTED_TASKS", None)
    env.update(case.env)
    (work / "home").mkdir(exist_ok=True)
    return env


def auxiliary_endpoints(config: dict) -> dict[int, set[str]]:
    """Loopback port -> model ids, for every judge or user-simulator URL in the config."""
    ports: dict[int, set[str]] = {}

    def walk(node):
        if isinstance(node, dict):
            url, model = node.get("url"), node.get("model_id")
            if isinstance(url, str) and isinstance(model, str):
                parsed = urlparse(url)
                if parsed.hostname in ("127.0.0.1", "localhost") and parsed.port and parsed.port != 8000:
                    ports.setdefault(parsed.port, set()).add(model)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(config)
    return ports


def start_auxiliaries(case: Case, config: dict, env: dict, state: Path) -> list[subprocess.Popen]:
    procs = []
    for port, names in sorted(auxiliary_endpoints(config).items()):
        cmd = [sys.executable, str(SERVER), "serve", "judge", "--port", str(port), "--served-model-name", *sorted(names),
               "--max-model-len", "262144", "--stub-role", "judge",
               # a hosted judge or user simulator answers tool calls (tau2's user has tools)
               "--enable-auto-tool-choice", "--tool-call-parser", "hermes", "--stub-log-jsonl", str(state / f"judge-{port}.jsonl")]
        if case.judge_api_key:
            cmd += ["--api-key", case.judge_api_key]
        log = open(state / f"judge-{port}.log", "w")
        procs.append(subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env={**env, **case.judge_env}))
    deadline = time.monotonic() + 20
    for port in auxiliary_endpoints(config):
        while time.monotonic() < deadline:
            if subprocess.run(["curl", "-s", "-o", "/dev/null", f"http://127.0.0.1:{port}/health"]).returncode == 0:
                break
            time.sleep(0.2)
    return procs


def drive(case: Case, config_path: Path, work: Path) -> Result:
    text = config_path.read_text(encoding="utf-8")
    config = YAML(typ="safe").load(text)
    env = job_environment(case, text, work)
    state = Path(env["NELC_E2E_STATE"])
    state.mkdir(parents=True, exist_ok=True)
    aux = start_auxiliaries(case, config, env, state)
    result = Result(case=case.name)
    started = time.monotonic()
    try:
        # yes to the canary, no to the full run
        proc = subprocess.run([shutil.which("nelc", path=env["PATH"]) or "nelc", "run", str(config_path),
                               "-t", case.task, "--canary", str(case.samples), "--poll", "2"],
                              input="y\nn\n", capture_output=True, text=True, env=env, cwd=work, timeout=840)
        result.exit_code = proc.returncode
        result.output = proc.stdout + proc.stderr
        state_file = config_path.with_name(config_path.name + ".nelc-run.json")
        if state_file.exists():
            result.stages = json.loads(state_file.read_text()).get("stages", {})
        canaries = sorted(config_path.with_name(config_path.name + ".nelc-run").glob("canary-*"))
        if canaries:
            result.canary_folder = str(canaries[-1])
            verified = subprocess.run(["nelc", "verify", str(canaries[-1]), "--format", "json"], capture_output=True,
                                      text=True, env=env)
            try:
                result.verify = json.loads(verified.stdout)
            except ValueError:
                result.verify = {"error": verified.stdout[-2000:] + verified.stderr[-2000:]}
        for log in sorted(state.glob("requests/*.jsonl")):
            rows = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
            result.server_requests.append({"log": log.name, "posts": sum(r.get("method") == "POST" for r in rows),
                                           "statuses": sorted({r.get("status") for r in rows if r.get("status")})})
    finally:
        for proc in aux:
            proc.send_signal(signal.SIGTERM)
        result.seconds = round(time.monotonic() - started, 1)
    return result


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text())
    case = Case(**spec["case"])
    work = Path(spec["work"])
    result = drive(case, Path(spec["config"]), work)
    (work / "result.json").write_text(json.dumps(asdict(result), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
