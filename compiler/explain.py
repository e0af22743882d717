"""`--explain`: every emitted value with the rule that set it, why, and the spec line or fact."""

from __future__ import annotations

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
    if draft.decisions:
        rows.append("\nconsidered and left unchanged:")
        for d in draft.decisions:
            source = f" [{d.source}]" if d.source else ""
            rows.append(f"{d.topic}\n    {d.rule} {rule_names.get(d.rule, '')}: {d.reason}{source}")
    return "\n".join(rows) + "\n"
