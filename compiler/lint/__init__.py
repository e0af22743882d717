"""`nelc lint`: NEL YAML files (hand-written or compiled) and nelc specs, offline.

A NEL config runs through the lint rules of `nelc.rules.LINT_RULES` (pure functions over the
loaded file, returning findings); a spec is compiled and its diagnostics reported. The probe may
read a local checkpoint named by `deployment.checkpoint_path`; nothing touches the network.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nelc.rules import BY_CODE, LINT_RULES

from ..diagnostics import CompileError, Diagnostic, Severity
from ..facts import ModelFacts
from ..load import Loaded, decode, load_yaml
from ..output import read_input, write_atomic
from ..pipeline import compile_spec
from ..knowledge import nel_groups
from ..nelconfig import defaults_entries
from ..probe import group_files, offline_hub, probe_checkpoint
from ..rulebook import Applicability, Finding, Fix, LintContext, Rule
from ..secretscan import masked_text, secret_strings
from .fix import apply_fixes, independent
from .policy import ALWAYS_REPORTED, LintPolicy, inline_ignored, spec_ignores


@dataclass(frozen=True)
class LintResult:
    diagnostics: tuple[Diagnostic, ...]
    fixes: tuple[tuple[Diagnostic, Fix], ...] = field(default=())
    spec_ignore: tuple[str, ...] = ()  # a spec's own `lint: {ignore: [...]}`

    def under(self, policy: LintPolicy, text: str) -> "LintResult":
        """Only the findings the policy, the spec and the file's `# nelc: ignore[...]` comments keep."""
        lines = text.splitlines()

        def kept(diag: Diagnostic) -> bool:
            spec_ignored = diag.code.startswith(self.spec_ignore) and diag.code not in ALWAYS_REPORTED
            return policy.wants(diag.code) and not spec_ignored and not inline_ignored(diag, lines)
        return LintResult(tuple(d for d in self.diagnostics if kept(d)), tuple((d, f) for d, f in self.fixes if kept(d)),
                          self.spec_ignore)


def is_spec(data: Any) -> bool:
    return isinstance(data, dict) and "model" in data and "benchmarks" in data and "defaults" not in data


def lint_bytes(raw: bytes, path: Path, display: str) -> LintResult:
    try:
        loaded = load_yaml(decode(raw, display), display)
    except CompileError as exc:
        return LintResult(exc.diagnostics)
    if is_spec(loaded.data):
        with offline_hub():  # lint never reaches the Hub
            return LintResult(compile_spec(raw, path, display).diagnostics, spec_ignore=spec_ignores(loaded.data))
    if not isinstance(loaded.data, dict) or not NEL_SECTIONS & set(loaded.data):
        return LintResult((loaded.diagnostic("L100", "not a NEL config or a nelc spec: skipped", (),
                                             "NEL configs have defaults/execution/deployment/evaluation sections", Severity.NOTE),))
    groups = {name.split("/")[0] for name in nel_groups()["groups"]} | \
        {group.split("@")[0].split("/")[0] for _, group, _ in defaults_entries(loaded.data)}
    return lint_loaded(loaded, group_files(path, {g for g in groups if g and not g.startswith((".", "/"))}))


NEL_SECTIONS = {"defaults", "execution", "deployment", "evaluation", "target"}


def lint_loaded(loaded: Loaded, group_files: tuple[str, ...] = ()) -> LintResult:
    ctx = LintContext(loaded, _checkpoint_facts(loaded), group_files)
    out: list[Diagnostic] = []
    fixes: list[tuple[Diagnostic, Fix]] = []
    for rule in LINT_RULES:
        try:
            findings = rule.fn(ctx)
        except Exception as exc:  # noqa: BLE001 - reported as an internal diagnostic naming the rule
            out.append(loaded.diagnostic("I001", f"internal error in lint rule {rule.code} {rule.name}: {type(exc).__name__}: {exc}",
                                         (), "please report this with the file"))
            continue
        for finding in findings:
            diag = _diagnostic(loaded, rule, finding)
            out.append(diag)
            if finding.fix is not None:
                fixes.append((diag, finding.fix))
    secrets = secret_strings(loaded.data)  # no finding may print one (a task name, a parameter, a path)
    if secrets:
        out = [_masked(diag, secrets) for diag in out]
        fixes = [(_masked(diag, secrets), fix) for diag, fix in fixes]
    return LintResult(tuple(sorted(out)), tuple(fixes))


