"""load -> probe -> rules -> emit -> validate, as one function with no printing and no exits."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from . import flags
from .compare import differences, fingerprint
from .effective import server
from .diagnostics import CompileError, Diagnostic, Severity, has_errors
from .draft import INTERNAL, Draft
from .emit import dump, header
from .engine import run_rules
from .facts import Context, ModelFacts
from .knowledge import backend as backend_named, recipe_set
from .load import Loaded, decode, load_yaml
from .probe import probe
from .spec import Spec, parse_spec
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
    except CompileError as exc:
        return Result(diagnostics=exc.diagnostics)
    return _compile(spec, notes, loaded.positions, raw, spec_path, display, strict)


def _compile(spec: Spec, notes: tuple[Diagnostic, ...], positions: dict, raw: bytes, spec_path: Path, display: str,
             strict: bool, header_lines: tuple[str, ...] = ()) -> Result:
    try:
        facts = probe(spec, spec_path.resolve(), display, positions)
    except CompileError as exc:
        return Result(diagnostics=exc.diagnostics)
    ctx = Context(spec=spec, facts=facts, spec_file=display, positions=positions,
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
    comparison = (f"fingerprint {fingerprint(config, chosen.name)} (nelc fingerprint: equal for comparable configs)", *header_lines)
    # The file name, not the path as typed: `nelc check` recompiles from wherever it runs and must write the same header.
    text = header(spec_path.name, hashlib.sha256(raw).hexdigest(), facts.inputs, f"{chosen.name} ({chosen.skill})",
                  comparison) + dump(config)
    return Result(diagnostics=tuple(sorted(diagnostics)), yaml=text, draft=draft, facts=facts)


@dataclass(frozen=True)
class Pair:
    """A candidate and its baseline, compiled from one spec (`baseline:` or --baseline)."""
    candidate: Result
    baseline: Result | None  # None: no baseline asked for

    @property
    def ok(self) -> bool:
        return self.candidate.ok and (self.baseline is None or self.baseline.ok)

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return (*self.candidate.diagnostics, *(self.baseline.diagnostics if self.baseline else ()))


def compile_with_baseline(raw: bytes, spec_path: Path, display: str | None = None, strict: bool = False,
                          baseline: str | None = None) -> Pair:
    """The candidate, and the baseline compiled from the same spec with only the model swapped, or
    refused. The ModelOpt compare-results skill: everything but the model must match, the baseline's
    precision must be stated (a natively quantized release has no BF16 baseline), and AA-LCR-like
    floors must be the same for both (upstream ed8a9ab), so both get the shorter context of the two.
    A `baseline` from the command line is recorded in the candidate's header (`nelc check` reads it
    back) and refused beside the spec's own `baseline:` (C003)."""
    display = display or spec_path.name
    try:
        loaded = load_yaml(decode(raw, display), display)
        spec, notes = parse_spec(loaded)
    except CompileError as exc:
        return Pair(Result(diagnostics=exc.diagnostics), None)
    if baseline is not None and spec.baseline is not None:  # two answers to one question, and check would know only one
        line = loaded.positions.get(("baseline",), (0, 0))[0]
        return Pair(Result(diagnostics=(Diagnostic(display, line, 1 if line else 0, "C003", Severity.ERROR,
                                                   f"--baseline {baseline} given, but the spec names baseline: {spec.baseline}",
                                                   "drop --baseline, or change the spec's baseline: (nelc check reads the spec)",
                                                   "baseline"),)), None)
    reference = baseline if baseline is not None else spec.baseline
    if reference is None:
        return Pair(_compile(spec, notes, loaded.positions, raw, spec_path, display, strict), None)
    if not reference.strip():
        return Pair(Result(diagnostics=(Diagnostic(display, 0, 0, "C001", Severity.ERROR, "the baseline model is empty",
                                                   "name a local checkpoint or an HF handle"),)), None)
    if reference == spec.model:
        notes = (*notes, Diagnostic(display, loaded.positions.get(("model",), (0, 0))[0], 1, "C002", Severity.WARNING,
                                    "the baseline is the candidate itself", "name the unquantized (or released) model as the baseline"))
    where = ("baseline",) if spec.baseline and not baseline else ("model",)
    base_positions = {**loaded.positions, ("model",): loaded.positions.get(where, loaded.positions.get(("model",), (1, 1)))}
    specs = [spec, spec.model_copy(update={"model": reference, "served_model_name": None, "baseline": None})]

    def both(header_lines: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())) -> tuple[Result, Result]:
        return (_compile(specs[0], notes, loaded.positions, raw, spec_path, display, strict, header_lines[0]),
                _labelled(_compile(specs[1], (), base_positions, raw, spec_path, display, strict, header_lines[1]), reference))

    first, second = both()
    if not (first.ok and second.ok):
        return Pair(first, second)
    lengths = {server(emitted_config(r.draft)).max_length for r in (first, second)}
    if len(lengths) > 1 and None not in lengths:  # the same context for both: the shorter one fits both models
        known = backend_named(spec.backend)
        flag = (known.context_flag if known else None) or "--max-model-len"
        specs = [s.model_copy(update={"deployment": s.deployment.model_copy(update={
            "extra_args": f"{s.deployment.extra_args or ''} {flag} {min(lengths)}".strip()})}) for s in specs]
        first, second = both()
        if not (first.ok and second.ok):
            return Pair(first, second)
    chosen = recipe_set(spec.recipes).name
    _, breaks = differences(emitted_config(first.draft), chosen, emitted_config(second.draft), chosen)
    if breaks:
        listed = "; ".join(f"{d.path}: {d.a} vs {d.b}" for d in breaks[:6]) + (f"; and {len(breaks) - 6} more" if len(breaks) > 6 else "")
        refusal = Diagnostic(display, base_positions[("model",)][0], 1, "C001", Severity.ERROR,
                             f"the baseline {reference} would not be comparable with the candidate: {listed}",
                             "make the two agree (the same generation_config.json sampling, a family nelc recognises for both; "
                             "the baseline's own warnings above may say why they differ), or set the differing values in the spec")
        return Pair(Result(diagnostics=(*first.diagnostics, *second.diagnostics, refusal)), None)
    precision = precision_of(second.facts, specs[1].deployment.extra_args)
    given = (recorded_baseline_line(baseline),) if baseline is not None else ()  # nelc check recompiles the pair with it
    return Pair(*both(((f"baseline {reference}: precision {precision}", *given),
                       (f"baseline for {spec.model}: precision {precision}",))))


