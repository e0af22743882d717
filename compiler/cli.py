"""The command line: the only place that prints or exits. Exit 0 ok, 1 findings, 2 usage/internal."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from . import NEL_VERSION, __version__


@dataclass(frozen=True)
class CompileOptions:
    spec: Path
    output: Path | None
    force: bool
    explain: bool
    strict: bool = False
    env_example: Path | None = None


def _print_diagnostics(diagnostics) -> None:
    for diag in diagnostics:
        click.echo(diag.render(), err=True)


def execute_compile(options: CompileOptions) -> int:
    import logging

    logging.getLogger("huggingface_hub").setLevel(logging.ERROR)  # its retry chatter is not ours to print
    from .diagnostics import has_errors
    from .output import OutputExists, write_atomic
    from .pipeline import compile_spec

    try:
        raw = options.spec.read_bytes()
    except OSError as exc:
        click.echo(f"{options.spec}: error[F001]: cannot read the spec: {exc.strerror}", err=True)
        return 2
    result = compile_spec(raw, options.spec, display=str(options.spec), strict=options.strict)
    _print_diagnostics(result.diagnostics)
    if not result.ok:
        count = sum(d.is_error for d in result.diagnostics)
        click.echo(f"nelc: {count} error{'s' if count != 1 else ''}; nothing written", err=True)
        return 1
    if options.output is not None:
        try:
            write_atomic(options.output, result.yaml, options.force)
        except OutputExists:
            click.echo(f"{options.output}: error[F002]: output file exists", err=True)
            click.echo("  hint: pass --force to replace it", err=True)
            return 1
        except OSError as exc:
            click.echo(f"{options.output}: error[F003]: cannot write: {exc.strerror}", err=True)
            return 2
    if options.env_example is not None:
        from .envfile import env_example
        from .pipeline import emitted_config

        try:
            write_atomic(options.env_example, env_example(emitted_config(result.draft), str(options.output or options.spec)),
                         options.force)
        except OutputExists:
            click.echo(f"{options.env_example}: error[F002]: output file exists", err=True)
            click.echo("  hint: pass --force to replace it", err=True)
            return 1
    if options.explain:
        from nelc.rules import RULES

        from .explain import explain
        click.echo(explain(result.draft, {r.code: r.name for r in RULES}), nl=False)
    elif options.output is None:
        click.echo(result.yaml, nl=False)
    return 0 if not has_errors(result.diagnostics) else 1


@click.group()
@click.version_option(__version__, prog_name="nelc", message=f"%(prog)s %(version)s (targets nemo-evaluator-launcher {NEL_VERSION})")
def main() -> None:
    """nelc compiles an evaluation spec into a NeMo Evaluator Launcher 0.2.6 run config."""


@main.command("compile")
@click.argument("spec", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="write here (atomically) instead of stdout")
@click.option("--force", is_flag=True, help="replace an existing output file")
@click.option("--explain", is_flag=True, help="print every value with the rule that set it and why")
@click.option("--strict", is_flag=True, help="parameters a task's command does not use are errors, not warnings")
@click.option("--env-example", type=click.Path(dir_okay=False, path_type=Path),
              help="also write the env variables the config needs (names only, no values) to this file")
def compile_command(spec: Path, output: Path | None, force: bool, explain: bool, strict: bool, env_example: Path | None) -> None:
    """Compile SPEC to NEL YAML."""
    sys.exit(execute_compile(CompileOptions(spec, output, force, explain, strict, env_example)))


@dataclass(frozen=True)
class LintOptions:
    files: tuple[Path, ...]
    fix: bool
    unsafe_fixes: bool
    fmt: str


def execute_lint(options: LintOptions) -> int:
    from .lint import lint_bytes
    from .output import write_atomic
    from .reporters import REPORTERS, pick

    diagnostics, fixable = [], 0
    for file in options.files:
        try:
            raw = file.read_bytes()
        except OSError as exc:
            click.echo(f"{file}: error[F001]: cannot read: {exc.strerror}", err=True)
            return 2
        result = lint_bytes(raw, file, str(file))
        allowed = ("safe", "unsafe") if options.unsafe_fixes else ("safe",)
        for _ in range(10):  # fixes must converge: each round applies the ones that do not overlap
            from .fix import apply_fixes, independent

            todo = independent([fix for _, fix in result.fixes if fix.safety in allowed])
            if not (options.fix or options.unsafe_fixes) or not todo:
                break
            text = apply_fixes(raw.decode("utf-8"), todo)
            write_atomic(file, text, force=True)
            raw = text.encode("utf-8")
            result = lint_bytes(raw, file, str(file))
        diagnostics.extend(result.diagnostics)
        fixable += sum(1 for _, fix in result.fixes if fix.safety == "safe")
    click.echo(REPORTERS[pick(options.fmt)](sorted(diagnostics), fixable), nl=False)
    if any(d.code == "I001" for d in diagnostics):
        return 2
    return 1 if any(d.severity.value in ("error", "warning") for d in diagnostics) else 0


@main.command("lint")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--fix", is_flag=True, help="apply safe fixes (comments and layout are kept)")
@click.option("--unsafe-fixes", is_flag=True, help="also apply fixes that may change meaning (renames to a guess, new prefixes)")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "sarif", "auto"]), default="auto",
              show_default=True, help="auto is github under GitHub Actions, text elsewhere")
def lint_command(files: tuple[Path, ...], fix: bool, unsafe_fixes: bool, fmt: str) -> None:
    """Lint NEL run configs and nelc specs, offline. Exit 0 clean, 1 findings, 2 usage or internal error."""
    sys.exit(execute_lint(LintOptions(files, fix, unsafe_fixes, fmt)))


@main.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--update", is_flag=True, help="rewrite stale outputs instead of failing")
@click.option("--portable", metavar="PREFIX", help="outputs store each spec's folder as PREFIX/<folder name> (nelc's goldens: /nelc-golden)")
def check_command(paths: tuple[Path, ...], update: bool, portable: str | None) -> None:
    """Recompile specs (NAME.nelc.yaml -> NAME.yaml; spec.yaml -> expected.yaml) and fail on stale outputs."""
    from .check import check_pair, find_pairs
    from .output import write_atomic

    pairs = find_pairs(list(paths) or [Path(".")])
    if not pairs:
        click.echo("nelc check: no specs found (NAME.nelc.yaml, or spec.yaml beside expected.yaml)", err=True)
        sys.exit(2)
    stale = broken = 0
    for pair in pairs:
        outcome = check_pair(pair, portable)
        if outcome.fresh is None:
            broken += 1
            _print_diagnostics([d for d in outcome.diagnostics if d.is_error])
        elif outcome.diff and update:
            write_atomic(pair.output, outcome.fresh, force=True)
            click.echo(f"updated {pair.output}")
        elif outcome.diff:
            stale += 1
            click.echo(outcome.diff, nl=False)
    click.echo(f"nelc check: {len(pairs)} spec(s), {stale} stale, {broken} not compiling", err=True)
    sys.exit(1 if stale or broken else 0)


@main.command("init")
@click.option("--model", help="local checkpoint dir or HF handle org/name")
@click.option("--execution", "executor", type=click.Choice(["local", "slurm"]))
@click.option("--deployment", "backend", type=click.Choice(["vllm", "sglang", "nim", "trtllm", "none"]))
@click.option("--export", type=click.Choice(["none", "mlflow", "wandb"]))
@click.option("--model-type", "--model_type", "model_type", type=click.Choice(["chat_reasoning", "base", "chat", "reasoning"]))
@click.option("--benchmarks", help="comma-separated recipes, bundles or NEL task names")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("nelc-spec.nelc.yaml"), show_default=True)
def init_command(model, executor, backend, export, model_type, benchmarks, output: Path) -> None:
    """Ask the seed's five questions (and the model), then write a spec. Never overwrites."""
    from .data import recipe
    from .init import DEFAULT_BENCHMARKS, spec_text
    from .output import OutputExists, write_atomic

    if output.exists():
        click.echo(f"{output}: error[F002]: file exists; nelc init never overwrites", err=True)
        sys.exit(1)
    model = model or click.prompt("Model (local checkpoint dir or HF handle org/name)")
    executor = executor or click.prompt("Execution", type=click.Choice(["local", "slurm"]), default="local")
    backend = backend or click.prompt("Deployment (none = an endpoint that already runs)",
                                      type=click.Choice(["vllm", "sglang", "nim", "trtllm", "none"]), default="vllm")
    export = export or click.prompt("Auto-export", type=click.Choice(["none", "mlflow", "wandb"]), default="none")
    model_type = model_type or click.prompt("Model type (chat and reasoning are the old names of chat_reasoning)",
                                            type=click.Choice(["chat_reasoning", "base", "chat", "reasoning"]), default="chat_reasoning")
    model_type = {"chat": "chat_reasoning", "reasoning": "chat_reasoning"}.get(model_type, model_type)
    if benchmarks is None:
        data = recipe("benchmarks")
        options = ", ".join([*data["bundles"][model_type], *data["recipes"]])
        benchmarks = click.prompt(f"Benchmarks, comma-separated ({options}, or NEL task names)", default=DEFAULT_BENCHMARKS[model_type])
    answers = {"model": model, "executor": executor, "backend": backend, "export": export, "model_type": model_type,
               "benchmarks": [b.strip() for b in benchmarks.split(",") if b.strip()]}
    if executor == "slurm":
        answers["slurm"] = {key: click.prompt(f"SLURM {key}") for key in ("hostname", "account", "username")}
        answers["output_dir"] = click.prompt("Output dir (absolute path on the cluster)")
    if backend == "none":
        answers["endpoint"] = {"url": click.prompt("Endpoint URL (…/v1/chat/completions)"), "model_id": click.prompt("Endpoint model id"),
                               "api_key_name": click.prompt("Env var NAME holding the endpoint's key", default="NVIDIA_API_KEY")}
    if backend == "nim":
        answers["deployment"] = {"image": click.prompt("NIM image (e.g. nvcr.io/nim/meta/llama-3.1-8b-instruct:1.8.6)")}
    if export == "mlflow":
        answers["mlflow"] = {"tracking_uri": click.prompt("MLflow tracking URI")}
    if export == "wandb":
        answers["wandb"] = {"entity": click.prompt("W&B entity"), "project": click.prompt("W&B project")}
    try:
        write_atomic(output, spec_text(answers), force=False)
    except OutputExists:
        click.echo(f"{output}: error[F002]: file exists; nelc init never overwrites", err=True)
        sys.exit(1)
    compiled = output.name[: -len(".nelc.yaml")] + ".yaml" if output.name.endswith(".nelc.yaml") else "run.yaml"
    click.echo(f"wrote {output}\nnext: nelc compile {output} -o {output.with_name(compiled)}")


