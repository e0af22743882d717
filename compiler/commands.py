"""What each `nelc` command does, as functions from options to an Outcome: no printing, no exits.

The CLI parses, calls one function here, prints the Outcome and exits with its code. Exit codes
follow ruff: 0 clean, 1 findings (nothing written), 2 usage or internal error.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from .compare import differences, fingerprint, normal, recipe_set_of
from .secretscan import masked_text, secret_strings
from .diagnostics import CompileError, Diagnostic, Severity, has_errors
from .emit import flow
from .envfile import ONLY_IF, env_example, required_env
from .effective import render as effective_view
from .explain import explain
from .knowledge import recipe_set
from .lint import is_spec, lint_file
from .lint.policy import codes, load_policy
from .lint.reporters import REPORTERS, pick
from .output import OutputExists, OutputProblem, baseline_path, read_input, write_all, write_atomic
from .load import decode, load_yaml
from .nelconfig import tasks_of
from .pick import Picked, pick_tasks
from .pipeline import compile_spec, compile_with_baseline, emitted_config
from .probe import offline_hub
from .spec import parse_spec
from .repo.check import check_pair, find_pairs, shown
from .repo.init import Ask, compiled_name, gather_answers, spec_text
from .rulebook import Applicability
from nelc.rules import BY_CODE, CATALOGUE, LINT_RULES, RULES


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str = ""
    stderr: tuple[str, ...] = field(default=())


def file_problem(path: Path, code: str, message: str, hint: str = "") -> str:
    """F001/F002/F003 as one rendered diagnostic: the file, the code, what is wrong, what to do."""
    return Diagnostic(str(path), 0, 0, code, Severity.ERROR, message, hint).render()


def output_exists(path: Path, hint: str = "pass --force to replace it") -> str:
    return file_problem(path, "F002", "output file exists", hint)


# ----- compile ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CompileOptions:
    spec: Path
    output: Path | None
    force: bool
    explain: bool
    strict: bool = False
    env_example: Path | None = None
    task: str | None = None  # print this task's effective view (nelc.effective)
    baseline: str | None = None  # compile this model too, from the same spec (or the spec's `baseline:`)
    unset: bool = False  # with task: list null values too


def run_compile(options: CompileOptions) -> Outcome:
    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)  # its retry chatter is not ours to print
    try:
        raw = read_input(options.spec)
    except CompileError as exc:  # a missing file is a usage error (2); a FIFO or device is bad input (1)
        return Outcome(2 if exc.diagnostics[0].code == "F001" else 1, stderr=tuple(d.render() for d in exc.diagnostics))
    pair = compile_with_baseline(raw, options.spec, display=str(options.spec), strict=options.strict, baseline=options.baseline)
    result = pair.candidate
    err = [d.render() for d in pair.diagnostics]
    if not pair.ok:
        count = sum(d.is_error for d in pair.diagnostics)
        internal = any(d.code.startswith("I") for d in pair.diagnostics)  # a nelc bug, not the spec's: exit 2
        return Outcome(2 if internal else 1, stderr=(*err, f"nelc: {count} error{'s' if count != 1 else ''}; nothing written"))
    if pair.baseline is not None and options.output is None:
        return Outcome(2, stderr=(*err, "nelc: a baseline is compiled beside the candidate: give -o FILE (the baseline goes to "
                                        "FILE with .baseline before its suffix); nothing written"))
    outputs = _compile_outputs(options, result)
    if pair.baseline is not None:
        outputs.append((baseline_path(options.output), pair.baseline.yaml))
    try:
        write_all(outputs, options.force, inputs=(options.spec,))
    except OutputProblem as problem:
        return Outcome(2 if problem.code == "F003" else 1,
                       stderr=(*err, file_problem(problem.path, problem.code, problem.message, problem.hint)))
    err += _written(outputs, [result, *([pair.baseline] if pair.baseline else [])], options.output is not None)
    names = {r.code: r.name for r in RULES}
    if options.task is not None:
        draft = result.draft
        config = emitted_config(draft)
        picked = pick_tasks(config, options.task, recipe_set_of(result.yaml))
        if not picked.indices:
            return Outcome(2, stderr=(*err, _task_problem(options.spec, config, options.task, picked)))
        out = effective_view(config, picked.indices, lambda path: _origin(draft, path, names), options.unset)
    elif options.explain:
        out = explain(result.draft, names)
    else:
        out = result.yaml if options.output is None else ""
    return Outcome(1 if has_errors(result.diagnostics) else 0, out, tuple(err))


def _written(outputs: list[tuple[Path, str]], results: list, to_file: bool) -> list[str]:
    """What a compile wrote, and (with -o) the env var names the run needs: `nel run` stops on an unset one.
    Names only, never values; stdout stays pure YAML, so this goes to stderr."""
    lines = [f"wrote {path}" for path, _ in outputs]
    if to_file:
        needs = {name: who for r in results for name, who in required_env(emitted_config(r.draft)).items()}
        must = [name for name, who in needs.items() if not all(w.startswith(ONLY_IF) for w in who)]
        maybe = [name for name in needs if name not in must]
        lines.append(f"the run needs these env vars set: {', '.join(must)}" if must else "the run needs no env vars from your shell")
        if maybe:
            lines.append(f"  and may need (--env-example FILE says when): {', '.join(maybe)}")
        if needs:
            lines.append("  (names only; --env-example FILE writes them with who needs each)")
    return lines


def _origin(draft, path: tuple, names: dict[str, str]) -> str | None:
    origin = draft.origin_of(path)
    if origin is None:
        return None
    source = f" [{origin.source}]" if origin.source else ""
    return f"{origin.rule} {names.get(origin.rule, '')}: {origin.reason}{source}"


def _task_problem(file: Path, config: dict, name: str, picked: Picked) -> str:
    if picked.ambiguous:
        return file_problem(file, "F010", f"--task {name} means more than one thing in this config: {'; '.join(picked.choices)}",
                            "name the task as the config spells it (one of those listed), or as harness.task")
    listed = ", ".join(str(t.get("name")) for _, t in tasks_of(config)) or "none"
    return f"nelc: no task {name!r} in this config; its tasks: {listed}"


# ----- show ---------------------------------------------------------------------------------------
def run_show(config_path: Path, task: str | None, unset: bool = False) -> Outcome:
    """The effective per-task view of a compiled (or hand-written) NEL config: every value with its layer.
    `task` may be a NEL task or the spec's recipe or bundle name (nelc.pick)."""
    try:
        text = decode(read_input(config_path), str(config_path))
        loaded = load_yaml(text, str(config_path))
    except CompileError as exc:
        return Outcome(2 if exc.diagnostics[0].code == "F001" else 1, stderr=tuple(d.render() for d in exc.diagnostics))
    config = loaded.data if isinstance(loaded.data, dict) else {}
    picked = pick_tasks(config, task, recipe_set_of(text)) if task else None
    if picked is not None and not picked.indices:
        return Outcome(2, stderr=(_task_problem(config_path, config, task, picked),))
    view = effective_view(loaded.data, picked.indices if picked else None, unset=unset)
    if view is None:
        return Outcome(2, stderr=(f"nelc: {config_path}: no named tasks in evaluation.tasks",))
    return Outcome(0, view)


