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

import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

from nelc import NEL_VERSION, __version__
from nelc.diagnostics import CompileError, printable
from nelc.knowledge import Recipe, recipe_for_task
from nelc.load import load_yaml
from nelc.safeio import read_regular

MAX_LOG_BYTES = 64 * 1024 * 1024  # per log file; the tail beyond it is not read (a note says so)
MAX_LINE = 4096  # characters of a log line that are scanned; the signatures sit at the start
MAX_DOC_BYTES = 16 * 1024 * 1024  # results.yml, run_config.yml, eval_factory_metrics.json, one jsonl file
# Shares of responses that make a task invalid. The checklist (item 6) names `finish_reason: length`
# and unclosed reasoning as failures to look for but gives no threshold: 10% is nelc's default,
# so a few long answers do not void a run; change it with `nelc verify --max-truncated`.
MAX_TRUNCATED_SHARE = 0.10


@dataclass(frozen=True)
class Signature:
    """A failure the checklist (item 1-4) names, found by plain substring tests on one lowercased line."""

    meaning: str
    test: Callable[[str], bool]
    invalid: bool = True  # False: reported as a note (the checklist says to inspect, not to fail)


_OOM = re.compile(r"\boom\b")
_UNKNOWN_ERROR = re.compile(r"unknown_[a-z]+_error")
_HTTP_429 = re.compile(r"\b429\b")
SIGNATURES = (
    Signature("a Python traceback", lambda l: "traceback (most recent call last)" in l),
    Signature("out of memory", lambda l: "out of memory" in l or "outofmemoryerror" in l or bool(_OOM.search(l))),
    Signature("an authorization failure (judge or endpoint key)",
              lambda l: ("401" in l and "unauthorized" in l) or "403 forbidden" in l or "invalid api key" in l
              or "authenticationerror" in l),
    Signature("requests over the server's context length (HTTP 400)",
              lambda l: "maximum context length" in l or ("max_model_len" in l and ("exceed" in l or "longer than" in l))),
    Signature("client-side unknown errors (dropped samples)", lambda l: bool(_UNKNOWN_ERROR.search(l))),
    Signature("a failed-samples abort", lambda l: "failed_samples_policy" in l),
    Signature("the max_walltime cap ended the job chain", lambda l: "maximum total walltime" in l and "exceeded" in l),
    Signature("the SLURM job chain ended on a failure", lambda l: "exit!" in l),
    Signature("code-execution sandbox failures",
              lambda l: ("sandbox" in l and ("error" in l or "failed" in l or "timed out" in l)) or "resourceexhausted" in l
              or "can't start new thread" in l),
    Signature("judge failures", lambda l: ("judge" in l and ("error" in l or "failed" in l)) or "failed to parse judge" in l),
    Signature("connection failures", lambda l: "connection refused" in l or "connection reset" in l),
    # Retried rate limits are normal with shared judges; dropped samples show up in the accounting.
    Signature("rate limiting (retried requests are fine; sample accounting decides)",
              lambda l: bool(_HTTP_429.search(l)) or "rate limit" in l, invalid=False),
)
_SERVED = re.compile(r"'served_model_name': \[([^\]]{0,512})\]")


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
    logs: int = 0  # non-empty log files read
    dataset_size: int | None = None  # from the task's recipe, when it knows one

    def fail(self, problem: str, status: str = "invalid") -> None:
        self.problems.append(problem)
        if self.status == "valid" or status == "invalid":
            self.status = status


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
    return [verify_task(folder, max_truncated) for folder in task_folders(run_dir)]


def verify_task(folder: Path, max_truncated: float = MAX_TRUNCATED_SHARE) -> TaskReport:
    run_config = _document(folder / "artifacts" / "run_config.yml")
    config = run_config.get("config") if isinstance(run_config, dict) else None
    task = config.get("type") if isinstance(config, dict) else None
    report = TaskReport(name=str(task) if isinstance(task, str) else f"(unknown task in {folder.name})", folder=str(folder))
    if not isinstance(task, str):
        report.fail("no artifacts/run_config.yml with config.type: which task ran cannot be told (nemo-evaluator writes it "
                    "when the task starts)", "incomplete")
    if not (folder / "artifacts").is_dir() and not (folder / "logs").is_dir():
        report.fail("the job folder holds neither artifacts/ nor logs/: the job left no evidence", "incomplete")
        return report
    _scan_logs(folder, report)
    _versions(folder, report)
    params = config.get("params") if isinstance(config, dict) and isinstance(config.get("params"), dict) else {}
    extra = params.get("extra") if isinstance(params.get("extra"), dict) else {}
    report.repeats = _repeats(extra, report)
    _server_checks(folder, run_config, report)
    results_doc = _document(folder / "artifacts" / "results.yml")
    if results_doc is None:
        report.fail("no readable artifacts/results.yml: the task did not finish", "incomplete")
        return report
    results = results_doc if isinstance(results_doc, dict) else {}
    recipe = recipe_for_task(task) if isinstance(task, str) else None
    if recipe is not None and recipe.score is not None:
        _score(report, results, recipe, params)
    else:
        report.notes.append("no canonical score path for this task (no recipe defines one): every score in results.yml "
                            "must be a finite number, and the smallest sample count is the one counted")
        _any_scores(report, results)
        _expect(report, params, None)
    _reasoning(folder, report, params, max_truncated)
    return report


