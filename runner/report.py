"""What verify reports for one task, and how it reads a run's files: as untrusted input (regular
files only, never through a link, capped; documents depth-limited by nelc's loader; numbers finite)."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nelc.diagnostics import CompileError
from nelc.load import load_yaml
from nelc.safeio import read_regular

MAX_LOG_BYTES = 64 * 1024 * 1024  # per log file; the tail beyond it is not read (a note says so)
MAX_LOG_FILES = 200  # per logs/ folder: a job writes a handful; a folder of thousands is not read whole
MAX_LINE = 4096  # characters of a log line that are scanned; the signatures sit at the start
MAX_DOC_BYTES = 16 * 1024 * 1024  # results.yml, run_config.yml, eval_factory_metrics.json, one jsonl file
# Shares of responses that make a task invalid. The checklist (item 6) names `finish_reason: length`
# and unclosed reasoning as failures to look for but gives no threshold: 10% is nelc's default,
# so a few long answers do not void a run; change it with `nelc verify --max-truncated`.
MAX_TRUNCATED_SHARE = 0.10
# Judge calls that failed or replied unparseably (AA-LCR drops them from its mean): above 2% the
# score is biased by more than a canary's noise; below, a note names them.
MAX_JUDGE_FAILURE_SHARE = 0.02



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
    evidence: str = ""  # the file (and the code that writes it) the scored-sample count comes from

    def fail(self, problem: str, status: str = "invalid") -> None:
        self.problems.append(problem)
        if self.status == "valid" or status == "invalid":
            self.status = status


def through_link(path: Path) -> bool:
    """Whether a folder on the way to `path` is a link. verify reads runs from their real path
    (verify_run resolves the run folder once), so any difference is a link inside the run."""
    parent = os.path.abspath(path.parent)
    return os.path.realpath(parent) != os.path.normpath(parent)


def read_text(path: Path, cap: int) -> tuple[str | None, bool]:
    """(text, truncated) of a regular file reached without any link; (None, False) when there is none."""
    if through_link(path):
        return None, False
    try:
        raw = read_regular(path, cap, follow_links=False)
    except OSError:
        return None, False
    return raw[:cap].decode("utf-8", errors="replace"), len(raw) > cap


def read_document(path: Path) -> Any:
    """A YAML or JSON document (JSON is YAML), depth- and size-limited by nelc's loader; None if unusable."""
    text, truncated = read_text(path, MAX_DOC_BYTES)
    if text is None or truncated:
        return None
    try:
        return load_yaml(text, str(path)).data
    except CompileError:
        return None


def finite(value: Any) -> float | None:
    """A finite number, or None (strings, lists, NaN and infinities are not evidence)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None