# ----- diff and fingerprint ---------------------------------------------------------------------
@dataclass(frozen=True)
class Comparable:
    """A config to compare: compiled from a spec offline, or read from a file with its header."""
    label: str
    config: dict
    recipe_set: str | None


def read_comparable(path: Path) -> Comparable | Outcome:
    """The config at `path` (a spec is compiled offline first), or the Outcome that says why not."""
    try:
        raw = read_input(path)
        text = decode(raw, str(path))
        loaded = load_yaml(text, str(path))
    except CompileError as exc:
        return Outcome(2, stderr=tuple(d.render() for d in exc.diagnostics))
    if is_spec(loaded.data):
        with offline_hub():
            result = compile_spec(raw, path, display=str(path))
        if not result.ok:
            return Outcome(2, stderr=(*(d.render() for d in result.diagnostics), f"nelc: {path}: the spec does not compile"))
        return Comparable(str(path), emitted_config(result.draft), recipe_set(parse_spec_recipes(loaded.data)).name)
    if not isinstance(loaded.data, dict) or "evaluation" not in loaded.data:
        return Outcome(2, stderr=(f"nelc: {path}: not a NEL config or a nelc spec",))
    return Comparable(str(path), loaded.data, recipe_set_of(text))


def parse_spec_recipes(data: dict) -> str | None:
    value = data.get("recipes")
    return value if isinstance(value, str) else None