@main.command("run")
@click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-t", "--task", "tasks", multiple=True, help="only this task (repeatable), as in `nel run -t`")
@click.option("--canary", "canary_samples", type=click.IntRange(1), default=10, show_default=True, help="samples per canary")
@click.option("--yes", is_flag=True, help="submit without asking")
@click.option("--poll", "poll_seconds", type=float, default=30.0, show_default=True, help="seconds between status checks")
def run_command(config: Path, tasks: tuple[str, ...], canary_samples: int, yes: bool, poll_seconds: float) -> None:
    """Dry run, then one canary per risk class (judge, code, simulator, plain), then the full run."""
    import shutil
    import subprocess

    from .runner import Runner, RunOptions

    nel = shutil.which("nel") or "nel"

    def shell(cmd: list[str]) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(cmd, capture_output=True, text=True)
        except FileNotFoundError as exc:
            return subprocess.CompletedProcess(cmd, 127, "", f"{exc.filename}: not found")

    from .diagnostics import CompileError

    runner = Runner(RunOptions(config, tasks, canary_samples, yes, poll_seconds, nel=nel), shell,
                    say=lambda message: click.echo(message), confirm=lambda question: click.confirm(question, default=False))
    try:
        sys.exit(runner.run())
    except CompileError as exc:  # the config is not readable YAML: nothing was submitted
        _print_diagnostics(exc.diagnostics)
        sys.exit(1)