def _masked(diag: Diagnostic, secrets: list[str]) -> Diagnostic:
    return dataclasses.replace(diag, message=masked_text(diag.message, secrets), hint=masked_text(diag.hint, secrets),
                               path=masked_text(diag.path, secrets))


def _diagnostic(loaded: Loaded, rule: Rule, finding: Finding) -> Diagnostic:
    diag = loaded.diagnostic(rule.code, finding.message, finding.path, finding.hint,
                             finding.severity or rule.severity, rule=rule.code)
    if finding.at_value and (loaded.value_positions or {}).get(finding.path):
        line, col = loaded.value_positions[finding.path]
        diag = Diagnostic(diag.file, line, col, diag.code, diag.severity, diag.message, diag.hint, diag.path, diag.rule)
    return diag


def _checkpoint_facts(loaded: Loaded) -> ModelFacts | None:
    """Facts of `deployment.checkpoint_path` when it is a readable local folder (never the Hub)."""
    deployment = loaded.data.get("deployment") if isinstance(loaded.data, dict) else None
    checkpoint = deployment.get("checkpoint_path") if isinstance(deployment, dict) else None
    if not isinstance(checkpoint, str) or not checkpoint.startswith("/") or not Path(checkpoint).is_dir():
        return None
    try:
        return probe_checkpoint(checkpoint, Path(checkpoint), loaded.file, loaded.where(("deployment", "checkpoint_path")))
    except CompileError:
        return None


def demo_lint(code: str, text: str, facts: ModelFacts | None = None) -> str:
    """Lint `text` with one rule (and, optionally, facts of its checkpoint) and show its findings, for rule docstrings."""
    rule = BY_CODE[code]
    loaded = load_yaml(text, "run.yaml")
    ctx = LintContext(loaded, facts)
    lines = []
    for finding in rule.fn(ctx):
        diag = _diagnostic(loaded, rule, finding)
        fix = f" [fix: {finding.fix.applicability.value}: {finding.fix.description}]" if finding.fix else ""
        lines.append(f"{diag.line}:{diag.col} {diag.severity.value}[{code}]: {diag.message}{fix}")
    return "\n".join(lines) or "(no findings)"


@dataclass(frozen=True)
class FileOutcome:
    """One file after linting (and fixing): its findings and how many safe fixes remain."""

    diagnostics: tuple[Diagnostic, ...]
    fixable: int
    unreadable: Diagnostic | None = None  # why the file could not be read (F001, F005)


MAX_FIX_ROUNDS = 10  # fixes must converge; each round applies the ones that do not overlap


def lint_file(file: Path, fixes: tuple[Applicability, ...] = (), policy: LintPolicy = LintPolicy()) -> FileOutcome:
    """Lint one file under `policy`; with `fixes`, apply fixes of those applicabilities (of the findings
    the policy keeps) round by round and rewrite it."""
    try:
        raw = read_input(file)
    except CompileError as exc:
        return FileOutcome((), 0, exc.diagnostics[0])
    result = lint_bytes(raw, file, str(file)).under(policy, raw.decode("utf-8", errors="replace"))
    target = Path(os.path.realpath(file))  # fix a link's target and keep the link
    for _ in range(MAX_FIX_ROUNDS):
        todo = independent([fix for _, fix in result.fixes if fix.applicability in fixes])
        if not todo:
            break
        text = apply_fixes(raw.decode("utf-8"), todo)
        if text is None or text.encode("utf-8") == raw:
            break  # nothing applicable changed the file: stop instead of looping
        write_atomic(target, text, force=True)  # keeps the file's mode and owner
        raw = text.encode("utf-8")
        result = lint_bytes(raw, file, str(file)).under(policy, text)
    fixable = sum(1 for _, fix in result.fixes if fix.applicability is Applicability.SAFE)
    return FileOutcome(result.diagnostics, fixable)