def run_fingerprint(path: Path) -> Outcome:
    found = read_comparable(path)
    if isinstance(found, Outcome):
        return found
    return Outcome(0, f"{fingerprint(found.config, found.recipe_set)}  {found.label}\n")


def run_diff(a_path: Path, b_path: Path, fmt: str) -> Outcome:
    """Exit 0 comparable, 1 not, 2 error (ModelOpt compare-results: what must match)."""
    a, b = read_comparable(a_path), read_comparable(b_path)
    for found in (a, b):
        if isinstance(found, Outcome):
            return found
    expected, breaks = differences(a.config, a.recipe_set, b.config, b.recipe_set)
    prints = (fingerprint(a.config, a.recipe_set), fingerprint(b.config, b.recipe_set))
    secrets = secret_strings(a.config) + secret_strings(b.config)  # a config on disk may hold one: never echo it
    if fmt == "json":
        data = {"comparable": not breaks, "a": {"file": a.label, "fingerprint": prints[0]},
                "b": {"file": b.label, "fingerprint": prints[1]},
                "expected": [d.as_dict() for d in expected], "breaks_comparability": [d.as_dict() for d in breaks]}
        text = json.dumps(normal(data), indent=2, default=str) + "\n"  # normal(): no bare NaN in strict JSON
        return Outcome(1 if breaks else 0, masked_text(text, secrets) if secrets else text)
    rows = [f"a: {a.label}  {prints[0]}", f"b: {b.label}  {prints[1]}",
            f"comparable: {'no' if breaks else 'yes'}"]
    for title, group in (("expected for a model comparison", expected), ("breaks comparability", breaks)):
        rows.append(f"\n{title} ({len(group)}):")
        rows += [f"  {d.path}: {_shown(d.a)} -> {_shown(d.b)}  ({d.why})" for d in group] or ["  (none)"]
    text = "\n".join(rows) + "\n"
    return Outcome(1 if breaks else 0, masked_text(text, secrets) if secrets else text)


def _shown(value) -> str:
    return "(absent)" if value is None else flow(value)


def _compile_outputs(options: CompileOptions, result) -> list[tuple[Path, str]]:
    files = []
    if options.output is not None:
        files.append((options.output, result.yaml))
    if options.env_example is not None:
        files.append((options.env_example, env_example(emitted_config(result.draft), str(options.output or options.spec))))
    return files


# ----- lint ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LintOptions:
    files: tuple[Path, ...]
    fix: bool
    unsafe_fixes: bool
    fmt: str
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    strict: bool = False


