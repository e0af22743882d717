"""`nelc compare A_RUN B_RUN`: score deltas between two finished runs, only when they are comparable.

Each task's artifacts/run_config.yml is the config its container ran with (nemo-evaluator writes it
after merging the framework defaults, core/input.py:517-524), so the two runs' comparable parts are
read from there, by the same rule as `nelc diff` (nelc.compare: operational keys and the model's own
endpoint may differ, nothing else). Both runs must also pass `nelc verify`. Only then are deltas
printed, B minus A, with the stderr of the difference (the two runs' stderrs in quadrature).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nelc.compare import Difference, is_operational, what_changes
from nelc.diagnostics import printable

from .report import TaskReport, read_document
from .verify import task_folders, verdict, verify_run


@dataclass
class Comparison:
    a: list[TaskReport]
    b: list[TaskReport]
    breaks: list[Difference] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why no deltas are printed

    @property
    def comparable(self) -> bool:
        return not self.breaks and not self.refused


def compare_runs(a_dir: Path, b_dir: Path) -> Comparison:
    result = Comparison(verify_run(a_dir), verify_run(b_dir))
    for label, reports, where in (("A", result.a, a_dir), ("B", result.b, b_dir)):
        if verdict(reports) != "valid":
            result.refused.append(f"run {label} ({printable(str(where))}) is {verdict(reports)}: see `nelc verify {printable(str(where))}`")
    view_a, view_b = run_view(a_dir), run_view(b_dir)
    if sorted(view_a) != sorted(view_b):
        result.breaks.append(Difference("tasks", sorted(view_a), sorted(view_b), "the tasks run"))
    for task in sorted(set(view_a) & set(view_b)):
        values_a, values_b = view_a[task], view_b[task]
        for key in sorted(set(values_a) | set(values_b)):
            if values_a.get(key) != values_b.get(key):
                result.breaks.append(Difference(f"{task}: {key}", values_a.get(key), values_b.get(key), what_changes(key)))
    return result


def run_view(run_dir: Path) -> dict[str, dict[str, Any]]:
    """task -> every value of its run_config.yml that decides comparability (dotted keys)."""
    out: dict[str, dict[str, Any]] = {}
    for folder in task_folders(run_dir):
        doc = read_document(folder / "artifacts" / "run_config.yml")
        config = doc.get("config") if isinstance(doc, dict) else None
        task = config.get("type") if isinstance(config, dict) else None
        if not isinstance(task, str):
            continue
        values = {k: v for k, v in _leaves({"config": {"params": config.get("params")},
                                            "target": {"api_endpoint": _endpoint(doc)}}).items() if not is_operational(k)}
        out[task if task not in out else f"{task} ({folder.name})"] = values
    return out


def _endpoint(doc: dict) -> Any:
    target = doc.get("target") if isinstance(doc.get("target"), dict) else {}
    endpoint = target.get("api_endpoint") if isinstance(target.get("api_endpoint"), dict) else {}
    return {"adapter_config": endpoint.get("adapter_config"), "type": endpoint.get("type")}


def _leaves(tree: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(tree, dict):
        out: dict[str, Any] = {}
        for key, value in tree.items():
            out.update(_leaves(value, f"{prefix}{key}."))
        return out
    return {} if tree is None else {prefix[:-1]: tree}


def deltas(result: Comparison) -> list[dict[str, Any]]:
    """One row per task scored in both runs: A, B, B - A and the stderr of the difference."""
    by_name = {r.name: r for r in result.b}
    rows = []
    for a in result.a:
        b = by_name.get(a.name)
        if b is None or a.score is None or b.score is None:
            continue
        spread = math.sqrt(a.stderr ** 2 + b.stderr ** 2) if a.stderr is not None and b.stderr is not None else None
        rows.append({"task": a.name, "metric": a.metric, "a": a.score, "a_stderr": a.stderr, "b": b.score, "b_stderr": b.stderr,
                     "delta": b.score - a.score, "delta_stderr": spread})
    return rows


def as_text(result: Comparison, a_dir: str, b_dir: str) -> str:
    lines = [f"A: {printable(a_dir)}", f"B: {printable(b_dir)}"]
    if not result.comparable:
        lines.append("Not comparable: no deltas are printed.")
        lines += [f"  {printable(reason)}" for reason in result.refused]
        lines += [f"  {printable(d.path)}: {printable(json.dumps(d.a, default=str))} -> {printable(json.dumps(d.b, default=str))}  ({d.why})"
                  for d in result.breaks]
        return "\n".join(lines) + "\n"
    lines.append("Comparable: the same tasks, repeats, sampling and adapter settings; both runs valid.")
    for row in deltas(result):
        pm = lambda v: f" ± {v:.2f}" if v is not None else ""  # noqa: E731
        lines.append(f"  {printable(row['task'])}: A {row['a']:.2f}{pm(row['a_stderr'])}, B {row['b']:.2f}{pm(row['b_stderr'])}, "
                     f"B - A {row['delta']:+.2f}{pm(row['delta_stderr'])}")
    return "\n".join(lines) + "\n"


def as_json(result: Comparison) -> str:
    return json.dumps({"comparable": result.comparable, "refused": result.refused,
                       "breaks_comparability": [d.as_dict() for d in result.breaks],
                       "deltas": deltas(result) if result.comparable else []}, indent=2, default=str) + "\n"
