"""Validate stage: JSON Schema for the shape, semantic checks for what a schema cannot say.

Anything found here is either a bad `overrides` entry (pointed at its spec line) or a compiler bug.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator

from .diagnostics import Diagnostic, Severity
from .draft import Key, leaves
from .knowledge import schema
from .nelconfig import defaults_option
from .secretscan import find_secrets, masked_path

ADAPTER_HOMES = (
    ("evaluation", "nemo_evaluator_config", "target", "api_endpoint", "adapter_config"),
    ("evaluation", "tasks", "*", "nemo_evaluator_config", "target", "api_endpoint", "adapter_config"),
)
_LOCATED = re.compile(r"^(?P<file>.+):(?P<line>\d+)$")

Locate = Callable[[Key], tuple[str, int]]


def validate(config: dict, locate: Locate) -> tuple[Diagnostic, ...]:
    """All findings for an emitted config; `locate(path)` gives (file, line) of what set `path`."""
    found = [*_schema_findings(config), *_semantic_findings(config)]
    out = []
    for code, path, message, hint in found:
        file, line = locate(path)
        shown = masked_path(path) if code == "V011" else _dotted(path)
        out.append(Diagnostic(file, line, 1 if line else 0, code, Severity.ERROR,
                              f"{message} (at {shown or 'top level'})", hint, shown))
    return tuple(sorted(set(out)))


def _schema_findings(config: dict) -> Iterator[tuple[str, Key, str, str]]:
    # 67 ms to import (python -X importtime): only a compile that reaches validation pays it, not --version or lint
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema("nel"))
    for error in validator.iter_errors(config):
        path = tuple(error.absolute_path)
        message = error.message
        if error.validator == "additionalProperties":
            message = "key not allowed here: " + message.split("(")[-1].rstrip(")")
        yield "V001", path, f"NEL config shape: {message}", "fix or remove the override that produced this key"


def _semantic_findings(config: dict) -> Iterator[tuple[str, Key, str, str]]:
    for path, what in find_secrets(config):
        yield "V011", path, f"{masked_path(path)} holds {what}; nelc never writes secret values", \
            "pass it by the NAME of an env var (host:NAME) and export it in your shell"
    for path, value in leaves(config):
        if value == "???":
            yield "V002", path, "a mandatory value is left as ???", "set it in the spec; nelc never emits ???"
        if isinstance(value, str) and "env_vars" in path and re.search(r"\$\{oc\.(env|decode):", value):
            yield "V006", path, "env value uses ${oc.env:...}; NEL's error message would print the secret", \
                "use host:VAR instead"
        if path[:1] == ("export",) and isinstance(value, str) and "${" in value:
            yield "V007", path, "interpolation inside export; the export job cannot resolve it", "write a literal value"
    for path in _keys_named(config, "adapter_config"):
        if not any(_matches(path, home) for home in ADAPTER_HOMES):
            yield "V003", path, "adapter_config here is ignored or fails in the container", \
                "put it at evaluation.nemo_evaluator_config.target.api_endpoint.adapter_config (or the task-level equivalent)"
    deployment = defaults_option(config, "deployment")
    execution = defaults_option(config, "execution")
    endpoint = config.get("target", {}).get("api_endpoint", {}) if isinstance(config.get("target"), dict) else {}
    for key in ("url", "model_id"):
        if deployment != "none" and key in endpoint:
            yield "V004", ("target", "api_endpoint", key), f"target.api_endpoint.{key} is forbidden with a deployment", \
                "remove it; NEL computes the URL and model id of the server it deploys"
        if deployment == "none" and not endpoint.get(key):
            yield "V004", ("target", "api_endpoint"), f"deployment none needs target.api_endpoint.{key}", "set endpoint in the spec"
    exe = config.get("execution", {})
    if isinstance(exe, dict):
        nodes, instances = exe.get("num_nodes", 1), exe.get("num_instances", 1)
        if isinstance(nodes, int) and isinstance(instances, int) and instances and nodes % instances:
            yield "V005", ("execution", "num_instances"), f"num_nodes ({nodes}) is not divisible by num_instances ({instances})", \
                "make num_nodes a multiple of num_instances"
        if execution == "local" and exe.get("mode") == "parallel" and deployment != "none":
            yield "V009", ("execution", "mode"), "local mode parallel is allowed only with deployment none", "use sequential"
        destinations = exe.get("auto_export", {}).get("destinations", []) if isinstance(exe.get("auto_export"), dict) else []
        for dest in destinations:
            if dest not in config.get("export", {}):
                yield "V008", ("execution", "auto_export", "destinations"), f"auto_export to {dest} without an export.{dest} block", \
                    f"configure export.{dest}"
        for dest in config.get("export", {}):
            if dest != "env_vars" and dest not in destinations:
                yield "V008", ("export", dest), f"export.{dest} is never used: auto_export.destinations does not list it", \
                    f"add {dest} to execution.auto_export.destinations"
    if deployment == "vllm_ray" and execution == "local":
        yield "V010", ("defaults",), "vllm_ray needs the SLURM executor (it injects PROC_ID and MASTER_IP)", "use executor: slurm"


def _keys_named(tree: Any, name: str, prefix: Key = ()) -> Iterator[Key]:
    if isinstance(tree, dict):
        for key, value in tree.items():
            if key == name:
                yield (*prefix, key)
            yield from _keys_named(value, name, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from _keys_named(value, name, (*prefix, index))


def _matches(path: Key, pattern: tuple) -> bool:
    return len(path) == len(pattern) and all(p == "*" and isinstance(k, int) or p == k for k, p in zip(path, pattern))


def _dotted(path: Key) -> str:
    return ".".join(str(p) for p in path)


def locate_by_source(origins_of: Callable[[Key], Any], spec_file: str) -> Locate:
    """Point a finding at the spec line behind the value (an override), else at the spec file."""
    def locate(path: Key) -> tuple[str, int]:
        origin = origins_of(path)
        match = _LOCATED.match(origin.source) if origin and origin.source else None
        return (match["file"], int(match["line"])) if match else (spec_file, 0)
    return locate
