"""`nelc verify RUN_DIR`: is a finished NEL run valid? The ModelOpt evaluation skill's run-validation checklist (references/run-validation.md).

A run directory holds one folder per task (`<task>.<idx>/` with `artifacts/` and `logs/`), or is
one such folder. For each task: the logs are scanned for failure signatures (a SLURM timeout
followed by `RESUMING` is a resume, not a failure), scored samples are counted against the
expected samples x repeats, reasoning traces are checked for truncation, and only then is the
score read from the recipe's score path (avg-of-N with N = the configured repeats).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from nelc.diagnostics import printable
from nelc.knowledge import Recipe, recipe_for_task

# (pattern, what it means) -- case-insensitive; a match anywhere in a log makes the task invalid.
FAILURES = (
    (r"Traceback \(most recent call last\)", "a Python traceback"),
    (r"CUDA out of memory|OutOfMemoryError|\bOOM\b", "out of memory"),
    (r"\b401\b.*Unauthorized|Unauthorized|\b403\b Forbidden|invalid api key", "an authorization failure (judge or endpoint key)"),
    (r"\b429\b|rate limit", "rate limiting"),
    (r"unknown_\w+_error", "client-side unknown errors (dropped samples)"),
    (r"failed_samples_policy", "a failed-samples abort"),
    (r"Maximum total walltime \(.*\) exceeded", "the max_walltime cap ended the job chain"),
    (r"EXIT!", "the SLURM job chain ended on a failure"),
    (r"sandbox.*(error|failed|timed out)|ResourceExhausted|can't start new thread", "code-execution sandbox failures"),
    (r"judge.*(error|failed)|failed to parse judge", "judge failures"),
    (r"connection (refused|reset)", "connection failures"),
)
RESUME = re.compile(r"RESUMING", re.I)
LENGTH = re.compile(r'"finish_reason"\s*:\s*"length"')


@dataclass
class TaskReport:
    name: str
    folder: str
    status: str = "valid"  # valid | invalid | incomplete
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    resumes: int = 0
    scored: int | None = None
    expected: int | None = None
    repeats: int | None = None
    score: float | None = None
    stderr: float | None = None
    metric: str = ""

    def fail(self, problem: str, status: str = "invalid") -> None:
        self.problems.append(problem)
        if self.status == "valid" or status == "invalid":
            self.status = status


def task_folders(run_dir: Path) -> list[Path]:
    if (run_dir / "artifacts").is_dir() or (run_dir / "logs").is_dir():
        return [run_dir]
    return sorted(p for p in run_dir.iterdir() if p.is_dir() and ((p / "artifacts").is_dir() or (p / "logs").is_dir()))


def verify_run(run_dir: Path) -> list[TaskReport]:
    return [verify_task(folder) for folder in task_folders(run_dir)]


def verify_task(folder: Path) -> TaskReport:
    name = folder.name.rsplit(".", 1)[0] if re.search(r"\.\d+$", folder.name) else folder.name
    report = TaskReport(name=name, folder=str(folder))
    _scan_logs(folder, report)
    config = _run_config(folder)
    params = ((config.get("config") or {}).get("params") or {}) if config else {}
    extra = params.get("extra") or {}
    report.repeats = extra.get("num_repeats") or extra.get("n_samples") or 1
    results_file = next(iter(sorted(folder.rglob("results.yml"))), None)
    if results_file is None:
        report.fail("no results.yml: the task did not finish", "incomplete")
        return report
    results = _load(results_file) or {}
    entry = recipe_for_task(name)
    if entry is None or entry.score is None:
        report.notes.append("no canonical score path for this task (the recipe defines none)")
    else:
        _score(report, results, entry, params)
    _reasoning(folder, report)
    return report


def _scan_logs(folder: Path, report: TaskReport) -> None:
    for log in sorted(folder.rglob("*.log")):
        text = log.read_text(errors="replace")
        report.resumes += len(RESUME.findall(text))
        for pattern, meaning in FAILURES:
            match = re.search(pattern, text, re.I)
            if match:
                line = text.count("\n", 0, match.start()) + 1
                report.fail(f"{meaning}: {log.relative_to(folder)}:{line}: {text.splitlines()[line - 1].strip()[:160]}")
    if report.resumes:
        report.notes.append(f"{report.resumes} SLURM resume(s) after a timeout or preemption (not a failure)")


def _run_config(folder: Path) -> dict:
    for name in ("run_config.yml", "config_ef.yaml"):
        found = next(iter(sorted(folder.rglob(name))), None)
        if found:
            return _load(found) or {}
    return {}


def _load(path: Path) -> Any:
    try:
        return YAML(typ="safe", pure=True).load(path.read_text(errors="replace"))
    except YAMLError:
        return None


def _score(report: TaskReport, results: dict, recipe: Recipe, params: dict) -> None:
    score = recipe.score
    repeats = report.repeats or 1
    path = score.path.replace("avg-of-N", f"avg-of-{repeats}")
    value = evaluate(path, results)
    if value is None and "avg-of-" in path:
        available = _avg_of(results, path)
        if available and max(available) < repeats:
            report.fail(f"only avg-of-{max(available)} results where {repeats} repeats were configured (repeats were dropped)")
        elif repeats == 1:
            value = evaluate(score.path.replace('."pass@1[avg-of-N]"', ".pass@1"), results)
    if value is None:
        report.fail(f"the score path {path} is missing from results.yml", "incomplete")
        return
    report.score, report.metric = value, path
    if score.stderr and repeats > 1:
        report.stderr = evaluate(score.stderr.replace("avg-of-N", f"avg-of-{repeats}"), results)
    count_path = re.sub(r"\.value( \*.*)?$", ".stats.count", path.split(" ")[0])
    report.scored = evaluate(count_path, results)
    limit = params.get("limit_samples")
    report.expected = int(limit) if isinstance(limit, (int, float)) and limit >= 1 else score.samples
    if report.scored is not None and report.expected and report.scored < report.expected:
        report.fail(f"{int(report.scored)} of {report.expected} samples were scored (samples were dropped)")
    elif report.expected is None:
        report.notes.append("expected sample count unknown (set limit_samples, or the recipe lists none)")


def _reasoning(folder: Path, report: TaskReport) -> None:
    responses = truncated = unfinished = 0
    for output in sorted(folder.rglob("*.jsonl")):
        for line in output.read_text(errors="replace").splitlines():
            if not line.strip():
                continue
            responses += 1
            truncated += bool(LENGTH.search(line))
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            text = record.get("generation") or record.get("response") or "" if isinstance(record, dict) else ""
            unfinished += isinstance(text, str) and "<think>" in text and "</think>" not in text
    if responses and truncated / responses > 0.1:
        report.fail(f"{truncated} of {responses} responses stopped at the length limit (finish_reason: length)")
    if responses and unfinished / responses > 0.1:
        report.fail(f"{unfinished} of {responses} responses have a reasoning trace that never closes")


def _avg_of(results: dict, path: str) -> list[int]:
    group = path.split(".metrics.")[0]
    metrics = evaluate(group + ".metrics", results) or {}
    return [int(m) for key in metrics for m in re.findall(r"avg-of-(\d+)", str(key))]


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
    names of the same metric (`... * 100 * num_problems / num_subtasks`).

    >>> evaluate('results.g.metrics."pass@1[avg-of-3]".scores.acc.value * 100',
    ...          {"results": {"g": {"metrics": {"pass@1[avg-of-3]": {"scores": {"acc": {"value": 0.5}}}}}}})
    50.0
    """
    terms = re.split(r"\s*([*/])\s*", expression.strip())
    value = _lookup(results, terms[0])
    if not terms[1:] or value is None:
        return value
    metric = terms[0].split(".scores.")[0]
    for op, term in zip(terms[1::2], terms[2::2]):
        operand = float(term) if re.fullmatch(r"[\d.]+", term) else _lookup(results, term if term.startswith("results.")
                                                                             else f"{metric}.scores.{term}.value")
        if operand is None:
            return None
        value = value * operand if op == "*" else value / operand
    return value


