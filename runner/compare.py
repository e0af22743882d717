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

from nelc.compare import Difference, dotted_leaves, endpoint_class, is_operational, normal, same, what_changes
from nelc.secretscan import masked_text, secret_strings
from nelc.diagnostics import printable

from .report import TaskReport, read_document
from .verify import task_folders, verdict, verify_run


@dataclass
class Comparison:
    a: list[TaskReport]
    b: list[TaskReport]
    breaks: list[Difference] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # why no deltas are printed
    secrets: list[str] = field(default_factory=list)  # values in the runs' configs that must never be printed

    @property
    def comparable(self) -> bool:
        return not self.breaks and not self.refused


def compare_runs(a_dir: Path, b_dir: Path) -> Comparison:
    result = Comparison(verify_run(a_dir), verify_run(b_dir))
    result.secrets = [*_secrets(a_dir), *_secrets(b_dir)]
    for label, reports, where in (("A", result.a, a_dir), ("B", result.b, b_dir)):
        if verdict(reports) != "valid":
            result.refused.append(f"run {label} ({printable(str(where))}) is {verdict(reports)}: see `nelc verify {printable(str(where))}`")
    view_a, view_b = run_view(a_dir), run_view(b_dir)
    if sorted(view_a) != sorted(view_b):
        result.breaks.append(Difference("tasks", sorted(view_a), sorted(view_b), "the tasks run"))
    for task in sorted(set(view_a) & set(view_b)):
        values_a, values_b = view_a[task], view_b[task]
        for key in sorted(set(values_a) | set(values_b)):
            if not same(values_a.get(key), values_b.get(key)):
                result.breaks.append(Difference(f"{task}: {key}", values_a.get(key), values_b.get(key), what_changes(key)))
    return result


def run_view(run_dir: Path) -> dict[str, dict[str, Any]]:
    """task -> every value of its run_config.yml that decides comparability (dotted keys)."""
    out: dict[str, dict[str, Any]] = {}
    for doc in _run_configs(run_dir):
        config = doc.get("config")
        task = config.get("type") if isinstance(config, dict) else None
        if not isinstance(task, str):
            continue
        values = {k: endpoint_class(k, v) for k, v in dotted_leaves({"config": {"params": config.get("params")},
                                                               "target": {"api_endpoint": _endpoint(doc)}}).items()
                  if not is_operational(k)}
        seen = sum(1 for name in out if name == task or name.startswith(f"{task} #"))
        out[task if not seen else f"{task} #{seen + 1}"] = values  # the n-th run of the same task, in folder order
    return out


def _run_configs(run_dir: Path) -> list[dict]:
    docs = [read_document(folder / "artifacts" / "run_config.yml") for folder in task_folders(run_dir)]
    return [doc for doc in docs if isinstance(doc, dict)]


def _secrets(run_dir: Path) -> list[str]:
    return [secret for doc in _run_configs(run_dir) for secret in secret_strings(doc)]


def _endpoint(doc: dict) -> Any:
    target = doc.get("target") if isinstance(doc.get("target"), dict) else {}
    endpoint = target.get("api_endpoint") if isinstance(target.get("api_endpoint"), dict) else {}
    return {"adapter_config": endpoint.get("adapter_config"), "type": endpoint.get("type")}


def deltas(result: Comparison) -> list[dict[str, Any]]:
    """One row per task of either run, in A's order then B's: A, B, B - A with the stderr of the
    difference and the recovery B / A, or `not_comparable` saying why there is no delta (a task
    never drops out of the comparison without a word)."""
    remaining = list(result.b)
    rows = []
    for a in result.a:
        b = next((r for r in remaining if r.name == a.name), None)  # the n-th run of a task pairs with the n-th
        if b is None:
            rows.append({"task": a.name, "metric": a.metric, "a": a.score, "b": None, "not_comparable": "not run in B"})
            continue
        remaining.remove(b)
        rows.append(_row(a, b))
    rows += [{"task": b.name, "metric": b.metric, "a": None, "b": b.score, "not_comparable": "not run in A"} for b in remaining]
    return rows