# ----- reading untrusted files -----------------------------------------------------------------
def _text(path: Path, cap: int) -> tuple[str | None, bool]:
    """(text, truncated) of a regular file that is not a link; (None, False) when there is none."""
    try:
        raw = read_regular(path, cap, follow_links=False)
    except OSError:
        return None, False
    return raw[:cap].decode("utf-8", errors="replace"), len(raw) > cap


def _document(path: Path) -> Any:
    """A YAML or JSON document (JSON is YAML), depth- and size-limited by nelc's loader; None if unusable."""
    text, truncated = _text(path, MAX_DOC_BYTES)
    if text is None or truncated:
        return None
    try:
        return load_yaml(text, str(path)).data
    except CompileError:
        return None


def _number(value: Any) -> float | None:
    """A finite number, or None (strings, lists, NaN and infinities are not evidence)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _scan_logs(folder: Path, report: TaskReport) -> None:
    logs = folder / "logs"
    files = sorted(p for p in logs.iterdir() if p.suffix == ".log") if logs.is_dir() else []
    if not files:
        report.fail("no logs: nothing shows the task ran cleanly (copy them with `nel info INV --copy-logs DIR`)", "incomplete")
    seen: set[str] = set()
    for log in files:
        text, truncated = _text(log, MAX_LOG_BYTES)
        if text is None:
            report.notes.append(f"{log.name}: not a regular file; not read")
            continue
        if not text.strip():
            continue  # an empty log shows nothing
        report.logs += 1
        if truncated:
            report.notes.append(f"{log.name}: only the first {MAX_LOG_BYTES // (1024 * 1024)} MiB were scanned")
        for number, line in enumerate(text.splitlines(), 1):
            lowered = line[:MAX_LINE].lower()
            if "resuming" in lowered:
                report.resumes += 1
            for signature in SIGNATURES:
                if signature.meaning in seen or not signature.test(lowered):
                    continue
                seen.add(signature.meaning)
                shown = f"{signature.meaning}: {log.relative_to(folder)}:{number}: {line[:160].strip()}"
                if signature.invalid:
                    report.fail(shown)
                else:
                    report.notes.append(shown)
    if files and not report.logs:
        report.fail("every log is empty or unreadable: nothing shows the task ran cleanly", "incomplete")
    if report.resumes:
        report.notes.append(f"{report.resumes} SLURM resume(s) after a timeout or preemption (not a failure)")


def _versions(folder: Path, report: TaskReport) -> None:
    """The launcher that ran the task (metadata.yaml `versioning`, NEL helpers.py:254-271) must be the
    NEL line nelc compiles for: scores from another launcher are not comparable."""
    metadata = _document(folder / "artifacts" / "metadata.yaml")
    versioning = metadata.get("versioning") if isinstance(metadata, dict) else None
    ran = versioning.get("nemo_evaluator_launcher") if isinstance(versioning, dict) else None
    if ran is None or isinstance(ran, (dict, list)):
        report.fail("no artifacts/metadata.yaml with versioning.nemo_evaluator_launcher: which launcher ran cannot be told "
                    "(nemo-evaluator writes it when the task starts)", "incomplete")
        return
    ran = str(ran)
    report.notes.append(f"ran with nemo-evaluator-launcher {printable(ran[:40])} (metadata.yaml)")
    if ran.split(".")[:2] != NEL_VERSION.split(".")[:2]:
        report.fail(f"the run used nemo-evaluator-launcher {printable(ran[:40])}, not {NEL_VERSION} that nelc {__version__} "
                    "compiles for")


def _repeats(extra: dict, report: TaskReport) -> int | None:
    raw = extra.get("num_repeats", extra.get("n_samples"))
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        report.fail(f"the configured repeat count {printable(repr(raw)[:40])} is not a positive integer")
        return None
    return raw


def _server_checks(folder: Path, run_config: Any, report: TaskReport) -> None:
    """Checklist item 2: the server served the intended model (the name the client asked for)."""
    target = run_config.get("target") if isinstance(run_config, dict) else None
    endpoint = target.get("api_endpoint") if isinstance(target, dict) else None
    wanted = endpoint.get("model_id") if isinstance(endpoint, dict) else None
    logs = folder / "logs"
    servers = sorted(p for p in logs.glob("server*.log")) if logs.is_dir() else []
    if not servers or not isinstance(wanted, str):
        return
    for log in servers:
        text, _ = _text(log, MAX_LOG_BYTES)
        match = _SERVED.search(text or "")
        if match:
            if f"'{wanted}'" not in match.group(1):
                report.fail(f"the server served {printable(match.group(1))} but the client asked for '{printable(wanted)}' "
                            f"({log.name})")
            return
    report.notes.append("the served model name could not be confirmed from the server log")


# ----- scores and sample accounting --------------------------------------------------------------
def _score(report: TaskReport, results: dict, recipe: Recipe, params: dict) -> None:
    score = recipe.score
    repeats = report.repeats
    if repeats is None and "avg-of-N" in score.path:
        available = _avg_of(results, score.path)
        repeats = max(available) if available else 1
        report.notes.append(f"repeat count not configured: using the highest available avg-of-{repeats}")
    repeats = repeats or 1
    path = score.path.replace("avg-of-N", f"avg-of-{repeats}")
    value = evaluate(path, results)
    if value is None and "avg-of-" in path:
        available = _avg_of(results, path)
        if available and max(available) < repeats:
            report.fail(f"only avg-of-{max(available)} results where {repeats} repeats were configured (repeats were dropped)")
        elif repeats == 1:
            value = evaluate(score.path.replace('."pass@1[avg-of-N]"', ".pass@1"), results)
    number = _number(value)
    if number is None:
        what = "is missing from results.yml" if value is None else f"is not a finite number ({printable(repr(value)[:40])})"
        report.fail(f"the score at {path} {what}", "incomplete" if value is None else "invalid")
        return
    if score.unit == "points" and not 0 <= number <= 100:
        report.fail(f"the score {number:g} at {path} is outside 0-100 points")
        return
    report.score, report.metric = number, path
    if score.stderr and repeats > 1:
        report.stderr = _number(evaluate(score.stderr.replace("avg-of-N", f"avg-of-{repeats}"), results))
    count_path = re.sub(r"\.value( \*.*)?$", ".stats.count", path.split(" ")[0])
    count = evaluate(count_path, results)
    report.scored = int(count) if _number(count) is not None and float(count).is_integer() and count >= 0 else None
    if count is not None and report.scored is None:
        report.fail(f"the sample count at {count_path} is not a non-negative integer")
    report.dataset_size = score.samples
    _expect(report, params, score.samples)


def _expect(report: TaskReport, params: dict, dataset_size: int | None) -> None:
    limit = params.get("limit_samples")
    limit = int(limit) if _number(limit) is not None and limit >= 1 else None
    report.expected = min(limit, dataset_size) if limit and dataset_size else (limit or dataset_size)
    if report.scored is None:
        if report.status == "valid":
            report.fail("results.yml holds no sample count: the samples scored cannot be confirmed", "incomplete")
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


def _any_scores(report: TaskReport, results: dict) -> None:
    """A task without a recipe: positive evidence is at least one finite score, every score finite,
    and the smallest sample count (a score over fewer samples dropped some)."""
    found = list(_scores(results.get("results")))
    values = [(path, score.get("value") if isinstance(score, dict) else score) for path, score in found]
    if not values:
        report.fail("results.yml holds no scores", "incomplete")
        return
    bad = [".".join(map(str, path)) for path, value in values if _number(value) is None]
    if bad:
        report.fail(f"{len(bad)} score(s) in results.yml are not finite numbers, e.g. {printable(bad[0][:120])}")
    counts = []
    for _, score in found:
        stats = score.get("stats") if isinstance(score, dict) else None
        count = stats.get("count") if isinstance(stats, dict) else None
        if count is not None:
            if _number(count) is None or not float(count).is_integer() or count < 0:
                report.fail("a sample count in results.yml is not a non-negative integer")
                return
            counts.append(int(count))
    report.scored = min(counts) if counts else None


# ----- reasoning (checklist item 6) ----------------------------------------------------------------
def _reasoning(folder: Path, report: TaskReport, params: dict, max_truncated: float) -> None:
    responses = truncated = unfinished = leaked = 0
    for output in sorted((folder / "artifacts").glob("*.jsonl")):
        text, _ = _text(output, MAX_DOC_BYTES)
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
    metrics = _document(folder / "artifacts" / "eval_factory_metrics.json")
    stats = metrics.get("reasoning") if isinstance(metrics, dict) else None
    if isinstance(stats, dict):
        total, with_reasoning = _number(stats.get("total_responses")), _number(stats.get("responses_with_reasoning"))
        if total and with_reasoning == 0:
            report.fail(f"none of {int(total)} responses carried reasoning: reasoning was disabled or not parsed "
                        "(eval_factory_metrics.json reasoning.responses_with_reasoning = 0)")


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
    value = _number(value)
    metric = terms[0].split(".scores.")[0]
    for op, term in zip(terms[1::2], terms[2::2]):
        operand = float(term) if re.fullmatch(r"[\d.]+", term) else _number(
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
