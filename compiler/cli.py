"""The command line: parse options, call one function per command, print its outcome, exit.

The only place that prints or exits. Exit 0 ok, 1 findings, 2 usage or internal error.
Commands import their module when they run: `nelc.commands` pulls in pydantic and every rule
(175 ms cold on a 2-core machine), which `nelc --version`, `nelc schema` and the runner need not pay.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn, Sequence

import click

from . import NEL_VERSION, __version__
from .diagnostics import CompileError
from .choices import BACKENDS, EXECUTORS, EXPORTS, MODEL_TYPE_ALIASES, MODEL_TYPES

MODEL_TYPE_CHOICES = (*reversed(MODEL_TYPES), *MODEL_TYPE_ALIASES)


def _finish(outcome) -> NoReturn:
    """Print an Outcome of nelc.commands (stderr lines first, as diagnostics come before output) and exit."""
    for line in outcome.stderr:
        click.echo(line, err=True)
    if outcome.stdout:
        click.echo(outcome.stdout, nl=False)
    sys.exit(outcome.code)


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
@click.option("--task", "task", metavar="NAME",
              help="print this task's effective values (registry default < evaluation < task level), each with its source; "
              "NAME may be the spec's recipe or bundle name")
@click.option("--all", "unset", is_flag=True, help="with --task: list unset (null) values too")
@click.option("--baseline", metavar="MODEL", help="also compile MODEL from the same spec, to OUTPUT with .baseline before its "
              "suffix; refused unless the two are comparable (overrides the spec's baseline:)")
def compile_command(spec: Path, output: Path | None, force: bool, explain: bool, strict: bool, env_example: Path | None,
                    task: str | None, unset: bool, baseline: str | None) -> None:
    """Compile SPEC to NEL YAML."""
    from .commands import CompileOptions, run_compile  # 175 ms: see the module docstring

    _finish(run_compile(CompileOptions(spec, output, force, explain, strict, env_example, task, baseline, unset)))


@main.command("diff")
@click.argument("a", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("b", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def diff_command(a: Path, b: Path, fmt: str) -> None:
    """Can runs of configs (or specs, compiled offline) A and B be compared? Every difference, sorted into
    expected for a model comparison (checkpoint, quantization flags, served name, precision env) and
    breaks comparability (tasks, repeats, sampling, prompts, max length, judge, containers, recipe set).
    Exit 0 comparable, 1 not, 2 error."""
    from .commands import run_diff  # 175 ms: see the module docstring

    _finish(run_diff(a, b, fmt))


@main.command("fingerprint")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def fingerprint_command(file: Path) -> None:
    """Print the evaluation fingerprint of a config or spec: a hash over what decides comparability.
    Equal fingerprints, comparable runs."""
    from .commands import run_fingerprint  # 175 ms: see the module docstring

    _finish(run_fingerprint(file))


@main.command("show")
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--task", "task", metavar="NAME", help="only this task (default: every task): a NEL task, or the spec's recipe "
              "or bundle name (gpqa, core_reasoning)")
@click.option("--all", "unset", is_flag=True, help="also list unset (null) values, left out by default")
def show_command(config: Path, task: str | None, unset: bool) -> None:
    """Print what each task's container will run with: every effective config.params and endpoint
    value of a NEL config, with the layer it comes from (NEL 0.2.6 registry default, evaluation level,
    task level, or the launcher)."""
    from .commands import run_show  # 175 ms: see the module docstring

    _finish(run_show(config, task, unset))


@main.command("lint")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--fix", is_flag=True, help="apply safe fixes (comments and layout are kept)")
@click.option("--unsafe-fixes", is_flag=True, help="also apply fixes that may change meaning (renames to a guess, new prefixes)")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "sarif", "auto"]), default="auto",
              show_default=True, help="auto is github under GitHub Actions, text elsewhere")
@click.option("--select", multiple=True, help="only these codes or prefixes (L1, R195); comma-separated or repeated")
@click.option("--ignore", multiple=True, help="never these codes or prefixes; comma-separated or repeated")
@click.option("--strict", is_flag=True, help="warnings fail too (errors always do)")
def lint_command(files: tuple[Path, ...], fix: bool, unsafe_fixes: bool, fmt: str, select: tuple[str, ...],
                 ignore: tuple[str, ...], strict: bool) -> None:
    """Lint NEL run configs and nelc specs, offline. Exit 0 clean or warnings only, 1 errors (or warnings
    with --strict), 2 usage or internal error. Defaults: .nelc.toml or pyproject.toml [tool.nelc]."""
    from .commands import LintOptions, run_lint  # 175 ms: see the module docstring

    _finish(run_lint(LintOptions(files, fix, unsafe_fixes, fmt, _split(select), _split(ignore), strict)))


def _split(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


@main.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--update", is_flag=True, help="rewrite stale outputs instead of failing")
@click.option("--portable", metavar="PREFIX", help="outputs store each spec's folder as PREFIX/<folder name> (nelc's goldens: /nelc-golden)")
def check_command(paths: tuple[Path, ...], update: bool, portable: str | None) -> None:
    """Recompile specs (NAME.nelc.yaml -> NAME.yaml; spec.yaml -> expected.yaml) and fail on stale outputs."""
    from .commands import CheckOptions, run_check  # 175 ms: see the module docstring

    _finish(run_check(CheckOptions(paths, update, portable)))


def _ask(question: str, choices: Sequence[str] | None, default: str | None) -> str:
    return click.prompt(question, type=click.Choice(list(choices)) if choices else None, default=default)


@main.command("init")
@click.option("--model", help="local checkpoint dir or HF handle org/name")
@click.option("--execution", "executor", type=click.Choice(EXECUTORS))
@click.option("--deployment", "backend", type=click.Choice(BACKENDS))
@click.option("--export", type=click.Choice(EXPORTS))
@click.option("--model-type", "--model_type", "model_type", type=click.Choice(MODEL_TYPE_CHOICES))
@click.option("--benchmarks", help="comma-separated recipes, bundles or NEL task names")
@click.option("--slurm-hostname", "slurm__hostname", help="SLURM login host (executor slurm)")
@click.option("--slurm-account", "slurm__account", help="SLURM account")
@click.option("--slurm-username", "slurm__username", help="SLURM user name")
@click.option("--slurm-partition", "slurm__partition", help="SLURM partition (default batch)")
@click.option("--slurm-walltime", "slurm__walltime", help='walltime, "HH:MM:SS" (default 04:00:00)')
@click.option("--output-dir", "output_dir", help="absolute output folder on the cluster (executor slurm)")
@click.option("--endpoint-url", "endpoint__url", help="the running endpoint's URL (deployment none)")
@click.option("--endpoint-model-id", "endpoint__model_id", help="the endpoint's model id")
@click.option("--endpoint-key-name", "endpoint__api_key_name", help="NAME of the env var with the endpoint's key")
@click.option("--nim-image", "deployment__image", help="the NIM image (deployment nim)")
@click.option("--mlflow-uri", "mlflow__tracking_uri", help="MLflow tracking URI (export mlflow)")
@click.option("--mlflow-experiment", "mlflow__experiment_name", help="MLflow experiment name")
@click.option("--wandb-entity", "wandb__entity", help="W&B entity (export wandb)")
@click.option("--wandb-project", "wandb__project", help="W&B project")
@click.option("--no-input", is_flag=True, help="never prompt: missing answers are an error that lists their flags")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("nelc-spec.nelc.yaml"), show_default=True)
def init_command(output: Path, no_input: bool, **given: str | None) -> None:
    """Ask the ModelOpt evaluation skill's five questions (and the model), then write a spec. Never overwrites.
    Every question has a flag; without a terminal nothing is asked."""
    from .commands import run_init  # 175 ms: see the module docstring

    interactive = not no_input and sys.stdin.isatty()
    answers = {key.replace("__", "."): value for key, value in given.items() if value is not None}  # slurm__account -> slurm.account
    _finish(run_init(answers, output, _ask if interactive else None))


@main.command("run")
@click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-t", "--task", "tasks", multiple=True, help="only this task (repeatable), as in `nel run -t`")
@click.option("--canary", "canary_samples", type=click.IntRange(1), default=10, show_default=True, help="samples per canary")
@click.option("--yes", is_flag=True, help="submit without asking")
@click.option("--poll", "poll_seconds", type=float, default=30.0, show_default=True, help="seconds between status checks")
@click.option("--max-wait", "max_wait_hours", type=float, default=48.0, show_default=True,
              help="hours to follow one canary before giving up on it")
@click.option("--restart", is_flag=True, help="drop the saved stage state (CONFIG.nelc-run.json) and start from the dry run")
def run_command(config: Path, tasks: tuple[str, ...], canary_samples: int, yes: bool, poll_seconds: float,
                max_wait_hours: float, restart: bool) -> None:
    """Dry run, then one canary per risk class (judge, code, simulator, plain), then the full run."""
    from nelc.runner.run import Runner, RunError, RunOptions, run_subprocess  # 53 ms (ruamel, the registry), only for `run`

    options = RunOptions(config, tasks, canary_samples, yes, poll_seconds, max_wait_hours * 3600, restart=restart)
    runner = Runner(options, run_subprocess, say=lambda message: click.echo(message),
                    confirm=lambda question: click.confirm(question, default=False))
    try:
        sys.exit(runner.run())
    except RunError as exc:  # refused before submitting anything further
        click.echo(f"{config}: {exc}", err=True)
        sys.exit(1)
    except CompileError as exc:  # the config is not readable YAML: nothing was submitted
        for diag in exc.diagnostics:
            click.echo(diag.render(), err=True)
        sys.exit(1)


@main.command("verify")
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--max-truncated", type=click.FloatRange(0, 1), default=0.10, show_default=True,
              help="share of responses that may stop at the length limit or keep an unclosed trace (nelc's default)")
def verify_command(run_dir: Path, fmt: str, max_truncated: float) -> None:
    """Validate a finished run (logs, samples, repeats, reasoning) before reading any score. Exit 1 if not valid."""
    from nelc.runner.verify import as_json, as_text, verdict, verify_run  # 53 ms, as for `run`

    reports = verify_run(run_dir, max_truncated)
    click.echo(as_json(reports) if fmt == "json" else as_text(reports, str(run_dir)), nl=False)
    sys.exit(0 if verdict(reports) == "valid" else 1)


@main.command("compare")
@click.argument("a_run", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("b_run", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def compare_command(a_run: Path, b_run: Path, fmt: str) -> None:
    """Score deltas B - A of two finished runs (as `nel info --copy-artifacts` writes them), only when both
    pass `nelc verify` and ran comparable configs. Exit 0 deltas printed, 1 not comparable or not valid."""
    from nelc.runner.compare import as_json, as_text, compare_runs  # 53 ms, as for `verify`

    result = compare_runs(a_run, b_run)
    click.echo(as_json(result) if fmt == "json" else as_text(result, str(a_run), str(b_run)), nl=False)
    sys.exit(0 if result.comparable else 1)


@main.command("schema")
def schema_command() -> None:
    """Print the spec's JSON Schema (for editors: yaml-language-server)."""
    from .spec import spec_json_schema  # 125 ms (pydantic and the spec model): see the module docstring

    click.echo(json.dumps(spec_json_schema(), indent=2))


@main.command("rules")
@click.argument("code", required=False)
def rules_command(code: str | None) -> None:
    """List every rule and diagnostic code, or explain one: `nelc rules R130`, `nelc rules S005`."""
    from .commands import run_rules_listing  # 175 ms: see the module docstring

    _finish(run_rules_listing(code))


if __name__ == "__main__":
    main()
