"""The logs and records of a finished task, against the ModelOpt evaluation skill's run-validation
checklist (references/run-validation.md, items 1-4): failure signatures found by plain substring
tests on capped lines (linear time), the served model, and the launcher version."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from nelc import NEL_VERSION, __version__
from nelc.diagnostics import printable
from nelc.secretscan import scrubbed

from .report import MAX_LINE, MAX_LOG_BYTES, MAX_LOG_FILES, TaskReport, read_document, read_text

@dataclass(frozen=True)
class Signature:
    """A failure the checklist (item 1-4) names, found by plain substring tests on one lowercased line."""

    meaning: str
    test: Callable[[str], bool]
    invalid: bool = True  # False: reported as a note (the checklist says to inspect, not to fail)


_OOM = re.compile(r"\boom\b")
_UNKNOWN_ERROR = re.compile(r"unknown_[a-z]+_error")
_NLTK_RESOURCE = re.compile(r"resource '(?:punkt|punkt_tab|stopwords|wordnet|averaged_perceptron_tagger)[a-z_]*' not found")
# a status code in words, never a bare number (timestamps like 05:44:39.429 hold one)
_HTTP_429 = re.compile(r"(?:error code|status(?: code)?|http/[\d.]+\"?)[:= ]+429\b|\b429 too many requests")
SIGNATURES = (
    Signature("a Python traceback", lambda l: "traceback (most recent call last)" in l),
    Signature("out of memory", lambda l: "out of memory" in l or "outofmemoryerror" in l or bool(_OOM.search(l))),
    Signature("an authorization failure (judge or endpoint key)",
              lambda l: ("401" in l and "unauthorized" in l) or "403 forbidden" in l or "invalid api key" in l
              or "authenticationerror" in l or "error code: 401" in l),  # openai's APIStatusError text, as AA-LCR prints it
    Signature("requests over the server's context length (HTTP 400)",
              lambda l: "maximum context length" in l or ("max_model_len" in l and ("exceed" in l or "longer than" in l))),
    Signature("client-side unknown errors (dropped samples)", lambda l: bool(_UNKNOWN_ERROR.search(l))),
    Signature("a failed-samples abort", lambda l: "failed_samples_policy" in l),
    Signature("the max_walltime cap ended the job chain", lambda l: "maximum total walltime" in l and "exceeded" in l),
    Signature("the SLURM job chain ended on a failure", lambda l: "exit!" in l),
    Signature("code-execution sandbox failures",
              lambda l: ("sandbox" in l and ("error" in l or "failed" in l or "timed out" in l)) or "resourceexhausted" in l
              or "can't start new thread" in l),
    Signature("judge failures", lambda l: ("judge" in l and ("error" in l or "failed" in l)) or "failed to parse judge" in l
              or "error judging" in l),  # AA-LCR 26.3 aa_lcr/main.py:169 prints "Error judging <question>: <e>"
    Signature("the model server died or never became healthy",  # NEL 0.2.6 executors/local/run.template.sh:96-97
              lambda l: ("server process" in l and "died" in l) or "health check timeout" in l),
    # RULER's command downloads NLTK's punkt data first (long-context-eval 26.3 framework.yml:9). Offline, nltk
    # prints "[nltk_data] Error loading punkt_tab" even where the data is there (tests/runs/real-ruler-clean);
    # only sent_tokenize's "Resource 'punkt_tab' not found" shows it missing (tests/runs/real-ruler-no-nltk-data).
    Signature("NLTK data missing: the harness downloads it at start-up, so the evaluation container needs the network "
              "or an image that carries it", lambda l: bool(_NLTK_RESOURCE.search(l))),
    Signature("the container runtime was unreachable", lambda l: "cannot connect to the docker daemon" in l),
    Signature("connection failures", lambda l: "connection refused" in l or "connection reset" in l),
    # Retried rate limits are normal with shared judges; dropped samples show up in the accounting. BFCL prints
    # "Maximum reties reached for rate limit or other error" for any failed case (bfcl/_llm_response_generation.py:244).
    Signature("rate limiting (retried requests are fine; sample accounting decides)",
              lambda l: bool(_HTTP_429.search(l)) or ("rate limit" in l and "rate limit or other error" not in l), invalid=False),
    # lm-eval's API models cut every request to max_length 2048 - 1, and NEL 0.2.6's command passes no max_length
    # (nvidia-lm-eval 26.3 lm_eval/models/api_models.py:92,135,496-500 and :648-657; core_evals framework.yml:13).
    Signature("lm-eval cut contexts to its 2047-token max_length (the command sets none): those scores are measured "
              "on truncated prompts", lambda l: "left truncating context" in l or "they were left truncated" in l,
              invalid=False),
)
_SERVED = re.compile(r"'served_model_name': \[([^\]]{0,512})\]")


def scan_logs(folder: Path, report: TaskReport) -> None:
    logs = folder / "logs"
    files = sorted(itertools.islice((p for p in logs.iterdir() if p.suffix == ".log"), MAX_LOG_FILES + 1)) \
        if logs.is_dir() and not logs.is_symlink() else []
    if len(files) > MAX_LOG_FILES:
        report.notes.append(f"logs/ holds more than {MAX_LOG_FILES} .log files: only {MAX_LOG_FILES} were scanned")
        files = files[:MAX_LOG_FILES]
    if not files:
        report.fail("no logs: nothing shows the task ran cleanly (copy them with `nel info INV --copy-logs DIR`)", "incomplete")
    seen: set[str] = set()
    for log in files:
        text, truncated = read_text(log, MAX_LOG_BYTES)
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
                shown = f"{signature.meaning}: {log.relative_to(folder)}:{number}: {excerpt(line)}"
                if signature.invalid:
                    report.fail(shown)
                else:
                    report.notes.append(shown)
    if files and not report.logs:
        report.fail("every log is empty or unreadable: nothing shows the task ran cleanly", "incomplete")
    if report.resumes:
        report.notes.append(f"{report.resumes} SLURM resume(s) after a timeout or preemption (not a failure)")


def excerpt(line: str, width: int = 160) -> str:
    """A log line cut to `width`, keeping its end where the error usually is ("Error judging <a long
    question>: Error code: 401"), with anything credential-shaped masked (a log may print a key).

    >>> excerpt("Error judging " + "q" * 300 + ": Error code: 401", 60)[-18:]
    'q: Error code: 401'
    """
    line = scrubbed(line.strip())
    if len(line) <= width:
        return line
    half = (width - 5) // 2
    return f"{line[:half]} ... {line[-half:]}"


def check_exit(folder: Path, report: TaskReport) -> None:
    """How the job ended, from logs/stage.exit (recipes/evidence.yaml `stage_exit`): NEL's local
    run.sh writes '<time> <code>', Lepton 'exit_code: <code>', SLURM nothing. A non-zero code fails the
    task; a job that started (stage.running) but wrote no stage.exit has not ended."""
    logs = folder / "logs"
    text, _ = read_text(logs / "stage.exit", 4096)
    if text is None:
        if (logs / "stage.running").exists():
            report.fail("logs/stage.running but no logs/stage.exit: the job has not ended (or was killed)", "incomplete")
        return
    lines = text.strip().splitlines()
    found = re.fullmatch(r"(?:\S+ |exit_code: )(-?\d{1,4})", lines[-1].strip()) if lines else None
    if found is None:
        report.fail(f"logs/stage.exit does not hold an exit code ({printable(text.strip()[:60])!r})")
    elif int(found.group(1)) != 0:
        report.fail(f"the job exited with code {found.group(1)} (logs/stage.exit)")


def check_versions(folder: Path, report: TaskReport) -> None:
    """The launcher that ran the task (metadata.yaml `versioning`, NEL helpers.py:254-271) must be the
    NEL line nelc compiles for: scores from another launcher are not comparable."""
    metadata = read_document(folder / "artifacts" / "metadata.yaml")
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


def check_server(folder: Path, run_config: Any, report: TaskReport) -> None:
    """Checklist item 2: the server served the intended model (the name the client asked for)."""
    target = run_config.get("target") if isinstance(run_config, dict) else None
    endpoint = target.get("api_endpoint") if isinstance(target, dict) else None
    wanted = endpoint.get("model_id") if isinstance(endpoint, dict) else None
    logs = folder / "logs"
    servers = sorted(p for p in logs.glob("server*.log")) if logs.is_dir() else []
    if not servers or not isinstance(wanted, str):
        return
    for log in servers:
        text, _ = read_text(log, MAX_LOG_BYTES)
        match = _SERVED.search(text or "")
        if match:
            if f"'{wanted}'" not in match.group(1):
                report.fail(f"the server served {printable(match.group(1))} but the client asked for '{printable(wanted)}' "
                            f"({log.name})")
            return
    report.notes.append("the served model name could not be confirmed from the server log")


_ERROR_LINE = re.compile(r"\b(error|died|traceback|exception|refused|failed|cannot|denied|killed|timed out)\b", re.I)


def last_errors(folder: Path, per_log: int = 2, limit: int = 8) -> list[tuple[str, str]]:
    """(job/logs/<file>, line) for the last error-looking lines of every copied log under `folder`:
    what a failed canary shows so its cause is not hidden in a file nobody opens."""
    found: list[tuple[str, str]] = []
    for log in sorted(folder.glob("*/logs/*.log")) + sorted(folder.glob("logs/*.log")):
        text, _ = read_text(log, MAX_LOG_BYTES)
        lines = [line[:MAX_LINE].strip() for line in (text or "").splitlines()[-2000:] if line.strip()]
        hits = [line for line in lines if _ERROR_LINE.search(line)]
        for line in hits[-per_log:]:
            found.append((str(log.relative_to(folder)), excerpt(line, 300)))
    return found[-limit:]
