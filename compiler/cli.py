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


@main.command("schema")
def schema_command() -> None:
    """Print the spec's JSON Schema (for editors: yaml-language-server)."""
    from .spec import spec_json_schema

    click.echo(json.dumps(spec_json_schema(), indent=2))


@main.command("rules")
@click.argument("code", required=False)
def rules_command(code: str | None) -> None:
    """List every rule, or explain one: `nelc rules R130`."""
    from nelc.rules import BY_CODE, RULES

    if code is None:
        for rule in RULES:
            summary = rule.doc.splitlines()[0] if rule.doc else ""
            click.echo(f"{rule.code}  {rule.name:<22} {summary.split(': ', 1)[-1]}")
        return
    rule = BY_CODE.get(code.upper())
    if rule is None:
        click.echo(f"nelc: no rule {code}; `nelc rules` lists them", err=True)
        sys.exit(2)
    click.echo(rule.doc)


if __name__ == "__main__":
    main()
