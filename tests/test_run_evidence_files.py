"""Tables for what verify reads from a job folder besides results.yml: logs/stage.exit, the log
signatures real runs print, and the harness files samples are counted from (runner/evidence.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nelc.runner.evidence import gather, html_examples, judged_csv, judged_turns, jsonl_lines, response_stats, result_lines, termination_summary
from nelc.runner.logs import SIGNATURES, check_exit, last_errors, scan_logs
from nelc.runner.report import TaskReport

# logs/stage.exit as NEL 0.2.6 writes it (local run.template.sh:96-97,147; lepton executor.py:898) -> (status, problem)
STAGE_EXIT = [
    ("2026-12-07T05:43:30Z 0\n", "valid", None),
    ("2026-12-07T05:43:30Z 1\n", "invalid", "exited with code 1"),
    ("exit_code: 0\n", "valid", None),
    ("exit_code: 137\n", "invalid", "exited with code 137"),
    ("garbage $(rm -rf /)\n", "invalid", "does not hold an exit code"),
    ("", "invalid", "does not hold an exit code"),
]


@pytest.mark.parametrize("text,status,problem", STAGE_EXIT)
def test_stage_exit(tmp_path, text, status, problem):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "stage.exit").write_text(text)
    report = TaskReport("t", str(tmp_path))
    check_exit(tmp_path, report)
    assert report.status == status
    assert (problem is None and not report.problems) or any(problem in p for p in report.problems)


def test_a_started_job_without_stage_exit_has_not_ended(tmp_path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "stage.running").write_text("2026-12-07T05:43:30Z\n")
    report = TaskReport("t", str(tmp_path))
    check_exit(tmp_path, report)
    assert report.status == "incomplete" and "has not ended" in report.problems[0]
    (tmp_path / "logs" / "stage.running").unlink()  # SLURM writes no stage files: nothing to judge
    report = TaskReport("t", str(tmp_path))
    check_exit(tmp_path, report)
    assert report.status == "valid" and not report.problems


# A log line (as real runs print it) -> the signature it must match, or None for a clean line.
LINES = [
    ("Error judging What is the umbrella term?: Error code: 401", "judge failures"),
    ("[1/1] Error generating response: Error code: 401", "an authorization failure (judge or endpoint key)"),
    ("Server process 26 died", "the model server died or never became healthy"),
    ("Health check timeout after 600s", "the model server died or never became healthy"),
    ("docker: Cannot connect to the Docker daemon at unix:///var/run/docker.sock.", "the container runtime was unreachable"),
    ('INFO:     127.0.0.1:1 - "POST /v1/chat/completions HTTP/1.1" 429 Too Many Requests', "rate limiting"),
    ("Error code: 429 - rate limited", "rate limiting"),
    ("[I 2026-12-07T05:44:39.429] Request completed status_code=200", None),  # a timestamp is not a 429
    ("request_timeout: 3600", None),
    # RULER offline: every run prints the failed download (tests/runs/real-ruler-clean); only a missing resource fails
    ("[nltk_data] Error loading punkt_tab: <urlopen error pathsec.urlopen:", None),
    ("  Resource 'punkt_tab' not found.", "NLTK data missing"),  # tests/runs/real-ruler-no-nltk-data
    # nvidia-lm-eval 26.3 lm_eval/models/api_models.py:499 and :656 (max_length 2048 - 1; the command passes none)
    ("WARNING Context length (3071) + continuation length (1) > max_length (2047). Left truncating context.", "lm-eval cut contexts"),
    ("Some contexts exceeded (max length: (2047) - max_gen_toks: (256). They were left truncated.", "lm-eval cut contexts"),
    # BFCL's line for any failed case is not a rate limit (bfcl/_llm_response_generation.py:244)
    ("❗️❗️ Error occurred during inference. Maximum reties reached for rate limit or other error. Continuing", None),
]


@pytest.mark.parametrize("line,meaning", LINES)
def test_signatures_on_real_log_lines(line, meaning):
    matched = [s.meaning for s in SIGNATURES if s.test(line.lower())]
    if meaning is None:
        assert matched == []
    else:
        assert any(m.startswith(meaning) for m in matched), matched


# Harness files -> samples counted (per repeat) and problems, for each counter.
CSV = "question,responses_0,judgements_0,responses_1,judgements_1,average_judgement\n"
COUNTS = [
    (judged_csv, CSV + "q1,a,1,b,0,0.5\nq2,a,1,b,1,1.0\n", 2, 2, 0),
    (judged_csv, CSV + "q1,a,,b,,\nq2,a,1,b,1,1.0\n", 2, 1, 0),  # two judge calls lost: one question unscored
    (judged_csv, CSV + "q1,,,b,1,1.0\n", 2, 1, 1),  # a generation that gave no answer
    (judged_csv, "question,answer\nq1,a\n", 1, None, 0),  # not AA-LCR's layout: no count
    (html_examples, "<h1>Examples</h1>\n" + "<p>x</p>\n    <hr>\n" * 6, 3, 2, 0),
    (html_examples, "<h1>Examples</h1>\n" + "<p>x</p>\n    <hr>\n" * 5, 3, 1, 1),  # not whole samples x repeats
    (html_examples, "<p>no examples section</p>", 1, None, 0),
    (termination_summary, '{"total_simulations": 80, "skipped_samples": 8}', 8, 9, 1),
    (termination_summary, '{"total_simulations": 80, "skipped_samples": 81}', 8, None, 0),
    (termination_summary, "[1, 2]", 8, None, 0),
]

# MT-Bench's judgements/<judge>_single.jsonl (fastchat/llm_judge/common.py:250-271): one line per judged turn.
def turns(*rows: tuple[int, int, float]) -> str:
    return "".join(json.dumps({"question_id": q, "model": "m", "turn": t, "score": s}) + "\n" for q, t, s in rows)


JUDGED_TURNS = [
    # (text, samples, judge calls, judge failures)
    (turns((81, 1, 7), (81, 2, 6), (82, 1, 3), (82, 2, 9)), 2, 4, 0),
    (turns((81, 1, 7), (81, 2, -1), (82, 1, -1), (82, 2, -1)), 1, 4, 3),  # no rating: -1, left out of the mean
    (turns((81, 1, -1), (81, 1, 8)), 1, 1, 0),  # judged again on a resumed run (appended): the best score counts
    ("", None, 0, 0),
    ("not json\n", None, 0, 0),
    ('{"question_id": 81, "turn": 1}\n', None, 0, 0),  # no score: not the harness's line
    ('{"question_id": "81", "turn": 1, "score": 5}\n', None, 0, 0),
]


@pytest.mark.parametrize("text,samples,calls,failures", JUDGED_TURNS)
def test_mtbench_judged_turns(text, samples, calls, failures):
    count = judged_turns(text, None)
    assert (count.samples, count.judge_calls, count.judge_failures) == (samples, calls, failures), count


@pytest.mark.parametrize("counter,text,repeats,samples,problems", COUNTS)
def test_sample_counters(counter, text, repeats, samples, problems):
    count = counter(text, repeats)
    assert count.samples == samples and len(count.problems) == problems, (count.samples, count.problems)


def test_lm_eval_samples_files_and_the_response_fallback():
    assert jsonl_lines(['{"doc_id": 0}\n' * 10, '{"doc_id": 0}\n' * 9]).samples == 9
    assert jsonl_lines([]).samples is None
    assert jsonl_lines(["not json\n"]).samples is None


def test_a_real_gsm8k_samples_file_logs_each_document_once_per_filter():
    # lm_eval/evaluator.py:629-662: strict-match and flexible-extract each log every document
    (path,) = (Path(__file__).parent / "runs" / "real-lm_eval-gsm8k-clean").glob("*/artifacts/*/samples_gsm8k_*.jsonl")
    text = path.read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    documents = {row["doc_id"] for row in rows}
    assert len({row["filter"] for row in rows}) == 2 and len(rows) == 2 * len(documents)
    assert jsonl_lines([text]).samples == len(documents) == 10  # the canary's limit_samples
    assert response_stats({"response_stats": {"successful_count": 30}}, 3).samples == 10
    assert response_stats({"response_stats": {"successful_count": float("nan")}}, 3).samples is None
    assert response_stats({"response_stats": "x"}, 3).samples is None


def test_a_real_bfcl_result_file_counts_test_cases_and_refuses_unanswered_ones(tmp_path):
    # bfcl/_llm_response_generation.py:249-252 writes a failed case with "Error during inference: ..." as its result
    (job,) = (Path(__file__).parent / "runs" / "real-bfcl-clean").glob("*.0")
    count, evidence = gather(job, "bfcl", None)
    assert evidence.kind == "result_lines" and count.samples == 10 and not count.problems
    assert "BFCL_v3_irrelevance_result.json" in count.proof
    (path,) = job.glob("artifacts/result/*/BFCL_v3_*_result.json")
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    for row in rows[:3]:
        row["result"] = "Error during inference: Error code: 400"
    broken = result_lines(["".join(json.dumps(row) + "\n" for row in rows)])
    assert broken.samples == 7 and "3 of 10 test cases got no answer" in broken.problems[0]
    # a multi-turn case writes one line however many requests it made; a resumed id is not counted twice
    assert result_lines(['{"id": "m_0", "result": [[1], [2]]}\n{"id": "m_0", "result": [[1]]}\n']).samples == 1
    assert result_lines(["not json\n"]).samples is None and result_lines([""]).samples is None


def test_quoted_log_lines_never_carry_a_credential(tmp_path):
    """verify and a failed canary quote log lines; a log may print a key (issue 22 route 7)."""
    job = tmp_path / "job.0"
    (job / "logs").mkdir(parents=True)
    token = "nvapi-" + "Q7x" * 12
    (job / "logs" / "client_stdout.log").write_text(
        f"Error judging q: Error code: 401 - Authorization: Bearer {token}\n"
        "Traceback (most recent call last): https://alice:s3cretPassw0rd@judge.example.com/v1 refused\n")
    report = TaskReport("t", str(job))
    scan_logs(job, report)
    shown = "\n".join(report.problems + report.notes) + "\n".join(line for _, line in last_errors(tmp_path))
    assert "judge failures" in shown and "Traceback" in shown
    assert token not in shown and token[:12] not in shown and "s3cretPassw0rd" not in shown and "alice" not in shown
