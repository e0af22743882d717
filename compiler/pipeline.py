"""load -> probe -> rules -> emit -> validate, as one function with no printing and no exits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from .diagnostics import CompileError, Diagnostic, Severity, has_errors
from .draft import INTERNAL, Draft
from .emit import dump, header
from .engine import run_rules
from .facts import Context, ModelFacts
from .knowledge import recipe_set
from .load import Loaded, decode, load_yaml
from .probe import probe
from .spec import parse_spec
from .rulebook import LintContext
from .validate import Locate, locate_by_source, validate

from nelc.rules import RUNTIME_RULES  # noqa: E402 - after the local modules, as engine imports RULES

@dataclass(frozen=True)
class Result:
    diagnostics: tuple[Diagnostic, ...]
    yaml: str | None = None  # None when any diagnostic is an error
    draft: Draft | None = None
    facts: ModelFacts | None = None

    @property
    def ok(self) -> bool:
        return self.yaml is not None


STRICT_CODES = {"R195"}  # --strict turns these warnings (parameters a task's command ignores) into errors


def compile_spec(raw: bytes, spec_path: Path, display: str | None = None, strict: bool = False) -> Result:
    """Compile the spec bytes read from `spec_path` (relative model paths resolve against its folder)."""
    display = display or spec_path.name
    try:
        loaded = load_yaml(decode(raw, display), display)
        spec, notes = parse_spec(loaded)
        facts = probe(spec, spec_path.resolve(), display, loaded.positions)
    except CompileError as exc:
        return Result(diagnostics=exc.diagnostics)
    ctx = Context(spec=spec, facts=facts, spec_file=display, positions=loaded.positions,
                  spec_dir=str(spec_path.resolve().parent))
    draft = run_rules(ctx)
    diagnostics = (*notes, *facts.diagnostics, *(_strict(d) if strict else d for d in draft.diagnostics))
    if has_errors(diagnostics):  # advice (notes) only for a spec that compiles: errors first
        kept = tuple(d for d in diagnostics if d.severity is not Severity.NOTE)
        return Result(diagnostics=tuple(sorted(kept)), draft=draft, facts=facts)
    config = emitted_config(draft)
    locate = locate_by_source(draft.origin_of, display)
    diagnostics += validate(config, locate)
    diagnostics += runtime_findings(config, facts, locate)
    if has_errors(diagnostics):
        return Result(diagnostics=tuple(sorted(diagnostics)), draft=draft, facts=facts)
    chosen = recipe_set(spec.recipes)
    text = header(display, hashlib.sha256(raw).hexdigest(), facts.inputs, f"{chosen.name} ({chosen.skill})") + dump(config)
    return Result(diagnostics=tuple(sorted(diagnostics)), yaml=text, draft=draft, facts=facts)


def runtime_findings(config: dict, facts: ModelFacts, locate: Locate) -> tuple[Diagnostic, ...]:
    """The run-time truth checks (nelc.rules.RUNTIME_RULES, also lint rules) on the compiled config,
    pointed at the spec line behind each value."""
    context = LintContext(Loaded(locate(())[0], config, {}, ""), facts)
    out = []
    for rule in RUNTIME_RULES:
        try:
            findings = rule.fn(context)
        except Exception as exc:  # noqa: BLE001 - a crash is reported as an internal diagnostic naming the rule
            out.append(Diagnostic(locate(())[0], 0, 0, "I001", Severity.ERROR,
                                  f"internal error in rule {rule.code} {rule.name}: {type(exc).__name__}: {exc}",
                                  "please report this with the spec"))
            continue
        for finding in findings:
            file, line = locate(finding.path)
            out.append(Diagnostic(file, line, 1 if line else 0, rule.code, finding.severity or rule.severity,
                                  finding.message, finding.hint, ".".join(map(str, finding.path)), rule.code))
    return tuple(out)


def _strict(diag: Diagnostic) -> Diagnostic:
    if diag.code in STRICT_CODES and diag.severity is Severity.WARNING:
        return replace(diag, severity=Severity.ERROR)
    return diag


def emitted_config(draft: Draft) -> dict:
    config = draft.plain()
    config.pop(INTERNAL, None)
    return config
