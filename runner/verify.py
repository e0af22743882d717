"""`nelc verify RUN_DIR`: is a finished NEL run valid? The ModelOpt evaluation skill's run-validation
checklist (references/run-validation.md), on what NEL 0.2.6 really writes.

A run folder is what `nel info INV --copy-logs/--copy-artifacts DIR` writes, `DIR/<inv>.<idx>/` with
`logs/` and `artifacts/` (NEL exporters/utils.py:435-490), or a local output folder
`<ts>-<inv>/<task>.<idx>/`, or one job folder. A task is identified by what nemo-evaluator recorded
(`artifacts/run_config.yml` `config.type`), never by a folder name; without that record the task is
incomplete. Every check needs positive evidence: no results, no logs or no sample counts is a failure
with its reason, not a pass. Files are read as untrusted: regular files only, capped, lines scanned
in linear time, documents depth-limited, numbers required to be finite.
"""

from __future__ import annotations

import os

import json
import math
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from nelc.diagnostics import printable
from nelc.knowledge import Recipe, recipe_for_task

from nelc.knowledge.evidence import reasoning_evidence

from .evidence import gather
from .logs import check_exit, check_server, check_versions, scan_logs
from .report import MAX_DOC_BYTES, MAX_JUDGE_FAILURE_SHARE, MAX_TRUNCATED_SHARE, TaskReport, finite, read_document, read_text

_JOB = re.compile(r".+\.\d+$")  # <invocation>.<idx> (nel info copies) or <task>.<idx> (local output)


def task_folders(run_dir: Path) -> list[Path]:
    """Job folders under `run_dir` (or `run_dir` itself): those holding artifacts/ or logs/, and
    folders named like a job that hold neither (a job that left nothing is not a job to skip)."""
    def is_job(path: Path) -> bool:
        return (path / "artifacts").is_dir() or (path / "logs").is_dir() or bool(_JOB.match(path.name))

    if is_job(run_dir):
        return [run_dir]
    found = [p for p in sorted(run_dir.iterdir()) if p.is_dir() and not p.is_symlink() and is_job(p)]
    for nested in (p for p in sorted(run_dir.iterdir()) if p.is_dir() and not p.is_symlink() and not is_job(p)):
        found += [p for p in sorted(nested.iterdir()) if p.is_dir() and not p.is_symlink() and is_job(p)]  # <ts>-<inv>/<task>.<i>
    return found


def verify_run(run_dir: Path, max_truncated: float = MAX_TRUNCATED_SHARE) -> list[TaskReport]:
    # From its real path: a link below it then shows as a difference (report.through_link) and is never read.
    return [verify_task(folder, max_truncated) for folder in task_folders(Path(os.path.realpath(run_dir)))]


def verify_task(folder: Path, max_truncated: float = MAX_TRUNCATED_SHARE) -> TaskReport:
    folder = Path(os.path.realpath(folder))  # the job folder named is read; no link inside it is (report.through_link)
    run_config = read_document(folder / "artifacts" / "run_config.yml")
    config = run_config.get("config") if isinstance(run_config, dict) else None
    task = config.get("type") if isinstance(config, dict) else None
    report = TaskReport(name=str(task) if isinstance(task, str) else f"(unknown task in {folder.name})", folder=str(folder))
    if not isinstance(task, str):
        report.fail("no artifacts/run_config.yml with config.type: which task ran cannot be told (nemo-evaluator writes it "
                    "when the task starts)", "incomplete")
    for name in ("artifacts", "logs"):
        if (folder / name).is_symlink():
            report.fail(f"{name}/ is a link (to {printable(os.readlink(folder / name))[:200]}): not followed, verify reads only "
                        "the run folder itself", "incomplete")
    if not (folder / "artifacts").is_dir() and not (folder / "logs").is_dir():
        report.fail("the job folder holds neither artifacts/ nor logs/: the job left no evidence", "incomplete")
        return report
    scan_logs(folder, report)
    check_exit(folder, report)
    check_versions(folder, report)
    params = config.get("params") if isinstance(config, dict) and isinstance(config.get("params"), dict) else {}
    extra = params.get("extra") if isinstance(params.get("extra"), dict) else {}
    report.repeats = _repeats(extra, report)
    check_server(folder, run_config, report)
    results_doc = read_document(folder / "artifacts" / "results.yml")
    if results_doc is None:
        report.fail("no readable artifacts/results.yml: the task did not finish", "incomplete")
        return report
    results = results_doc if isinstance(results_doc, dict) else {}
    recipe = recipe_for_task(task) if isinstance(task, str) else None
    pkg = run_config.get("pkg_name") if isinstance(run_config, dict) and isinstance(run_config.get("pkg_name"), str) else None
    if recipe is not None and recipe.score is not None:
        scored = _score(report, results, recipe, params)
    else:
        report.notes.append("no canonical score path for this task (no recipe defines one): every score in results.yml "
                            "must be a finite number, and the smallest sample count is the one counted")
        scored = _any_scores(report, results)
    _count(report, folder, pkg)  # also without a score: the harness's files say what was lost (judge calls, simulations)
    if scored:
        _expect(report, params, recipe.score.samples if recipe is not None and recipe.score is not None else None)
    _reasoning(folder, report, params, max_truncated)
    return report