def verdict(reports: list[TaskReport]) -> str:
    if not reports:
        return "incomplete"
    if any(r.status == "invalid" for r in reports):
        return "invalid"
    return "incomplete" if any(r.status == "incomplete" for r in reports) else "valid"


def as_json(reports: list[TaskReport]) -> str:
    return json.dumps({"verdict": verdict(reports), "tasks": [asdict(r) for r in reports]}, indent=2) + "\n"


def as_text(reports: list[TaskReport], run_dir: str) -> str:
    """The validation summary first; scores only after it, and marked when not valid."""
    lines = [f"Validation of {run_dir}"]
    for r in reports:
        samples = f"{int(r.scored)}/{r.expected or '?'} samples" if r.scored is not None else "samples: n/a"
        lines.append(f"  {r.name}: {r.status.upper()} ({samples}, repeats {r.repeats}, resumes {r.resumes})")
        lines += [f"    problem: {printable(p)}" for p in r.problems] + [f"    note: {printable(n)}" for n in r.notes]
    lines.append(f"Verdict: {verdict(reports).upper()}")
    lines.append("Scores:")
    for r in reports:
        if r.score is None:
            lines.append(f"  {r.name}: no score")
            continue
        err = f" ± {r.stderr:.2f}" if r.stderr is not None else ""
        mark = "" if r.status == "valid" else f"   [{r.status.upper()}: do not report]"
        lines.append(f"  {r.name}: {r.score:.2f}{err}  ({r.metric}){mark}")
    return "\n".join(lines) + "\n"