BASELINE_FLAG = "command line: --baseline "


def recorded_baseline_line(reference: str) -> str:
    """The header line that records a --baseline, as JSON: ASCII only, so a comment keeps it exactly.

    >>> recorded_baseline(f"# {recorded_baseline_line('./bf16')}\\n")
    './bf16'
    """
    return BASELINE_FLAG + json.dumps(reference)


def recorded_baseline(text: str) -> str | None:
    """The --baseline a compiled config's header records, or None (stops at the first line that is not a comment)."""
    for line in text.splitlines():
        if not line.startswith("#"):
            return None
        if line.startswith(f"# {BASELINE_FLAG}"):
            try:
                value = json.loads(line[len(f"# {BASELINE_FLAG}"):])
            except ValueError:
                return None
            return value if isinstance(value, str) else None
    return None


def precision_of(facts: ModelFacts | None, extra_args: str | None = None) -> str:
    """The baseline's precision as the compare-results skill wants it stated.

    >>> from nelc.facts import ModelFacts
    >>> precision_of(ModelFacts(kind="checkpoint", reference="x", files={"config.json": {"torch_dtype": "bfloat16"}}))
    'BF16'
    >>> precision_of(ModelFacts(kind="checkpoint", reference="x", files={"config.json": {"quantization_config": {"quant_method": "fp8"}}}))
    'FP8 as released (natively quantized: there is no BF16 baseline; compare like for like)'
    """
    if facts is None:
        return "unknown"
    served_as = flags.value_of(flags.split(extra_args or ""), "--quantization")
    if served_as:
        return f"{served_as} (the server quantizes it: --quantization {served_as})"
    quant = facts.modelopt()
    if quant is not None:
        return f"{quant.algo} (a ModelOpt checkpoint)"
    native = facts.foreign_quantization()
    if native is not None:
        return f"{native.upper()} as released (natively quantized: there is no BF16 baseline; compare like for like)"
    config = facts.json("config.json")
    if config is None:
        return f"unknown ({_unread_config(facts)})"
    dtype = config.get("torch_dtype") or config.get("dtype")
    names = {"bfloat16": "BF16", "float16": "FP16", "float32": "FP32"}
    if dtype is None:
        return "unknown (config.json names no torch_dtype)"
    return names.get(str(dtype), f"unknown (config.json's torch_dtype is {dtype})")


def _unread_config(facts: ModelFacts) -> str:
    """Why there is no config.json to read a precision from, as the probe found it.

    >>> from nelc.facts import ModelFacts
    >>> _unread_config(ModelFacts(kind="checkpoint", reference="./bf16", missing=("config.json",)))
    'the checkpoint ./bf16 has no config.json'
    >>> _unread_config(ModelFacts(kind="hf_handle", reference="org/m", missing=("config.json",)))
    'config.json of org/m could not be read (P003 says why)'
    """
    if facts.kind in ("endpoint", "nim"):
        return f"config.json not read: a {'served endpoint' if facts.kind == 'endpoint' else 'NIM image'} has no files nelc reads"
    if any(d.code == "P002" for d in facts.diagnostics):
        return f"config.json not read: the checkpoint {facts.reference} is not readable here (see P002)"
    if facts.kind == "hf_handle":
        return f"config.json of {facts.reference} could not be read (P003 says why)"
    if any(d.code == "P015" and "/config.json " in d.message for d in facts.diagnostics):
        return f"config.json of {facts.reference} is not a regular file: not read (see P015)"
    if "config.json" in facts.missing:
        return f"the checkpoint {facts.reference} has no config.json"
    return "config.json is not a JSON object"


def _labelled(result: Result, reference: str) -> Result:
    """The baseline's diagnostics say they are the baseline's."""
    return replace(result, diagnostics=tuple(replace(d, message=f"baseline {reference}: {d.message}") for d in result.diagnostics))


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