def _repeats(extra: dict, report: TaskReport) -> int | None:
    raw = extra.get("num_repeats", extra.get("n_samples"))
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        report.fail(f"the configured repeat count {printable(repr(raw)[:40])} is not a positive integer")
        return None
    return raw


# ----- scores and sample accounting --------------------------------------------------------------
def _score(report: TaskReport, results: dict, recipe: Recipe, params: dict) -> bool:
    """Read the recipe's score; False when there is none to count samples for."""
    score = recipe.score
    repeats = report.repeats
    if repeats is None and "avg-of-N" in score.path:  # nemo-skills: pass@1[avg-of-<repeats>]
        available = _avg_of(results, score.path)
        repeats = max(available) if available else 1
        report.notes.append(f"repeat count not configured: using the highest available avg-of-{repeats}")
    repeats = repeats or 1
    path = score.path.replace("avg-of-N", f"avg-of-{repeats}").replace("avg_of_N", f"avg_of_{repeats}")  # simple-evals: micro_avg_of_<n>
    value = evaluate(path, results)
    if value is None and "avg-of-" in path:
        available = _avg_of(results, path)
        if available and max(available) < repeats:
            report.fail(f"only avg-of-{max(available)} results where {repeats} repeats were configured (repeats were dropped)")
        elif repeats == 1:
            value = evaluate(score.path.replace('."pass@1[avg-of-N]"', ".pass@1"), results)
    score_value = finite(value)
    raw = _lookup(results, path.split(" ")[0])
    if value is None and raw is not None:
        value = raw  # the stored value is there but not a finite number (NaN when every judgement failed)
    if score_value is None:
        what = "is missing from results.yml" if value is None else f"is not a finite number ({printable(repr(value)[:40])})"
        report.fail(f"the score at {path} {what}", "incomplete" if value is None else "invalid")
        return False
    stored = finite(_lookup(results, path.split(" ")[0]))  # the unit is the stored value's; the expression may scale it
    if stored is not None and score.unit == "points" and not 0 <= stored <= 100:
        report.fail(f"the score {stored:g} at {path.split(' ')[0]} is outside 0-100 points")
        return False
    if stored is not None and score.unit == "fraction" and not 0 <= stored <= 1:
        report.fail(f"the score {stored:g} at {path.split(' ')[0]} is outside 0-1 (the recipe reads it as a fraction)")
        return False
    report.score, report.metric = score_value, path
    if score.stderr and repeats > 1:
        report.stderr = finite(evaluate(score.stderr.replace("avg-of-N", f"avg-of-{repeats}").replace("avg_of_N", f"avg_of_{repeats}"), results))
    count_path = re.sub(r"\.value( \*.*)?$", ".stats.count", path.split(" ")[0])
    count = evaluate(count_path, results)
    report.scored = int(count) if finite(count) is not None and float(count).is_integer() and count >= 0 else None
    if count is not None and report.scored is None:
        report.fail(f"the sample count at {count_path} is not a non-negative integer")
    elif report.scored is not None:
        report.evidence = f"artifacts/results.yml {count_path}"
    report.dataset_size = score.samples
    return True


def _count(report: TaskReport, folder: Path, pkg: str | None) -> None:
    """Where results.yml holds no sample count (every harness but long-context-eval), count the
    samples from the files the harness writes (recipes/evidence.yaml)."""
    if report.scored is not None:
        return
    count, evidence = gather(folder, pkg, report.repeats)
    for problem in count.problems:
        report.fail(problem)
    report.notes += count.notes
    if count.judge_calls:
        share = count.judge_failures / count.judge_calls
        if share > MAX_JUDGE_FAILURE_SHARE:
            report.fail(f"{count.judge_failures} of {count.judge_calls} judge calls failed or gave an unparseable reply "
                        "(the harness leaves them out of the mean: the score is biased)")
        elif count.judge_failures:
            report.notes.append(f"{count.judge_failures} of {count.judge_calls} judge calls failed (within "
                                f"{MAX_JUDGE_FAILURE_SHARE:.0%})")
    if count.samples is None:
        report.notes.append(f"no sample count in artifacts/{evidence.file} ({evidence.short_source})")
        return
    report.scored = count.samples
    report.evidence = f"{count.proof} ({evidence.short_source or evidence.source.split(' (')[0]})"