def _row(a: TaskReport, b: TaskReport) -> dict[str, Any]:
    row: dict[str, Any] = {"task": a.name, "metric": a.metric or b.metric, "a": a.score, "a_stderr": a.stderr,
                           "b": b.score, "b_stderr": b.stderr}
    missing = [label for label, r in (("A", a), ("B", b)) if not _usable(r.score)]
    if missing:
        row["not_comparable"] = ("no score in " + " and ".join(missing) + " (no recipe names this task's score path"
                                 " or results.yml lacks it; see `nelc verify`)")
        return row
    if a.metric != b.metric:
        row["not_comparable"] = f"the scores come from different results.yml paths ({a.metric} vs {b.metric})"
        return row
    if scale_mismatch(a.score, b.score):
        row["not_comparable"] = (f"the scores look like different scales ({a.score:g} vs {b.score:g}: one 0-1, the other "
                                 "0-100)")
        return row
    row["delta"] = b.score - a.score
    row["delta_stderr"] = math.hypot(a.stderr, b.stderr) \
        if _usable(a.stderr, spread=True) and _usable(b.stderr, spread=True) else None
    row["recovery"] = b.score / a.score if a.score > 0 else None
    return row


def scale_mismatch(a: float, b: float) -> bool:
    """One score reads as a 0-1 fraction and the other as 0-100 points: a ratio near 100 between a
    value in [0, 1] and one above 1.

    >>> scale_mismatch(0.62, 61.0), scale_mismatch(0.62, 0.58), scale_mismatch(0.9, 1.4)
    (True, False, False)
    """
    low, high = sorted((a, b))
    return 0 < low <= 1 < high <= 100 and high / low > 20


def _usable(value: float | None, spread: bool = False) -> bool:
    """A finite number (and, for a stderr, not negative): anything else is left out, never printed."""
    return isinstance(value, (int, float)) and math.isfinite(value) and (not spread or value >= 0)


def as_text(result: Comparison, a_dir: str, b_dir: str) -> str:
    lines = [f"A: {printable(a_dir)}", f"B: {printable(b_dir)}"]
    if not result.comparable:
        lines.append("Not comparable: no deltas are printed.")
        lines += [f"  {printable(reason)}" for reason in result.refused]
        lines += [f"  {printable(d.path)}: {printable(json.dumps(normal(d.a), default=str))} -> "
                  f"{printable(json.dumps(normal(d.b), default=str))}  ({d.why})" for d in result.breaks]
        return _masked("\n".join(lines) + "\n", result)
    lines.append("Comparable: the same tasks, repeats, sampling and adapter settings; both runs valid.")
    pm = lambda v: f" ± {v:.2f}" if _usable(v, spread=True) else ""  # noqa: E731
    shown = lambda v: f"{v:.2f}" if _usable(v) else "no score"  # noqa: E731
    for row in deltas(result):
        head = f"  {printable(row['task'])}: A {shown(row['a'])}{pm(row.get('a_stderr'))}, B {shown(row['b'])}{pm(row.get('b_stderr'))}"
        if "not_comparable" in row:
            lines.append(f"{head}: not comparable: {printable(row['not_comparable'])}")
            continue
        recovery = f", recovery B / A {row['recovery']:.1%}" if _usable(row.get("recovery")) else ""
        lines.append(f"{head}, B - A {row['delta']:+.2f}{pm(row['delta_stderr'])}{recovery}")
    return _masked("\n".join(lines) + "\n", result)


def _masked(text: str, result: Comparison) -> str:
    return masked_text(text, result.secrets) if result.secrets else text


def as_json(result: Comparison) -> str:
    data = {"comparable": result.comparable, "refused": result.refused, "breaks_comparability": [d.as_dict() for d in result.breaks],
            "deltas": deltas(result) if result.comparable else []}
    return _masked(json.dumps(normal(data), indent=2, default=str) + "\n", result)  # normal(): no bare NaN