@main.command("verify")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def verify_command(run_dir: Path, fmt: str) -> None:
    """Validate a finished run (logs, samples, repeats, reasoning) before reading any score. Exit 1 if not valid."""
    from .verify import as_json, as_text, verdict, verify_run

    reports = verify_run(run_dir)
    click.echo(as_json(reports) if fmt == "json" else as_text(reports, str(run_dir)), nl=False)
    sys.exit(0 if verdict(reports) == "valid" else 1)


@main.command("schema")
def schema_command() -> None:
    """Print the spec's JSON Schema (for editors: yaml-language-server)."""
    from .spec import spec_json_schema

    click.echo(json.dumps(spec_json_schema(), indent=2))


@main.command("rules")
@click.argument("code", required=False)
def rules_command(code: str | None) -> None:
    """List every rule, or explain one: `nelc rules R130`."""
    from nelc.rules import BY_CODE, LINT_RULES, RULES

    if code is None:
        for rule in (*RULES, *LINT_RULES):
            summary = rule.doc.splitlines()[0] if rule.doc else ""
            click.echo(f"{rule.code}  {rule.name:<24} {summary.split(': ', 1)[-1]}")
        return
    rule = BY_CODE.get(code.upper())
    if rule is None:
        click.echo(f"nelc: no rule {code}; `nelc rules` lists them", err=True)
        sys.exit(2)
    click.echo(rule.doc)


if __name__ == "__main__":
    main()