def _expect(report: TaskReport, params: dict, dataset_size: int | None) -> None:
    limit = params.get("limit_samples")
    limit = int(limit) if finite(limit) is not None and limit >= 1 else None
    report.expected = min(limit, dataset_size) if limit and dataset_size else (limit or dataset_size)
    if report.scored is None:
        if report.status == "valid":
            report.fail("no file the harness writes shows how many samples were scored (results.yml holds no count): "
                        "the samples scored cannot be confirmed", "incomplete")
    elif report.expected and report.scored < report.expected:
        report.fail(f"{report.scored} of {report.expected} samples were scored (samples were dropped)")
    elif report.expected and report.scored > report.expected * max(report.repeats or 1, 1):
        report.fail(f"{report.scored} samples were scored where at most {report.expected} x {report.repeats or 1} repeats exist")
    elif report.expected is None:
        report.notes.append("expected sample count unknown (set limit_samples, or the recipe lists none)")


def _scores(node: Any, path: tuple = (), depth: int = 0):
    """(path, score) for every `scores.<name>` entry under results.yml's `results` (NE api_dataclasses.py:247-366)."""
    if depth > 32 or not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "scores" and isinstance(value, dict):
            for name, score in value.items():
                yield (*path, key, name), score
        else:
            yield from _scores(value, (*path, key), depth + 1)


def _any_scores(report: TaskReport, results: dict) -> bool:
    """A task without a recipe: positive evidence is at least one finite score, every score finite,
    and the smallest sample count (a score over fewer samples dropped some)."""
    found = list(_scores(results.get("results")))
    values = [(path, score.get("value") if isinstance(score, dict) else score) for path, score in found]
    if not values:
        report.fail("results.yml holds no scores", "incomplete")
        return False
    bad = [".".join(map(str, path)) for path, value in values if finite(value) is None]
    if bad:
        report.fail(f"{len(bad)} score(s) in results.yml are not finite numbers, e.g. {printable(bad[0][:120])}")
    counts = []
    for _, score in found:
        stats = score.get("stats") if isinstance(score, dict) else None
        count = stats.get("count") if isinstance(stats, dict) else None
        if count is not None:
            if finite(count) is None or not float(count).is_integer() or count < 0:
                report.fail("a sample count in results.yml is not a non-negative integer")
                return False
            counts.append(int(count))
    report.scored = min(counts) if counts else None
    if counts:
        report.evidence = "artifacts/results.yml: the smallest stats.count"
    return True


# ----- reasoning (checklist item 6) ----------------------------------------------------------------
def _reasoning(folder: Path, report: TaskReport, params: dict, max_truncated: float) -> None:
    responses = truncated = unfinished = leaked = 0
    for output in sorted((folder / "artifacts").glob("*.jsonl")):
        text, _ = read_text(output, MAX_DOC_BYTES)
        for line in (text or "").splitlines():
            if not line.strip():
                continue
            responses += 1
            truncated += '"finish_reason": "length"' in line or '"finish_reason":"length"' in line
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, RecursionError):
                continue
            answer = record.get("generation") or record.get("response") or "" if isinstance(record, dict) else ""
            if isinstance(answer, str):
                unfinished += "<think>" in answer and "</think>" not in answer
                leaked += "</think>" in answer  # the parser should have stripped a closed trace
    if responses and truncated / responses > max_truncated:
        report.fail(f"{truncated} of {responses} responses stopped at the length limit (finish_reason: length)")
    if responses and unfinished / responses > max_truncated:
        report.fail(f"{unfinished} of {responses} responses have a reasoning trace that never closes")
    if responses and leaked / responses > max_truncated:
        report.fail(f"{leaked} of {responses} answers still hold their reasoning trace (leaked into the answer: check the "
                    "reasoning parser)")
    metrics = read_document(folder / "artifacts" / "eval_factory_metrics.json")
    stats = metrics.get("reasoning") if isinstance(metrics, dict) else None
    if isinstance(stats, dict):
        total, with_reasoning = finite(stats.get("total_responses")), finite(stats.get("responses_with_reasoning"))
        if total and with_reasoning == 0:
            sampled, reasoned = reported_reasoning(folder)
            if reasoned:
                report.notes.append(f"eval_factory_metrics.json counts no reasoning (nemo-evaluator 0.2.8 reads only "
                                    f"reasoning_content or <think>), but {reasoned} of {sampled} responses in "
                                    f"artifacts/report.json carry a reasoning trace")
            else:
                seen = f"; none of {sampled} responses in artifacts/report.json carries one either" if sampled else ""
                report.fail(f"none of {int(total)} responses carried reasoning: reasoning was disabled or not parsed "
                            f"(eval_factory_metrics.json reasoning.responses_with_reasoning = 0{seen})")


