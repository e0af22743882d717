"""`--explain`: every emitted value with the rule that set it, why, and the spec line or fact."""

from __future__ import annotations

from . import flags
from .draft import Draft, leaves
from .emit import flow
from .pipeline import emitted_config


def explain(draft: Draft, rule_names: dict[str, str]) -> str:
    rows = []
    for path, value in leaves(emitted_config(draft)):
        origin = draft.origin_of(path)
        key = ".".join(map(str, path))
        if origin is None:
            rows.append(f"{key} = {flow(value)}\n    (no rule recorded)")
            continue
        source = f" [{origin.source}]" if origin.source else ""
        rows.append(f"{key} = {flow(value)}\n    {origin.rule} {rule_names.get(origin.rule, '')}: {origin.reason}{source}")
        if path == ("deployment", "extra_args"):
            rows.extend(_flag_rows(draft, value, rule_names))
    if draft.decisions:
        rows.append("\nconsidered and left unchanged:")
        for d in draft.decisions:
            source = f" [{d.source}]" if d.source else ""
            rows.append(f"{d.topic}\n    {d.rule} {rule_names.get(d.rule, '')}: {d.reason}{source}")
    return "\n".join(rows) + "\n"


def _flag_rows(draft: Draft, extra_args: str, rule_names: dict[str, str]) -> list[str]:
    """One line per server flag: the rule that added it, or the spec."""
    rows = []
    tokens = flags.split(extra_args)
    for name in dict.fromkeys(t.split("=", 1)[0].replace("_", "-") for t in tokens if t.startswith("--")):
        origin = next((o for f, o in draft.flag_origins.items() if f.replace("_", "-") == name), None)
        if origin is None:
            rows.append(f"      {name}: from the spec's deployment.extra_args")
        else:
            source = f" [{origin.source}]" if origin.source else ""
            rows.append(f"      {name}: {origin.rule} {rule_names.get(origin.rule, '')}: {origin.reason}{source}")
    return rows
