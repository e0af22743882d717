"""How nelc lives in a repository: the real pre-commit hooks, `nelc check` and `nelc init`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nelc.cli import main

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).parent / "lint"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t"})


@pytest.mark.precommit
def test_real_pre_commit_stops_a_bad_config(tmp_path):
    """`pre-commit try-repo` installs this repository's hooks the way a user's repo would."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    shutil.copy(HERE / "bad.yaml", repo / "bad.yaml")
    shutil.copy(HERE / "good.yaml", repo / "good.yaml")
    (repo / ".github").mkdir()
    (repo / ".github" / "ci.yml").write_text("on: [push]\njobs: {}\n")
    _git(repo, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "HF_HUB_OFFLINE": "1"}
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "nelc-lint", "--verbose"]
    bad = subprocess.run([*pre_commit, "--files", "bad.yaml", "good.yaml", ".github/ci.yml"], cwd=repo, env=env,
                         capture_output=True, text=True, timeout=900)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "bad.yaml:10:13: error[L109]" in bad.stdout
    assert "good.yaml:" not in bad.stdout  # the clean file has no findings
    assert "ci.yml:1:1: note[L100]" in bad.stdout and not re.search(r"ci\.yml:\d+:\d+: (error|warning)", bad.stdout)
    good = subprocess.run([*pre_commit, "--files", "good.yaml"], cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    assert good.returncode == 0, good.stdout + good.stderr
    # A warning alone passes; an ignore comment silences an error; [tool.nelc] strict makes warnings fail.
    good_text = (HERE / "good.yaml").read_text()
    (repo / "warn.yaml").write_text(good_text.replace("vllm/vllm-openai:v0.12.0", "vllm/vllm-openai:latest"))
    (repo / "waived.yaml").write_text(good_text.replace('walltime: "12:00:00"', "walltime: 12:00:00  # nelc: ignore[L109]"))
    assert (repo / "waived.yaml").read_text() != good_text
    _git(repo, "add", ".")
    lenient = subprocess.run([*pre_commit, "--files", "warn.yaml", "waived.yaml"], cwd=repo, env=env, capture_output=True, text=True,
                             timeout=900)
    assert lenient.returncode == 0 and "warning[L113]" in lenient.stdout and "L109" not in lenient.stdout, lenient.stdout
    (repo / "pyproject.toml").write_text("[tool.nelc]\nstrict = true\n")
    _git(repo, "add", ".")
    strict = subprocess.run([*pre_commit, "--files", "warn.yaml"], cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    assert strict.returncode == 1 and "warning[L113]" in strict.stdout, strict.stdout
    # nelc-check: a spec whose committed output is stale is stopped with the diff.
    (repo / "qwen.nelc.yaml").write_text("model: Qwen/Qwen3-8B\nmodel_type: chat_reasoning\nbenchmarks: [ifbench]\n")
    (repo / "qwen.yaml").write_text("# stale\n")
    _git(repo, "add", ".")
    check = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "nelc-check", "--verbose", "--files", "qwen.nelc.yaml"]
    stale = subprocess.run(check, cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    assert stale.returncode == 1 and "qwen.yaml (compiled now)" in stale.stdout, stale.stdout


@pytest.mark.precommit
def test_real_pre_commit_check_accepts_a_pair_compiled_with_baseline_on_the_command_line(tmp_path):
    """Issue 21: `nelc compile --baseline` once made the nelc-check hook call the pair stale and ask to remove
    NAME.baseline.yaml. The spec sits in a subfolder and is compiled from the top, as a user would."""
    repo = tmp_path / "repo"
    for name, extra in (("cand", {"quantization_config": {"quant_method": "modelopt", "quant_algo": "FP8"}}), ("base", {})):
        (repo / "configs" / name).mkdir(parents=True)
        (repo / "configs" / name / "config.json").write_text(json.dumps(
            {"model_type": "qwen3", "architectures": ["Qwen3ForCausalLM"], "torch_dtype": "bfloat16",
             "max_position_embeddings": 40960, **extra}))
    (repo / "configs" / "q.nelc.yaml").write_text("model: ./cand\nmodel_type: chat_reasoning\nbenchmarks: [gpqa]\n")
    _git(repo, "init", "-q")
    old = os.getcwd()
    os.chdir(repo)
    try:
        compiled = CliRunner().invoke(main, ["compile", "configs/q.nelc.yaml", "-o", "configs/q.yaml", "--baseline", "./base"])
    finally:
        os.chdir(old)
    assert compiled.exit_code == 0 and (repo / "configs" / "q.baseline.yaml").is_file(), compiled.output
    _git(repo, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "HF_HUB_OFFLINE": "1"}
    check = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "nelc-check", "--verbose", "--all-files"]
    current = subprocess.run(check, cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    assert current.returncode == 0 and "1 spec(s), 0 stale, 0 not compiling" in current.stdout, current.stdout + current.stderr
    baseline = repo / "configs" / "q.baseline.yaml"
    baseline.write_text(baseline.read_text().replace("num_repeats: 16", "num_repeats: 4"))
    _git(repo, "add", ".")
    stale = subprocess.run(check, cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    assert stale.returncode == 1 and "configs/q.baseline.yaml (compiled now)" in stale.stdout, stale.stdout
    assert "remove it" not in stale.stdout


def _spec_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "configs"
    repo.mkdir()
    (repo / "qwen.nelc.yaml").write_text("model: Qwen/Qwen3-8B\nmodel_type: chat_reasoning\nbenchmarks: [gpqa]\n")
    return repo


def test_check_catches_a_stale_output_and_update_fixes_it(tmp_path):
    repo = _spec_repo(tmp_path)
    runner = CliRunner()
    missing = runner.invoke(main, ["check", str(repo)])
    assert missing.exit_code == 1 and "qwen.yaml (compiled now)" in missing.stdout
    assert runner.invoke(main, ["check", str(repo), "--update"]).exit_code == 0
    assert runner.invoke(main, ["check", str(repo)]).exit_code == 0
    compiled = repo / "qwen.yaml"
    compiled.write_text(compiled.read_text().replace("num_repeats: 16", "num_repeats: 4"))
    stale = runner.invoke(main, ["check", str(repo)])
    assert stale.exit_code == 1
    assert "-              num_repeats: 4" in stale.stdout and "+              num_repeats: 16" in stale.stdout


def test_check_over_the_projects_goldens():
    result = CliRunner().invoke(main, ["check", str(ROOT / "golden"), "--portable", "/nelc-golden"])
    assert result.exit_code == 0, result.stdout + result.stderr


def test_check_without_specs_is_a_usage_error(tmp_path):
    assert CliRunner().invoke(main, ["check", str(tmp_path)]).exit_code == 2


def test_init_asks_on_a_terminal_only_what_the_answers_need():
    from nelc.repo.init import gather_answers

    script = iter(["slurm", "sglang", "mlflow", "reasoning", "core_reasoning, gpqa", "login.example.com", "llm", "alice",
                   "/lustre/out", "https://mlflow.example.com"])
    asked: list[str] = []

    def ask(question, choices, default):
        asked.append(question)
        return next(script)

    answers, missing = gather_answers({"model": "Qwen/Qwen3-8B"}, ask)
    assert missing == [] and next(script, None) is None and len(asked) == 10
    assert answers["model_type"] == "chat_reasoning" and answers["benchmarks"] == ["core_reasoning", "gpqa"]
    assert not any(q.startswith(("Endpoint", "W&B", "NIM")) for q in asked)  # only what the answers need


def test_init_by_flags_writes_a_spec_that_compiles(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    flags = ["--model", "Qwen/Qwen3-8B", "--execution", "slurm", "--deployment", "sglang", "--export", "mlflow",
             "--model-type", "reasoning", "--benchmarks", "core_reasoning, gpqa", "--slurm-hostname", "login.example.com",
             "--slurm-account", "llm", "--slurm-username", "alice", "--output-dir", "/lustre/out",
             "--mlflow-uri", "https://mlflow.example.com", "--slurm-walltime", "02:00:00", "-o", "eval.nelc.yaml"]
    result = CliRunner().invoke(main, ["init", *flags])
    assert result.exit_code == 0, result.output
    assert "nelc compile eval.nelc.yaml -o eval.yaml" in result.output
    import yaml

    text = Path("eval.nelc.yaml").read_text()
    schema = text.splitlines()[0].split("$schema=", 1)[1]
    assert Path(schema).is_file(), "the editor modeline names a file that exists"
    spec = yaml.safe_load(text)
    assert spec["model_type"] == "chat_reasoning" and spec["benchmarks"] == ["core_reasoning", "gpqa"]
    assert spec["slurm"] == {"hostname": "login.example.com", "account": "llm", "username": "alice", "walltime": "02:00:00"}
    compiled = CliRunner().invoke(main, ["compile", "eval.nelc.yaml", "-o", "eval.yaml"])
    assert compiled.exit_code == 0, compiled.output
    again = CliRunner().invoke(main, ["init", *flags])
    assert again.exit_code == 1 and "never overwrites" in again.output


def test_init_without_a_terminal_lists_the_missing_flags(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init", "--model", "org/m", "--execution", "slurm", "--no-input"])
    assert result.exit_code == 2
    assert "--slurm-hostname, --slurm-account, --slurm-username, --output-dir" in result.output
    assert not Path("nelc-spec.nelc.yaml").exists()


def test_init_non_interactive_with_flags(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["init", "--model", "./ckpt", "--execution", "local", "--deployment", "vllm", "--export", "none",
                                       "--model_type", "base", "--benchmarks", "general_knowledge", "-o", "s.nelc.yaml"])
    assert result.exit_code == 0 and "benchmarks: [general_knowledge]" in Path("s.nelc.yaml").read_text()


def test_init_never_writes_a_secret_or_an_invalid_spec(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    token = "hf_abcdefghijklmnopqrstuvwxyz0123"
    result = CliRunner().invoke(main, ["init", "--no-input", "--model", "org/m", "--deployment", "none", "--endpoint-url",
                                       "http://x/v1/chat/completions", "--endpoint-model-id", "m", "--endpoint-key-name", token,
                                       "-o", "s.nelc.yaml"])
    assert result.exit_code == 1 and "S007" in result.output and token not in result.output
    bad_time = CliRunner().invoke(main, ["init", "--no-input", "--model", "org/m", "--execution", "slurm", "--slurm-hostname", "h",
                                         "--slurm-account", "a", "--slurm-username", "u", "--output-dir", "/o",
                                         "--slurm-walltime", "4h", "-o", "s.nelc.yaml"])
    assert bad_time.exit_code == 1 and "S006" in bad_time.output
    empty = CliRunner().invoke(main, ["init", "--no-input", "--model", "", "-o", "s.nelc.yaml"])
    assert empty.exit_code == 2 and "--model" in empty.output
    assert not (tmp_path / "s.nelc.yaml").exists()
