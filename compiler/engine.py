"""Rules stage: send the draft through the ordered rule tuple."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from nelc.rules import RULES

from . import flags
from .diagnostics import Diagnostic, Severity
from .draft import Draft
from .emit import flow
from .facts import Context, ModelFacts
from .load import load_yaml
from .probe import classify_model_ref
from .rulebook import Rule
from .spec import parse_spec


def run_rules(ctx: Context, rules: tuple[Rule, ...] = RULES) -> Draft:
    """Apply every rule in order; each runs as itself, so its reports carry its code. A rule that
    raises becomes an internal diagnostic naming it."""
    draft = Draft()
    for rule in rules:
        try:
            draft = rule.fn(draft.by(rule.code), ctx)
        except Exception as exc:  # noqa: BLE001 - reported, never swallowed
            return draft.by(rule.code).with_diagnostic(Diagnostic(
                ctx.spec_file, 0, 0, "I001", Severity.ERROR,
                f"internal error in rule {rule.code} {rule.name}: {type(exc).__name__}: {exc}",
                "please report this with your spec", rule=rule.code))
    return draft.by("")


def demo(code: str, spec_text: str, **facts) -> str:
    """Compile `spec_text` up to rule `code` and show the values that rule set, for docstrings.

    `facts` sets ModelFacts fields (e.g. has_chat_template=False, files={"config.json": {...}});
    without them the model is a fact-less HF handle or checkpoint, as the spec says.
    """
    loaded = load_yaml(spec_text, "spec.yaml")
    spec, _ = parse_spec(loaded)
    if spec.backend == "none":
        kind = "endpoint"
    elif spec.backend == "nim":
        kind = "nim"
    else:
        kind = "checkpoint" if classify_model_ref(spec.model, Path("/nonexistent"))[0] == "checkpoint" else "hf_handle"
    handle, _, revision = spec.model.partition("@")
    base = dict(kind=kind, reference=spec.model)
    if kind == "hf_handle":
        base.update(hf_handle=handle, revision=revision or None)
    if kind == "checkpoint":
        base.update(checkpoint_path="/ckpt/" + spec.model.strip("./"))
    if "files" in facts:
        facts["files"] = MappingProxyType(facts["files"])
    ctx = Context(spec=spec, facts=ModelFacts(**{**base, **facts}), spec_file="spec.yaml", positions=loaded.positions,
                  spec_dir="/work")
    upto = next(i for i, r in enumerate(RULES) if r.code == code)
    draft = run_rules(ctx, RULES[: upto + 1])
    lines = []
    own_flags = {f: o for f, o in draft.flag_origins.items() if o.rule == code}
    for path, origin in draft.origins.items():
        if origin.rule != code or (path == ("deployment", "extra_args") and own_flags):
            continue
        shown = ".".join(map(str, path)) if path[0] != "nelc" else str(path[-1])
        lines.append(f"{shown}: {flow(draft.get(path))}  # {code}: {origin.reason}")
    tokens = flags.split(draft.get("deployment.extra_args", ""))
    for flag, origin in own_flags.items():
        lines.append(f"deployment.extra_args += {' '.join(_flag_with_values(tokens, flag))}  # {code}: {origin.reason}")
    lines += [f"{d.severity.value}[{d.code}]: {d.message}" for d in draft.diagnostics
              if d.rule == code and d.severity is not Severity.NOTE]
    return "\n".join(lines)


def _flag_with_values(tokens: list[str], flag: str) -> list[str]:
    start = tokens.index(flag)
    end = next((i for i in range(start + 1, len(tokens)) if tokens[i].startswith("--")), len(tokens))
    return tokens[start:end]