def reported_reasoning(folder: Path) -> tuple[int, int]:
    """(responses, responses with a non-empty reasoning field) in the report hook's report.json
    (recipes/evidence.yaml `reasoning`): vLLM's current parsers write `reasoning`, older ones
    `reasoning_content`."""
    name, fields, _ = reasoning_evidence()
    entries = read_document(folder / "artifacts" / name)
    sampled = reasoned = 0
    for entry in entries if isinstance(entries, list) else []:
        response = entry.get("response") if isinstance(entry, dict) else None
        choices = response.get("choices") if isinstance(response, dict) else None
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            continue
        message = choices[0].get("message")
        sampled += 1
        reasoned += isinstance(message, dict) and any(isinstance(message.get(f), str) and message[f].strip() for f in fields)
    return sampled, reasoned


def _avg_of(results: dict, path: str) -> list[int]:
    group = path.split(".metrics.")[0]
    metrics = evaluate(group + ".metrics", results) or {}
    return [int(m) for key in (metrics if isinstance(metrics, dict) else {}) for m in re.findall(r"avg-of-(\d+)", str(key))]


def _segments(path: str) -> list[str]:
    return [seg.strip('"') for seg in re.findall(r'"[^"]*"|[^.]+', path)]


def _lookup(results: Any, path: str) -> Any:
    node = results
    for seg in _segments(path):
        if not isinstance(node, dict) or seg not in node:
            return None
        node = node[seg]
    return node


def evaluate(expression: str, results: dict) -> Any:
    """A recipe score expression: a results path, times or divided by numbers, paths, or score
    names of the same metric (`... * 100 * num_problems / num_subtasks`). None when any part is
    missing or not a finite number.

    >>> evaluate('results.g.metrics."pass@1[avg-of-3]".scores.acc.value * 100',
    ...          {"results": {"g": {"metrics": {"pass@1[avg-of-3]": {"scores": {"acc": {"value": 0.5}}}}}}})
    50.0
    """
    terms = re.split(r"\s*([*/])\s*", expression.strip())
    value = _lookup(results, terms[0])
    if not terms[1:] or value is None:
        return value
    value = finite(value)
    metric = terms[0].split(".scores.")[0]
    for op, term in zip(terms[1::2], terms[2::2]):
        operand = float(term) if re.fullmatch(r"[\d.]+", term) else finite(
            _lookup(results, term if term.startswith("results.") else f"{metric}.scores.{term}.value"))
        if value is None or operand is None or (op == "/" and operand == 0):
            return None
        value = value * operand if op == "*" else value / operand
    return value


# ----- verdict and output ------------------------------------------------------------------------
def verdict(reports: list[TaskReport]) -> str:
    if not reports:
        return "incomplete"
    if any(r.status == "invalid" for r in reports):
        return "invalid"
    return "incomplete" if any(r.status == "incomplete" for r in reports) else "valid"


def as_json(reports: list[TaskReport]) -> str:
    def clean(value: Any) -> Any:  # strict JSON: no NaN or Infinity
        return None if isinstance(value, float) and not math.isfinite(value) else value
    return json.dumps({"verdict": verdict(reports), "tasks": [{k: clean(v) for k, v in asdict(r).items()} for r in reports]},
                      indent=2, allow_nan=False) + "\n"


def as_text(reports: list[TaskReport], run_dir: str) -> str:
    """The validation summary first; scores only after it, and marked when not valid."""
    lines = [f"Validation of {printable(run_dir)}"]
    if not reports:
        lines.append("  no task folders: expected <invocation>.<idx>/ (or <task>.<idx>/) folders holding artifacts/ or logs/, "
                     "as `nel info INV --copy-logs DIR` and then `nel info INV --copy-artifacts DIR` write them")
    for r in reports:
        samples = f"{r.scored}/{r.expected or '?'} samples" if r.scored is not None else "samples: n/a"
        lines.append(f"  {printable(r.name)}: {r.status.upper()} ({samples}, repeats {r.repeats}, resumes {r.resumes})")
        lines += [f"    problem: {printable(p)}" for p in r.problems] + [f"    note: {printable(n)}" for n in r.notes]
        if r.evidence:
            lines.append(f"    samples counted from: {printable(r.evidence)}")
    lines.append(f"Verdict: {verdict(reports).upper()}")
    lines.append("Scores:")
    for r in reports:
        if r.score is None:
            lines.append(f"  {printable(r.name)}: no score")
            continue
        err = f" ± {r.stderr:.2f}" if r.stderr is not None else ""
        mark = "" if r.status == "valid" else f"   [{r.status.upper()}: do not report]"
        lines.append(f"  {printable(r.name)}: {r.score:.2f}{err}  ({r.metric}){mark}")
    return "\n".join(lines) + "\n"
