"""`nelc run`: the gate, against the real `nel` for the dry run and a fake `nel` for the rest."""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nelc.cli import main
from nelc.runner.images import images_of, registry_of
from nelc.runner.run import plan_canaries
from tests.support.nel_dryrun import host_variables, nel_executable

ROOT = Path(__file__).resolve().parents[1]
RUNS = Path(__file__).parent / "runs"
pytestmark = pytest.mark.nel  # stage 1 runs the real nel


@pytest.fixture
def fake_nel(tmp_path, monkeypatch):
    """A PATH whose `nel` and `ssh` are the recording fake; returns a function to read the calls."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = Path(__file__).parent / "support" / "fake_nel.py"
    for name in ("nel", "ssh"):
        wrapper = bin_dir / name
        wrapper.write_text(f"#!{sys.executable}\nimport os, runpy\nos.environ['FAKE_NEL_AS'] = {name!r}\n"
                           f"runpy.run_path({str(script)!r}, run_name='__main__')\n")
        wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_NEL_LOG", str(log))
    monkeypatch.setenv("REAL_NEL", nel_executable())
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    # Offline, NEL cannot fetch a pinned image's task list; stage 1 refuses unless this is set (tested below).
    monkeypatch.setenv("NEMO_EVALUATOR_TRUST_UNLISTED_TASKS", "1")

    def calls() -> list[list[str]]:
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return calls


def _setup(tmp_path, monkeypatch, golden: str, scenario: dict) -> Path:
    config = tmp_path / "run.yaml"
    shutil.copy(ROOT / "golden" / golden / "expected.yaml", config)
    for name in host_variables(config.read_text()):
        monkeypatch.setenv(name, f"dummy-{name.lower()}")
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario))
    monkeypatch.setenv("FAKE_NEL_SCENARIO", str(path))
    monkeypatch.chdir(tmp_path)
    return config


def _runs(calls, full=False):
    return [c for c in calls() if c[:2] == ["nel", "run"] and "--dry-run" not in c and (full == ("-t" not in c))]


def test_passing_canary_starts_the_full_run_with_the_right_arguments(tmp_path, monkeypatch, fake_nel):
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", {
        "submissions": {"ns_gpqa": "621df7807cfb2428", "full": "ca16d4323ccef12a"}, "statuses": {"621df7807cfb2428": ["running", "success"]},
        "copies": {"621df7807cfb2428": str(RUNS / "canary-plain-ok")}})
    result = CliRunner().invoke(main, ["run", str(config), "--yes", "--poll", "0.01"])
    assert result.exit_code == 0, result.output
    (canary,) = _runs(fake_nel)
    assert canary[canary.index("-t") + 1] == "ns_gpqa"
    assert "++evaluation.nemo_evaluator_config.config.params.limit_samples=10" in canary
    (full,) = _runs(fake_nel, full=True)
    assert full == ["nel", "run", "--config", str(config)] and not any("limit_samples" in a for a in full)
    assert [s for s in ("stage 1", "stage 2", "stage 3") if s in result.output] == ["stage 1", "stage 2", "stage 3"]
    state = json.loads((tmp_path / "run.yaml.nelc-run.json").read_text())
    assert (tmp_path / "run.yaml.nelc-run.json").stat().st_mode & 0o777 == 0o600  # it records what nel and the logs said
    assert state["stages"]["full"]["invocation"] == "ca16d4323ccef12a" and state["stages"]["canary:plain"]["status"] == "passed"
    again = CliRunner().invoke(main, ["run", str(config), "--yes", "--poll", "0.01"])  # resumes: submits nothing new
    assert again.exit_code == 0 and len(_runs(fake_nel)) == 1 and len(_runs(fake_nel, full=True)) == 1


def test_failing_canary_stops_everything(tmp_path, monkeypatch, fake_nel):
    config = _setup(tmp_path, monkeypatch, "recipe-aa-lcr-modelopt-2026.05", {
        "submissions": {"aa_lcr": "7fe22042b47c3f78", "full": "3b1bc81d0ae33329"}, "statuses": {"7fe22042b47c3f78": ["running", "success"]},
        "copies": {"7fe22042b47c3f78": str(RUNS / "canary-judge-401")}})
    result = CliRunner().invoke(main, ["run", str(config), "--yes", "--poll", "0.01"])
    assert result.exit_code == 1
    assert "authorization failure" in result.output and "full run is not submitted" in result.output
    assert _runs(fake_nel, full=True) == []
    again = CliRunner().invoke(main, ["run", str(config), "--yes", "--poll", "0.01"])  # a rerun retries the canary, never skips it
    assert again.exit_code == 1 and _runs(fake_nel, full=True) == []


def test_failed_job_status_fails_the_canary(tmp_path, monkeypatch, fake_nel):
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", {
        "submissions": {"ns_gpqa": "07ba08c9d031cc2b", "full": "970a0151b1f48438"}, "statuses": {"07ba08c9d031cc2b": ["failed"]}, "copies": {}})
    result = CliRunner().invoke(main, ["run", str(config), "--yes", "--poll", "0.01"])
    assert result.exit_code == 1 and "ended failed" in result.output and _runs(fake_nel, full=True) == []


def test_nothing_is_submitted_without_yes_or_a_yes_answer(tmp_path, monkeypatch, fake_nel):
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", {"submissions": {"ns_gpqa": "c0ffee0000000001", "full": "f0ffee0000000001"}, "statuses": {}, "copies": {}})
    result = CliRunner().invoke(main, ["run", str(config), "--poll", "0.01"], input="n\n")
    assert result.exit_code == 1 and _runs(fake_nel) == [] and _runs(fake_nel, full=True) == []


def test_a_config_lint_refuses_is_never_driven(tmp_path, monkeypatch, fake_nel):
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", {"submissions": {}, "statuses": {}, "copies": {}})
    config.write_text(config.read_text().replace("served_model_name: Qwen3-8B", "served_model_name: ???"))
    result = CliRunner().invoke(main, ["run", str(config), "--yes", "--poll", "0.01"])
    assert result.exit_code == 1 and "error[L104]" in result.output and "error[X009]" in result.output
    assert fake_nel() == [], "nothing may reach nel, not even the dry run"


@pytest.mark.parametrize("edit,code", [
    # issue 22 route 9: a username that is an ssh option, an image name carrying a terminal escape sequence
    (("username: alice", "username: -oProxyCommand=touch${IFS}/tmp/nelc_pwned"), "L118"),
    (("image: vllm/vllm-openai:v0.26.0", "image: \"vllm/vllm-openai:v0.26.0\\e]0;pwned\\a\""), "L118"),
])
def test_hostile_values_never_reach_ssh_or_the_terminal(tmp_path, monkeypatch, fake_nel, edit, code):
    config = _setup(tmp_path, monkeypatch, "slurm-vllm-handle", {"submissions": {}, "statuses": {}, "copies": {}})
    text = config.read_text()
    assert edit[0] in text
    config.write_text(text.replace(edit[0], edit[1], 1))
    result = CliRunner().invoke(main, ["run", str(config), "--yes", "--poll", "0.01"])
    assert result.exit_code == 1 and f"error[{code}]" in result.output and "error[X009]" in result.output, result.output
    assert fake_nel() == [] and "\x1b" not in result.output and "\x07" not in result.output


def test_one_canary_per_risk_class():
    import yaml

    config = yaml.safe_load((ROOT / "golden" / "recipe-aa-lcr-modelopt-2026.05" / "expected.yaml").read_text())
    config["evaluation"]["tasks"] += [{"name": "ns_gpqa"}, {"name": "ns_ifbench"}, {"name": "ns_scicode"}, {"name": "tau2_bench_telecom"}]
    assert plan_canaries(config) == {"judge": "aa_lcr", "code": "ns_scicode", "simulator": "tau2_bench_telecom", "plain": "ns_gpqa"}


def test_registry_classification():
    assert [registry_of(i) for i in ("vllm/vllm-openai:v0.12.0", "haproxy:latest", "nvcr.io/nim/meta/x:1", "ghcr.io/o/i:1",
                                     "docker.io/library/python:3", "registry.corp.example:5000/team/img:1")] == [
        "DockerHub", "DockerHub", "NGC", "GHCR", "DockerHub", "registry.corp.example:5000"]


def test_slurm_preflight_checks_only_private_images(tmp_path, monkeypatch, fake_nel):
    config = _setup(tmp_path, monkeypatch, "slurm-nim", {
        "submissions": {"ns_gpqa": "225dc4a0be3e8f1d", "full": "115c053173853e2a"}, "statuses": {"225dc4a0be3e8f1d": ["success"]},
        "copies": {"225dc4a0be3e8f1d": str(RUNS / "canary-plain-ok")}})
    import yaml
    images = images_of(yaml.safe_load(config.read_text()))
    assert images["nvcr.io/nim/meta/llama-3.1-70b-instruct:1.8.6"] == ("NGC", False)
    assert images["nvcr.io/nvidia/eval-factory/nemo-skills:26.03"] == ("NGC", True)
    monkeypatch.setenv("FAKE_SSH_CREDENTIALS", "machine auth.docker.io login u password p")
    missing = CliRunner().invoke(main, ["run", str(config), "--yes", "--poll", "0.01"])
    assert missing.exit_code == 1 and "no enroot or docker credentials for NGC (nvcr.io)" in missing.output and _runs(fake_nel) == []
    ssh = [c for c in fake_nel() if c[0] == "ssh"]
    assert ssh and ssh[0][1:3] == ["--", "alice@login.cluster.example.com"]  # `--`: the destination is never an option
    monkeypatch.setenv("FAKE_SSH_CREDENTIALS", '---docker---\n{"auths": {"nvcr.io": {"auth": "x"}}}')  # docker login counts too
    ok = CliRunner().invoke(main, ["run", str(config), "--yes", "--poll", "0.01"])
    assert ok.exit_code == 0, ok.output


def test_stage_1_refuses_what_the_real_run_would_refuse_offline(tmp_path, monkeypatch, fake_nel):
    """The real dry run only warns about a pinned image's unreachable task list; the real run raises
    'Unlisted tasks found' (NEL 0.2.6 common/helpers.py:577-591). Stage 1 names the fix instead."""
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", {"submissions": {"ns_gpqa": "621df7807cfb2428"}})
    monkeypatch.delenv("NEMO_EVALUATOR_TRUST_UNLISTED_TASKS")
    result = CliRunner().invoke(main, ["run", str(config), "--yes", "--poll", "0.01"])
    assert result.exit_code == 1
    assert "stage 1 dry run: FAILED" in result.output and "export NEMO_EVALUATOR_TRUST_UNLISTED_TASKS=1" in result.output
    assert _runs(fake_nel) == []


def test_submit_returns_at_the_invocation_id_while_the_job_holds_stdout(tmp_path):
    """NEL's local executor leaves run.sh running with `nel`'s stdout: a submit that waited for the
    output to close would wait for the whole job. submit_detached returns once the id is printed."""
    from nelc.runner import nel as nel_module
    script = tmp_path / "nel"
    script.write_text("#!/bin/sh\n(sleep 60) &\necho 'Job submission successful | Invocation ID: 0123456789abcdef'\n"
                      "exec sleep 60\n")
    script.chmod(0o755)
    log = tmp_path / "work" / "submit-1.log"
    proc = nel_module.submit_detached([str(script)], log, timeout=30)
    spawned = nel_module._SPAWNED[-1]
    try:
        assert proc.returncode == 0 and "Invocation ID: 0123456789abcdef" in proc.stdout
        assert spawned.poll() is None  # still running: nothing waited for it
        assert oct(log.stat().st_mode & 0o777) == "0o600"
    finally:
        spawned.kill()
        spawned.wait()


def test_submit_that_prints_no_id_is_reported_with_its_output(tmp_path):
    from nelc.runner import nel as nel_module
    script = tmp_path / "nel"
    script.write_text("#!/bin/sh\necho 'Job submission failed, see logs | Error: boom'\nexit 1\n")
    script.chmod(0o755)
    proc = nel_module.submit_detached([str(script)], tmp_path / "submit-1.log", timeout=30)
    assert proc.returncode == 1 and "Error: boom" in proc.stdout
