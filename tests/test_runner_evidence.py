"""The gate rests on evidence: `nelc run` never submits or blesses a run without proof, never hangs,
never prints a traceback; `nelc verify` judges only what NEL really wrote.

The fake `nel` (tests/support/fake_nel.py) prints what NEL 0.2.6 prints and copies job folders the
way `nel info --copy-logs/--copy-artifacts` does; the run fixtures in tests/runs/ were copied by
NEL's own copy code (tests/support/make_run_fixtures.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nelc.cli import main
from nelc.runner.run import Runner, RunOptions, Timeouts, run_subprocess
from nelc.runner.verify import as_json, verdict, verify_run
from tests.test_runner import RUNS, _runs, _setup, fake_nel  # noqa: F401 (the fixture)

CANARY, FULL = "0123456789abcdef", "fedcba9876543210"
OK = {"submissions": {"ns_gpqa": CANARY, "full": FULL}, "statuses": {CANARY: ["running", "success"]},
      "copies": {CANARY: str(RUNS / "canary-plain-ok")}}


def _run(config: Path, *extra: str):
    return CliRunner().invoke(main, ["run", str(config), "--yes", "--poll", "0.01", *extra])


def _no_submission(calls) -> bool:
    return _runs(calls) == [] and _runs(calls, full=True) == []


pytestmark = pytest.mark.nel  # stage 1 runs the real nel


def test_a_canary_that_scored_3_of_10_in_nels_real_layout_fails(tmp_path, monkeypatch, fake_nel):
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", {**OK, "copies": {CANARY: str(RUNS / "canary-3-of-10")}})
    result = _run(config)
    assert result.exit_code == 1, result.output
    assert "3 of 10 samples were scored" in result.output
    assert _runs(fake_nel, full=True) == []


def test_an_empty_copy_is_no_evidence(tmp_path, monkeypatch, fake_nel):
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", {**OK, "copies": {}})
    result = _run(config)
    assert result.exit_code == 1 and "copied no evidence" in result.output and _runs(fake_nel, full=True) == []


def test_another_tasks_artifacts_are_no_evidence(tmp_path, monkeypatch, fake_nel):
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", {**OK, "copies": {CANARY: str(RUNS / "canary-judge-ok")}})
    result = _run(config)
    assert result.exit_code == 1 and "no record of this task (found: aa_lcr)" in result.output


@pytest.mark.parametrize("raw,expected", [
    ("[]", "no job for invocation"),
    ("{}", "printed a dict"),
    ("null", "printed a NoneType"),
    ("Traceback (most recent call last):", "printed no JSON"),
    ('[{"job_id": "x.0", "status": "exploded"}]', "known status"),
])
def test_unusable_status_output_fails_the_canary_at_once(tmp_path, monkeypatch, fake_nel, raw, expected):
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", {**OK, "status_raw": {CANARY: raw}})
    result = _run(config)
    assert result.exit_code == 1 and "error[X003]" in result.output and expected in result.output
    assert "Traceback" not in result.output.replace(raw, "") and _runs(fake_nel, full=True) == []
    state = json.loads((tmp_path / "run.yaml.nelc-run.json").read_text())
    assert state["stages"]["canary:plain"]["status"] == "failed"


def test_a_hanging_status_ends_in_a_timeout(tmp_path, monkeypatch, fake_nel):
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", {**OK, "sleep": {"status": 30}})
    said: list[str] = []
    runner = Runner(RunOptions(config, yes=True, poll_seconds=0.01, timeouts=Timeouts(status=1)), run_subprocess,
                    say=said.append, confirm=lambda _: False)
    assert runner.run() == 1
    assert any("timed out after 1 s" in line for line in said)
    assert _runs(fake_nel, full=True) == []


def test_the_wait_is_bounded(tmp_path, monkeypatch, fake_nel):
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", {**OK, "statuses": {CANARY: ["running"]}})
    result = _run(config, "--max-wait", str(0.05 / 3600))
    assert result.exit_code == 1 and "still not finished after --max-wait" in result.output


def test_a_wrong_nel_version_submits_nothing(tmp_path, monkeypatch, fake_nel):
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", {**OK, "version": "nemo_evaluator_launcher: 0.4.0"})
    result = _run(config)
    assert result.exit_code == 1 and "error[X002]" in result.output
    assert "pip install 'nemo-evaluator-launcher==0.2.6'" in result.output
    assert [c for c in fake_nel() if c[:2] == ["nel", "run"]] == []  # not even the dry run


def test_a_different_program_called_nel_submits_nothing(tmp_path, monkeypatch, fake_nel):
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", {**OK, "version": "usage: nel eval run ..."})
    result = _run(config)
    assert result.exit_code == 1 and "error[X002]" in result.output and "another program" in result.output


def test_nel_missing_from_path_names_the_install_command(tmp_path, monkeypatch):
    config = tmp_path / "run.yaml"
    config.write_text((RUNS.parents[1] / "golden" / "recipe-gpqa" / "expected.yaml").read_text())
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = _run(config)
    assert result.exit_code == 1 and "error[X001]" in result.output and "pip install" in result.output


@pytest.mark.parametrize("flag,value", [("--poll", "-1"), ("--poll", "nan"), ("--max-wait", "inf")])
def test_bad_poll_or_wait_is_refused_before_anything_runs(tmp_path, monkeypatch, fake_nel, flag, value):
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", OK)
    result = CliRunner().invoke(main, ["run", str(config), "--yes", flag, value])
    assert result.exit_code == 1 and "error[X006]" in result.output and fake_nel() == []


def test_a_corrupt_state_file_names_the_file_and_the_restart_flag(tmp_path, monkeypatch, fake_nel):
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", OK)
    (tmp_path / "run.yaml.nelc-run.json").write_text("{not json")
    result = _run(config)
    assert result.exit_code == 1 and "error[X005]" in result.output and "run.yaml.nelc-run.json" in result.output
    assert "--restart" in result.output and _no_submission(fake_nel)
    again = _run(config, "--restart")
    assert again.exit_code == 0, again.output


def test_declining_the_canary_says_so(tmp_path, monkeypatch, fake_nel):
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", OK)
    result = CliRunner().invoke(main, ["run", str(config), "--poll", "0.01"], input="n\n")
    assert result.exit_code == 1 and "declined, not submitted" in result.output
    assert "fix the cause" not in result.output and _no_submission(fake_nel)


def test_a_missing_host_variable_is_explained_not_traced(tmp_path, monkeypatch, fake_nel):
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", OK)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    result = _run(config)
    assert result.exit_code == 1 and "NEL needs HF_TOKEN in your environment" in result.output
    assert "Traceback" not in result.output and _no_submission(fake_nel)


# ----- verify on hostile run folders -------------------------------------------------------------
def _job(root: Path, results: str = "results: {}\n", run_config: str | None = None) -> Path:
    job = root / "0123456789abcdef.0"
    (job / "artifacts").mkdir(parents=True)
    (job / "logs").mkdir()
    (job / "artifacts" / "run_config.yml").write_text(run_config or "config: {type: ns_gpqa, params: {limit_samples: 10}}\n")
    (job / "artifacts" / "results.yml").write_text(results)
    (job / "logs" / "client_stdout.log").write_text("INFO done\n")
    return job


def _verify(folder: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nelc", "verify", str(folder), *extra], capture_output=True, text=True, timeout=60)


def test_verify_says_why_a_folder_has_no_task(tmp_path):
    result = _verify(tmp_path)
    assert result.returncode == 1 and "no task folders" in result.stdout


def test_a_huge_log_line_is_scanned_in_linear_time(tmp_path):
    job = _job(tmp_path)
    (job / "logs" / "client_stdout.log").write_text("judge " * 40_000 + "\n" + "401 " * 60_000 + "\n")  # 240 KB and 240 KB
    result = _verify(tmp_path)  # the subprocess timeout fails the test if the scan is quadratic
    assert "Verdict:" in result.stdout and "Traceback" not in result.stderr
    assert "judge failures" not in result.stdout and "authorization failure" not in result.stdout  # no such lines


def test_a_fifo_or_a_link_to_dev_zero_as_a_log_is_not_read(tmp_path):
    job = _job(tmp_path)
    os.mkfifo(job / "logs" / "server_stdout.log")
    (job / "logs" / "zero.log").symlink_to("/dev/zero")
    result = _verify(tmp_path)
    assert "Traceback" not in result.stderr
    assert "server_stdout.log: not a regular file; not read" in result.stdout


@pytest.mark.parametrize("results,run_config", [
    ("results: [1, 2]\n", None),
    ("results: {groups: {gpqa: {metrics: {pass@1: {scores: {symbolic_correct: {value: '12', stats: {count: x}}}}}}}}\n", None),
    ("[" * 5000 + "]" * 5000 + "\n", None),
    ("results: {}\n", "- a list\n- not a mapping\n"),
    ("results: {}\n", "config: {type: ns_gpqa, params: {extra: {num_repeats: -5}}}\n"),
])
def test_odd_documents_give_verdicts_not_tracebacks(tmp_path, results, run_config):
    _job(tmp_path, results, run_config)
    result = _verify(tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "Verdict: INVALID" in result.stdout or "Verdict: INCOMPLETE" in result.stdout


def test_nan_never_passes_and_json_stays_strict():
    reports = verify_run(RUNS / "nan-score")
    assert verdict(reports) == "invalid"
    assert "NaN" not in as_json(reports)
    json.loads(as_json(reports))


def test_control_sequences_from_logs_are_escaped(tmp_path):
    job = _job(tmp_path)
    (job / "logs" / "client_stdout.log").write_text("ERROR judge failed \x1b[2J\x1b]0;pwned\x07\n")
    result = _verify(tmp_path)
    assert "\x1b" not in result.stdout and "\\x1b[2J" in result.stdout


# ----- evidence that cannot be faked by an odd results.yml (found in review) ------------------------
GPQA = ("results: {groups: {gpqa: {metrics: {'pass@1[avg-of-32]': {scores: {symbolic_correct: "
        "{value: %s, stats: {count: %s}}}}}}}}\n")
META = "versioning: {nemo_evaluator_launcher: 0.2.6}\n"


def _evidence_job(root: Path, results: str, run_config: str = "config: {type: ns_gpqa, params: {limit_samples: 10, "
                  "extra: {num_repeats: 32}}}\n", log: str = "INFO done\n", meta: str | None = META) -> Path:
    job = _job(root, results, run_config)
    (job / "logs" / "client_stdout.log").write_text(log)
    if meta is not None:
        (job / "artifacts" / "metadata.yaml").write_text(meta)
    return job


@pytest.mark.parametrize("results,run_config,log,meta,problem", [
    (GPQA % (6000, 10), None, "INFO done\n", META, "outside 0-100 points"),
    (GPQA % (60, "1000000000000000000000000000000"), None, "INFO done\n", META, "at most 10 x 32"),
    (GPQA % (60, 10), None, "", META, "every log is empty"),
    (GPQA % (60, 10), None, "INFO done\n", None, "no artifacts/metadata.yaml"),
    (GPQA % (60, 10), None, "INFO done\n", "versioning: {nemo_evaluator_launcher: 0.4}\n", "nemo-evaluator-launcher 0.4"),
    ("results: {tasks: {mmlu: {metrics: {acc: {scores: {acc: {value: .nan, stats: {count: 10}}}}}}}}\n",
     "config: {type: mmlu, params: {limit_samples: 10}}\n", "INFO done\n", META, "not finite numbers"),
    ("results: {}\nstats: {count: 10}\n", "config: {type: mmlu, params: {limit_samples: 10}}\n", "INFO done\n", META, "holds no scores"),
    ("results: {tasks: {a: {metrics: {m: {scores: {s: {value: 1.0, stats: {count: 3}}}}}}, b: {metrics: {m: {scores: {s: "
     "{value: 1.0, stats: {count: 10}}}}}}}}\n", "config: {type: mmlu, params: {limit_samples: 10}}\n", "INFO done\n", META,
     "3 of 10 samples"),
])
def test_odd_evidence_is_not_valid(tmp_path, results, run_config, log, meta, problem):
    if run_config:
        _evidence_job(tmp_path, results, run_config, log=log, meta=meta)
    else:
        _evidence_job(tmp_path, results, log=log, meta=meta)
    (report,) = verify_run(tmp_path)
    assert report.status != "valid" and any(problem in p for p in report.problems), report.problems


def test_a_canary_does_not_trust_the_runs_own_limit(tmp_path):
    from nelc.runner.run import canary_evidence

    _evidence_job(tmp_path, GPQA % (60, 1), "config: {type: ns_gpqa, params: {limit_samples: 1, extra: {num_repeats: 32}}}\n")
    assert canary_evidence("ns_gpqa", 10, verify_run(tmp_path)) == ["ns_gpqa: only 1 of 10 samples were scored"]


def test_a_canary_does_not_take_another_harness_task_for_its_own(tmp_path):
    from nelc.runner.run import canary_evidence

    _evidence_job(tmp_path, GPQA % (60, 10), "config: {type: foo.ns_gpqa, params: {limit_samples: 10}}\n")
    assert "no record of this task" in canary_evidence("ns_gpqa", 10, verify_run(tmp_path))[0]


def test_an_empty_job_folder_is_not_skipped(tmp_path):
    _evidence_job(tmp_path / "run", GPQA % (60, 10))
    (tmp_path / "run" / "0123456789abcdef.1").mkdir()
    assert verdict(verify_run(tmp_path / "run")) == "incomplete"


# ----- no full run without a canary, no submission of a config that changed (found in review) -----
def test_a_task_selected_as_nel_does_still_gets_its_canary(tmp_path, monkeypatch, fake_nel):
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", {**OK, "copies": {CANARY: str(RUNS / "canary-plain-ok")}})
    result = _run(config, "-t", "ns_gpqa.0")
    assert result.exit_code == 0, result.output
    runs = [c for c in fake_nel() if c[:2] == ["nel", "run"] and "--dry-run" not in c]
    assert [any("limit_samples" in a for a in c) for c in runs] == [True, False]  # the canary ran before the full run


def test_no_canary_means_no_full_run(tmp_path, monkeypatch, fake_nel):
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", OK)
    result = _run(config, "-t", "ns_aime2025")
    assert result.exit_code == 1 and "error[X007]" in result.output and _no_submission(fake_nel)
    config.write_text(config.read_text().split("evaluation:")[0])  # tasks that would come from another file
    result = _run(config)  # refused by the lint that runs first (its DUMMY_API_KEY declaration went too), or for no task
    assert result.exit_code == 1 and ("error[X007]" in result.output or "error[X009]" in result.output) and _no_submission(fake_nel)


def test_a_config_edited_during_the_canary_is_not_submitted(tmp_path, monkeypatch, fake_nel):
    config = _setup(tmp_path, monkeypatch, "recipe-gpqa", {**OK, "copies": {CANARY: str(RUNS / "canary-plain-ok")}})

    def shell(cmd, timeout):
        if cmd[1:2] == ["status"]:
            config.write_text(config.read_text() + "# edited while the canary ran\n")
        return run_subprocess(cmd, timeout)

    said: list[str] = []
    runner = Runner(RunOptions(config, yes=True, poll_seconds=0.01), shell, say=said.append, confirm=lambda _: True)
    from nelc.runner.run import RunError
    with pytest.raises(RunError, match="X008"):
        runner.run()
    assert _runs(fake_nel, full=True) == []
