"""`nelc verify` on finished-run fixtures (tests/runs/, written by tests/support/make_run_fixtures.py;
the real-* folders and every AA-LCR, simple-evals and tau2 job in them are real runs, tests/e2e/regenerate.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nelc.cli import main
from nelc.runner.verify import verdict, verify_run

RUNS = Path(__file__).parent / "runs"

# (scenario, verdict, text every problem list must contain, resumes)
SCENARIOS = [
    ("all-recipes-valid", "valid", None, 0),
    ("timed-out-then-resumed", "valid", None, 1),
    ("dropped-samples", "invalid", "27 of 30 samples were scored", 0),
    ("judge-401", "invalid", "authorization failure", 0),
    ("missing-repeats", "invalid", "only avg-of-16 results where 32 repeats were configured", 0),
    ("truncated-reasoning", "invalid", "finish_reason: length", 0),
    ("incomplete", "invalid", "no readable artifacts/results.yml", 0),
    ("canary-3-of-10", "invalid", "3 of 10 samples were scored", 0),
    ("nan-score", "invalid", "not a finite number", 0),
    ("bad-repeats", "invalid", "repeat count 'abc' is not a positive integer", 0),
    ("unknown-repeats", "valid", None, 0),
    ("wrong-served-model", "invalid", "the server served 'llama-8b'", 0),
    ("max-context-400", "invalid", "context length (HTTP 400)", 0),
    ("reasoning-disabled", "invalid", "none of 6336 responses carried reasoning", 0),
    ("reasoning-leaked", "invalid", "leaked into the answer", 0),
    ("other-launcher", "invalid", "the run used nemo-evaluator-launcher 0.4.0", 0),
    # Real runs (tests/runs/real.json), and real runs with one documented change (make_run_fixtures.real).
    ("real-aime-clean", "valid", None, 0),
    ("real-aa_lcr-clean", "valid", None, 0),
    ("real-tau2-clean", "valid", None, 0),
    ("real-aa_lcr-judge-401", "invalid", "authorization failure", 0),
    ("real-aa_lcr-judge-garbage", "invalid", "30 of 30 judge calls failed or gave an unparseable reply", 0),
    ("real-aa_lcr-context-overflow", "invalid", "context length (HTTP 400)", 0),
    ("real-aime-wrong-model-id", "invalid", "the server served 'another-model' but the client asked for 'Qwen3-8B'", 0),
    ("real-aime-server-died", "invalid", "the job exited with code 1", 0),
    ("stage-exit-1", "invalid", "the job exited with code 1 (logs/stage.exit)", 0),
    ("tau2-every-simulation-skipped", "invalid", "80 of 80 simulations were skipped", 0),
    ("judge-calls-lost", "invalid", "2 of 30 judge calls failed", 0),
    ("real-mtbench-clean", "valid", None, 0),
    ("real-bfcl-clean", "valid", None, 0),
    ("mtbench-turns-unrated", "invalid", "2 of 20 judge calls failed or gave an unparseable reply", 0),
]


# Where each real clean run's scored-sample count comes from: a file the harness wrote.
EVIDENCE = {"real-aime-clean": "AIME_2025.html: 640 examples = 10 samples x 64 repeat(s)",
            "real-aa_lcr-clean": "_results.csv: 10 of 10 questions judged, 3 repeat(s)",
            "real-tau2-clean": "termination_summary.json: 80 simulations, 0 skipped, 8 trial(s) per task",
            # two model responses per question (both turns): the adapter's count would be 20
            "real-mtbench-clean": "gpt-4_single.jsonl: 10 of 10 questions judged, 20 turns"}


@pytest.mark.parametrize("scenario", sorted(EVIDENCE))
def test_real_runs_are_counted_from_the_files_their_harness_writes(scenario):
    (report,) = verify_run(RUNS / scenario)
    assert report.scored == 10 and EVIDENCE[scenario] in report.evidence, report.evidence
    assert "26.3" in report.evidence  # the wheel whose code writes the file
    assert any("artifacts/report.json carry a reasoning trace" in n for n in report.notes), report.notes


@pytest.mark.parametrize("scenario,expected,problem,resumes", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_verdicts(scenario, expected, problem, resumes):
    reports = verify_run(RUNS / scenario)
    assert verdict(reports) == expected
    if problem:
        assert any(problem in p for r in reports for p in r.problems), [r.problems for r in reports]
    assert sum(r.resumes for r in reports) == resumes


# Scores per recipe, from the fixture's numbers through the recipe's score formula.
SCORES = {
    "ns_mmlu_pro": (71.3, None),
    "ns_mmmu_pro": (48.9, None),
    "ns_gpqa": (65.2, 0.012 * 100),
    "ns_aime2025": (80.0, 0.021 * 100),
    "ns_ifbench": (41.5, 0.009 * 100),
    "ns_scicode": (30.2, 0.01 * 100 * 65 / 288),
    "aa_lcr": None,  # a real run: read below
    "ns_hle_aa": (12.5, None),
    "ns_livecodebench": (None, None),  # the recipe defines no score path
    "tau2_bench_telecom": None,  # a real run: read below
}


def _real_score(task: str, path: str, scale: float, stderr: str | None) -> tuple[float, float | None]:
    """A real job's score, read from its results.yml by plain dict access (not verify's evaluator)."""
    import yaml
    (job,) = [p for p in (RUNS / "all-recipes-valid").iterdir()
              if yaml.safe_load((p / "artifacts" / "run_config.yml").read_text())["config"]["type"] == task]
    results = yaml.safe_load((job / "artifacts" / "results.yml").read_text())["results"]["groups"][task]["metrics"]
    score = results[path]["scores"][path]  # AA-LCR and tau2 name the score after its metric
    return score["value"] * scale, (score["stats"]["stderr"] * scale if stderr else None)


SCORES["aa_lcr"] = _real_score("aa_lcr", "accuracy", 100, "stderr")
SCORES["tau2_bench_telecom"] = _real_score("tau2_bench_telecom", "pass@1", 1, None)


def test_scores_for_every_recipe():
    reports = {r.name: r for r in verify_run(RUNS / "all-recipes-valid")}
    assert set(reports) == set(SCORES)
    for name, (score, stderr) in SCORES.items():
        assert reports[name].score == pytest.approx(score) if score is not None else reports[name].score is None, name
        assert reports[name].stderr == pytest.approx(stderr) if stderr is not None else reports[name].stderr is None, name


def test_summary_comes_before_scores_and_exit_codes():
    runner = CliRunner()
    good = runner.invoke(main, ["verify", str(RUNS / "all-recipes-valid")])
    assert good.exit_code == 0
    assert good.stdout.index("Verdict: VALID") < good.stdout.index("Scores:")
    bad = runner.invoke(main, ["verify", str(RUNS / "stage-exit-1")])  # scored, but the job exited 1
    assert bad.exit_code == 1 and "do not report" in bad.stdout


def test_json_format():
    out = CliRunner().invoke(main, ["verify", str(RUNS / "dropped-samples"), "--format", "json"])
    data = json.loads(out.stdout)
    assert data["verdict"] == "invalid" and data["tasks"][0]["scored"] == 27 and data["tasks"][0]["expected"] == 30


def test_a_single_task_folder_can_be_verified():
    (folder,) = [p for p in (RUNS / "all-recipes-valid").iterdir() if (p / "artifacts" / "results.yml").read_text().count("gpqa")]
    assert verdict(verify_run(folder)) == "valid"


def test_fixtures_are_what_the_generator_writes(tmp_path, monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make", Path(__file__).parent / "support" / "make_run_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "RUNS", tmp_path / "runs")
    module.main()
    written = sorted(p.relative_to(tmp_path / "runs") for p in (tmp_path / "runs").rglob("*") if p.is_file())
    committed = sorted(p.relative_to(RUNS) for p in RUNS.rglob("*") if p.is_file())
    assert written == committed
    for rel in written:
        assert (tmp_path / "runs" / rel).read_text() == (RUNS / rel).read_text(), rel


def test_verify_never_reads_through_a_link_inside_the_run(tmp_path):
    """issue 22 route 10: with logs/ (or a folder deeper in artifacts/) linked elsewhere, verify read another
    folder and printed a line from it. Links are named and never followed."""
    import shutil

    (job,) = (RUNS / "real-aime-clean").glob("*.0")
    run = tmp_path / "run"
    shutil.copytree(job, run / job.name)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "client_stdout.log").write_text("Traceback (most recent call last): password=Hunter2-very-secret\n")
    shutil.rmtree(run / job.name / "logs")
    (run / job.name / "logs").symlink_to(elsewhere)
    (report,) = verify_run(run)
    shown = "\n".join(report.problems + report.notes)
    assert report.status != "valid" and "logs/ is a link" in shown and "Hunter2" not in shown and "Traceback" not in shown
    # a link deeper down: the folder it points to is not read either
    deep = run / job.name / "artifacts" / "linked"
    deep.symlink_to(elsewhere)
    from nelc.runner.report import read_text
    assert read_text(deep / "client_stdout.log", 1000) == (None, False)
    assert read_text(run / job.name / "artifacts" / "results.yml", 10_000)[0]