def run_lint(options: LintOptions) -> Outcome:
    applicable: tuple[Applicability, ...] = ()
    if options.fix or options.unsafe_fixes:
        applicable = (Applicability.SAFE, Applicability.UNSAFE) if options.unsafe_fixes else (Applicability.SAFE,)
    try:
        policy = load_policy(Path.cwd()).with_options(codes(options.select, "--select"), codes(options.ignore, "--ignore"),
                                                      options.strict)
    except CompileError as exc:
        return Outcome(2, stderr=tuple(d.render() for d in exc.diagnostics))
    diagnostics: list[Diagnostic] = []
    fixable = 0
    for file in options.files:
        outcome = lint_file(file, applicable, policy)
        if outcome.unreadable:
            return Outcome(2 if outcome.unreadable.code == "F001" else 1, stderr=(outcome.unreadable.render(),))
        diagnostics.extend(outcome.diagnostics)
        fixable += outcome.fixable
    report = REPORTERS[pick(options.fmt)](sorted(diagnostics), fixable)
    if any(d.code == "I001" for d in diagnostics):
        return Outcome(2, report)
    return Outcome(1 if any(policy.fails_on(d) for d in diagnostics) else 0, report)


# ----- check --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckOptions:
    paths: tuple[Path, ...]
    update: bool
    portable: str | None


def run_check(options: CheckOptions) -> Outcome:
    pairs = find_pairs(list(options.paths) or [Path(".")])
    if not pairs:
        return Outcome(2, stderr=("nelc check: no specs found (NAME.nelc.yaml, or spec.yaml beside expected.yaml)",))
    out: list[str] = []
    err: list[str] = []
    stale = broken = 0
    for pair in pairs:
        outcome = check_pair(pair, options.portable)
        if outcome.fresh is None:
            broken += 1
            err += [d.render() for d in outcome.diagnostics if d.is_error]
        elif outcome.diff and options.update:
            for output in outcome.outputs:
                if output.diff and output.fresh is None:
                    output.path.unlink()
                    out.append(f"removed {shown(output.path)}\n")
                elif output.diff:
                    write_atomic(output.path, output.fresh, force=True)
                    out.append(f"updated {shown(output.path)}\n")
        elif outcome.diff:
            stale += 1
            out.append(outcome.diff)
    err.append(f"nelc check: {len(pairs)} spec(s), {stale} stale, {broken} not compiling")
    return Outcome(1 if stale or broken else 0, "".join(out), tuple(err))


# ----- init ---------------------------------------------------------------------------------------
def run_init(given: dict, output: Path, ask: Ask | None) -> Outcome:
    """`ask` None: no terminal (--no-input, or stdin is not a TTY): every required answer must come as a flag."""
    never = "nelc init never overwrites"
    if output.exists():
        return Outcome(1, stderr=(output_exists(output, never),))
    answers, missing = gather_answers(given, ask)
    if missing:
        return Outcome(2, stderr=(f"nelc init: no terminal to ask on; pass {', '.join(missing)} "
                                  "(`nelc init --help` lists every flag)",))
    text = spec_text(answers)
    try:  # the spec must be valid before it is written: no secret or malformed answer lands on disk
        parse_spec(load_yaml(text, output.name))
    except CompileError as exc:
        return Outcome(1, stderr=(*(d.render() for d in exc.diagnostics), f"nelc init: {output} not written"))
    try:
        write_atomic(output, text, force=False)
    except OutputExists:
        return Outcome(1, stderr=(output_exists(output, never),))
    return Outcome(0, f"wrote {output}\nnext: nelc compile {output} -o {output.with_name(compiled_name(output.name))}\n")


# ----- rules --------------------------------------------------------------------------------------
def run_rules_listing(code: str | None) -> Outcome:
    """Every code nelc can print with its title, or one code's full documentation."""
    if code is None:
        lines = [f"{rule.code}  {rule.name:<24} {rule.title}" for rule in (*RULES, *LINT_RULES)]
        lines += [f"{entry.code}  {'':<24} {entry.title}" for entry in CATALOGUE.values() if entry.code not in BY_CODE]
        return Outcome(0, "\n".join(lines) + "\n")
    entry = CATALOGUE.get(code.upper())
    if entry is None:
        return Outcome(2, stderr=(f"nelc: no rule or diagnostic code {code}; `nelc rules` lists them",))
    if entry.code in BY_CODE:
        return Outcome(0, entry.doc + "\n")
    return Outcome(0, f"{entry.code} {entry.title}\n\n{entry.doc}\n")
