"""Counting what a harness really scored, from the files it really writes (recipes/evidence.yaml
says which file, for which harness, from which wheel file and lines).

Each counter is a pure function of file text; `gather` finds the files (regular files only, under
the job's artifacts/, capped) and hands them over. A count is positive evidence only when the file
parses as the harness writes it: anything else is no count, with the reason.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from nelc.knowledge.evidence import SampleEvidence, sample_evidence

from .report import MAX_DOC_BYTES, finite, read_document, read_text

MAX_CSV_BYTES = 512 * 1024 * 1024  # AA-LCR's CSV repeats every ~100K-token context once per question
MAX_FILES = 200  # evidence files read per task (lm-eval writes one per subtask)
_EXAMPLES = "<h1>Examples</h1>"
_EXAMPLE_END = re.compile(r"^    <hr>$", re.M)


@dataclass
class SampleCount:
    """What the files prove: `samples` scored (per repeat), from `proof`; problems when they show
    samples lost (judge calls that failed, simulations skipped)."""

    samples: int | None = None
    proof: str = ""
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    judge_calls: int = 0
    judge_failures: int = 0


def judged_csv(text: str, repeats: int | None) -> SampleCount:
    """AA-LCR's `<model>_results.csv`: one row per question; a question is scored when at least one
    repeat was judged. An empty judgement beside a response is a judge call that failed or replied
    neither CORRECT nor INCORRECT (the harness leaves it out of the mean).

    >>> c = judged_csv("question,responses_0,judgements_0,average_judgement\\nq1,a,1,1.0\\nq2,b,,\\n", 1)
    >>> c.samples, c.judge_calls, c.judge_failures
    (1, 2, 1)
    """
    csv.field_size_limit(MAX_CSV_BYTES)
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    rounds = sorted(int(m.group(1)) for c in columns if (m := re.fullmatch(r"judgements_(\d+)", c)))
    count = SampleCount()
    if not rounds or "average_judgement" not in columns:
        count.notes.append("the results CSV has no judgements_<i> / average_judgement columns")
        return count
    if repeats and len(rounds) != repeats:
        count.problems.append(f"the results CSV holds {len(rounds)} judged repeat(s) where {repeats} were configured")
    questions = scored = unanswered = 0
    for row in reader:
        questions += 1
        scored += bool((row.get("average_judgement") or "").strip())
        for i in rounds:
            answered = bool((row.get(f"responses_{i}") or "").strip())
            judged = bool((row.get(f"judgements_{i}") or "").strip())
            unanswered += not answered
            if answered:
                count.judge_calls += 1
                count.judge_failures += not judged
    count.samples = scored
    count.proof = f"{scored} of {questions} questions judged, {len(rounds)} repeat(s)"
    if unanswered:
        count.problems.append(f"{unanswered} of {questions * len(rounds)} generations gave no answer (empty responses_<i>)")
    return count


def html_examples(text: str, repeats: int | None) -> SampleCount:
    """simple-evals' `<task>/<eval>.html`: one `<hr>` line closes each example (every repeat of
    every sample); samples = examples / repeats.

    >>> html_examples("<h1>Examples</h1>\\n<p>a</p>\\n    <hr>\\n<p>b</p>\\n    <hr>\\n", 2).samples
    1
    """
    count = SampleCount()
    if _EXAMPLES not in text:
        count.notes.append("the HTML report has no Examples section")
        return count
    examples = len(_EXAMPLE_END.findall(text.split(_EXAMPLES, 1)[1]))
    per = max(repeats or 1, 1)
    if examples % per:
        count.problems.append(f"{examples} examples are not a whole number of samples x {per} repeats (some were dropped)")
    count.samples = examples // per
    count.proof = f"{examples} examples = {count.samples} samples x {per} repeat(s)"
    return count


def termination_summary(text: str, repeats: int | None) -> SampleCount:
    """tau2's `*_termination_summary.json`: total_simulations = tasks x trials; a simulation skipped
    after an error scores 0 without the model failing the task.

    >>> termination_summary('{"total_simulations": 80, "skipped_samples": 0}', 8).samples
    10
    >>> termination_summary('{"total_simulations": 80, "skipped_samples": 80}', 8).problems[0][:40]
    '80 of 80 simulations were skipped after '
    """
    count = SampleCount()
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        count.notes.append("the termination summary is not JSON")
        return count
    total = finite(data.get("total_simulations")) if isinstance(data, dict) else None
    skipped = finite(data.get("skipped_samples")) if isinstance(data, dict) else None
    if total is None or skipped is None or not total.is_integer() or not skipped.is_integer() or not 0 <= skipped <= total:
        count.notes.append("the termination summary has no whole total_simulations / skipped_samples")
        return count
    per = max(repeats or 1, 1)
    count.samples = int(total - skipped) // per
    count.proof = f"{int(total)} simulations, {int(skipped)} skipped, {per} trial(s) per task"
    if skipped:
        reasons = data.get("termination_reasons") if isinstance(data.get("termination_reasons"), dict) else {}
        why = ", ".join(f"{k}: {v}" for k, v in list(reasons.items())[:5])
        count.problems.append(f"{int(skipped)} of {int(total)} simulations were skipped after an error and scored 0 "
                              f"(--skip-failed-samples; termination reasons {why or 'not given'})")
    return count


def json_rows(text: str) -> list | None:
    """The JSON value of each non-blank line of a JSON-lines file, or None when a line is not JSON.

    >>> json_rows('{"a": 1}\\n\\n[2]\\n'), json_rows('{"a": 1}\\nnot json\\n')
    ([{'a': 1}, [2]], None)
    """
    rows = []
    for line in text.splitlines():
        if line.strip():
            try:
                rows.append(json.loads(line))
            except (ValueError, RecursionError):
                return None
    return rows


def judged_turns(text: str, repeats: int | None) -> SampleCount:
    """MT-Bench's `judgements/<judge>_single.jsonl`: one JSON line per judged turn (question_id, turn,
    score), appended, so a turn judged again on a resumed run has several lines and its best score
    counts (as the harness's own cache does). A score of -1 is a judgement that failed or gave no
    rating: the harness leaves it out of the mean. A question is scored when one of its turns is.

    >>> c = judged_turns('{"question_id": 81, "turn": 1, "score": 7}\\n{"question_id": 81, "turn": 2, "score": -1}\\n'
    ...                  '{"question_id": 82, "turn": 1, "score": -1}\\n', 1)
    >>> c.samples, c.judge_calls, c.judge_failures
    (1, 3, 2)
    """
    best: dict[tuple, float] = {}
    rows = json_rows(text)
    if rows is None:
        return SampleCount(notes=["a judgements file holds a line that is not JSON"])
    for row in rows:
        score = finite(row.get("score")) if isinstance(row, dict) else None
        key = (row.get("question_id"), row.get("turn")) if isinstance(row, dict) else None
        if score is None or not all(isinstance(k, int) and not isinstance(k, bool) for k in key):
            return SampleCount(notes=["a judgements line has no integer question_id and turn and numeric score"])
        best[key] = max(score, best.get(key, -1.0))
    count = SampleCount()
    if not best:
        count.notes.append("the judgements file holds no judged turn")
        return count
    questions = {question for question, _ in best}
    scored = {question for (question, _), score in best.items() if score >= 0}
    count.judge_calls = len(best)
    count.judge_failures = sum(score < 0 for score in best.values())
    count.samples = len(scored)
    count.proof = f"{len(scored)} of {len(questions)} questions judged, {len(best)} turns"
    return count


def jsonl_lines(texts: list[str]) -> SampleCount:
    """lm-eval's `samples_<task>_<date>.jsonl` files: one line per scored document and filter
    (gsm8k's strict-match and flexible-extract each log every document, lm_eval/evaluator.py:629-662).
    A file's count is its smallest per-filter count; the smallest file is the count (a group's
    subtasks each write one).

    >>> jsonl_lines(['{"doc_id": 0, "filter": "a"}\\n{"doc_id": 1, "filter": "a"}\\n{"doc_id": 0, "filter": "b"}\\n'
    ...              '{"doc_id": 1, "filter": "b"}\\n', '{"doc_id": 0}\\n{"doc_id": 1}\\n']).samples
    2
    """
    counts = []
    for text in texts:
        per_filter: dict[str, int] = {}
        rows = json_rows(text)
        if rows is None:
            return SampleCount(notes=["a samples file holds a line that is not JSON"])
        for row in rows:
            key = row.get("filter") if isinstance(row, dict) else None
            per_filter[str(key)] = per_filter.get(str(key), 0) + 1
        counts.append(min(per_filter.values(), default=0))
    if not counts:
        return SampleCount()
    return SampleCount(samples=min(counts), proof=f"{len(counts)} samples file(s), the smallest with {min(counts)} documents per filter")


def result_lines(texts: list[str]) -> SampleCount:
    """BFCL's `result/<model>/BFCL_v3_<category>_result.json` files: one JSON line per test case (a
    multi-turn case makes many model requests but writes one line). A case whose `result` is the text
    "Error during inference: ..." got no answer, and the evaluation scores it as wrong.

    >>> c = result_lines(['{"id": "a_0", "result": []}\\n{"id": "a_1", "result": "Error during inference: 400"}\\n'])
    >>> c.samples, c.problems[0][:36]
    (1, '1 of 2 test cases got no answer (Err')
    """
    cases = {}
    for text in texts:
        rows = json_rows(text)
        if rows is None:
            return SampleCount(notes=["a result file holds a line that is not JSON"])
        for row in rows:
            if not isinstance(row, dict) or not isinstance(row.get("id"), str):
                return SampleCount(notes=["a result line has no string id"])
            result = row.get("result")
            cases[row["id"]] = not (isinstance(result, str) and result.startswith("Error during inference"))
    count = SampleCount()
    if not cases:
        count.notes.append("the result files hold no test case")
        return count
    failed = sum(not answered for answered in cases.values())
    count.samples = len(cases) - failed
    count.proof = f"{len(cases)} test case(s), {failed} without an answer"
    if failed:
        count.problems.append(f"{failed} of {len(cases)} test cases got no answer (Error during inference) and are scored as wrong")
    return count


def response_stats(metrics: object, repeats: int | None) -> SampleCount:
    """eval_factory_metrics.json response_stats.successful_count, divided by the repeats.

    >>> response_stats({"response_stats": {"successful_count": 30}}, 3).samples
    10
    """
    stats = metrics.get("response_stats") if isinstance(metrics, dict) else None
    value = finite(stats.get("successful_count")) if isinstance(stats, dict) else None
    if value is None or not value.is_integer() or value < 0:
        return SampleCount()
    per = max(repeats or 1, 1)
    return SampleCount(samples=int(value) // per,
                       proof=f"{int(value)} successful model responses / {per} repeat(s) (counts responses, not scores)")


def gather(folder: Path, pkg_name: str | None, repeats: int | None) -> tuple[SampleCount, SampleEvidence]:
    """The harness's count from the files under `folder`/artifacts, and where it came from."""
    evidence = sample_evidence(pkg_name)
    artifacts = folder / "artifacts"
    files = [p for p in sorted(artifacts.glob(evidence.file)) if p.is_file() and not p.is_symlink()][:MAX_FILES] \
        if evidence.kind not in ("results_count", "response_stats") else []
    if evidence.kind == "response_stats":
        count = response_stats(read_document(artifacts / "eval_factory_metrics.json"), repeats)
        files = [artifacts / "eval_factory_metrics.json"] if count.samples is not None else []
    elif evidence.kind == "jsonl_lines":
        count = jsonl_lines([read_text(p, MAX_DOC_BYTES)[0] or "" for p in files])
    elif evidence.kind == "result_lines":
        count = result_lines([read_text(p, MAX_DOC_BYTES)[0] or "" for p in files])
    elif files:
        text, truncated = read_text(files[-1], MAX_CSV_BYTES if evidence.kind == "judged_csv" else MAX_DOC_BYTES)
        counter = {"judged_csv": judged_csv, "html_examples": html_examples, "termination_summary": termination_summary,
                   "judged_turns": judged_turns}
        count = counter[evidence.kind](text or "", repeats) if not truncated else SampleCount(notes=[f"{files[-1].name} is too large to read"])
        if len(files) > 1:
            count.notes.append(f"{len(files)} files match {evidence.file}; the last, {files[-1].name}, was read")
    else:
        count = SampleCount()
    if count.samples is not None and files:
        shown = files[-1].relative_to(folder) if len(files) == 1 else f"artifacts/{evidence.file}"
        count.proof = f"{shown}: {count.proof}"
    return count, evidence
