"""Spec format v1: the user-facing contract (names are stable; see README "The spec").

The pydantic model is the single source of truth: `schemas/spec.schema.json` is generated from
it (`nelc schema`), and its validation errors become coded diagnostics with `file:line:col`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError

from .diagnostics import CompileError, Diagnostic, Severity, printable
from .choices import BACKENDS, EXECUTORS, EXPORTS, MODEL_TYPE_ALIASES, MODEL_TYPES, RECIPE_SETS
from .load import Loaded, dotted
from .secretscan import find_secrets, looks_like_secret, masked_path
from .shellsafe import control_problems, interpolation_problems

SPEC_VERSION = 1

ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
EnvName = Annotated[str, StringConstraints(pattern=ENV_NAME)]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]
# NEL 0.2.6's env value grammar: nemo_evaluator_launcher/common/env_vars.py, parse_env_var_value.
PrefixedEnvValue = Annotated[str, StringConstraints(pattern=r"^(lit:.*|host:[A-Za-z_][A-Za-z0-9_]*|runtime:[A-Za-z_][A-Za-z0-9_]*)$")]
TimeValue = Annotated[str, StringConstraints(pattern=r"^(\d+-)?\d+:\d{2}:\d{2}$")]

# Values that look like credentials where an env-var *name* belongs. Never echoed back.
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _refuse_secret(value: Any) -> Any:
    if isinstance(value, str) and looks_like_secret(value):
        raise ValueError("secret-shaped")
    return value


# Where the spec takes the NAME of an env var; a pasted key is refused and never echoed.
KeyName = Annotated[str, BeforeValidator(_refuse_secret), StringConstraints(pattern=ENV_NAME)]


class Endpoint(_Strict):
    """An OpenAI-compatible endpoint NEL does not deploy (the model, a judge, a user simulator)."""

    url: NonEmpty = Field(description="full URL, e.g. https://host/v1/chat/completions")
    model_id: NonEmpty
    api_key_name: KeyName | None = Field(
        default=None, description="NAME of the env var that holds the key (never the key itself)")


class Slurm(_Strict):
    hostname: NonEmpty | None = Field(default=None, description="login node for ssh/sbatch (required)")
    account: NonEmpty | None = Field(default=None, description="SLURM account (required)")
    username: NonEmpty | None = Field(default=None, description="cluster login (required; NEL's $USER default fails where USER is unset)")
    partition: NonEmpty = "batch"
    walltime: TimeValue = Field(default="04:00:00", description='"HH:MM:SS" or "D-HH:MM:SS"')
    max_walltime: TimeValue | None = Field(default="120:00:00", description="cap across auto-resumes; null = none")
    num_nodes: int = Field(default=1, ge=1)
    num_instances: int = Field(default=1, ge=1, description="independent model instances behind HAProxy")
    gres: NonEmpty | None = Field(default="gpu:8")


class Deployment(_Strict):
    tensor_parallel_size: int = Field(default=1, ge=1)
    data_parallel_size: int = Field(default=1, ge=1)
    pipeline_parallel_size: int = Field(default=1, ge=1)
    image: NonEmpty | None = Field(default=None, description="server image; defaults to a pinned tag per backend")
    extra_args: str | list[str] = Field(default="", description="extra server flags; yours win over derived ones")
    env_vars: dict[EnvName, PrefixedEnvValue] = Field(default_factory=dict, description="NAME: lit:VALUE | host:VAR | runtime:VAR")


class Mlflow(_Strict):
    tracking_uri: NonEmpty | None = Field(default=None, description="required when export: mlflow")
    experiment_name: NonEmpty = "nemo-evaluator-launcher"
    tags: dict[NonEmpty, str] = Field(default_factory=dict)


class Wandb(_Strict):
    project: NonEmpty | None = Field(default=None, description="required when export: wandb")
    entity: NonEmpty | None = Field(default=None, description="required when export: wandb")
    tags: list[NonEmpty] = Field(default_factory=list)


class Benchmark(_Strict):
    """A benchmark with settings for the task(s) it resolves to, merged over what nelc derives
    (mappings merge key by key; lists and values replace), as the ModelOpt evaluation skill's
    Step 5 tunes a task."""

    name: NonEmpty = Field(description="recipe, bundle or NEL task name")
    params: dict[str, Any] = Field(default_factory=dict, description="merged into nemo_evaluator_config.config.params")
    nemo_evaluator_config: dict[str, Any] = Field(default_factory=dict, description="merged into the task's nemo_evaluator_config")
    env_vars: dict[EnvName, PrefixedEnvValue] = Field(default_factory=dict, description="the task's env: NAME: lit:VALUE | host:VAR")


class LintSettings(_Strict):
    ignore: list[NonEmpty] = Field(default_factory=list, description="codes (or prefixes) `nelc lint` does not report for this spec")


class Spec(_Strict):
    """What to evaluate, where, and on which benchmarks."""

    model: NonEmpty = Field(description="local checkpoint dir, or HF handle org/name[@revision]")
    served_model_name: NonEmpty | None = Field(default=None, description="derived from the model when absent")
    baseline: NonEmpty | None = Field(
        default=None, description="the baseline model (local checkpoint or HF handle) to compile beside this one from the same "
                                  "spec: written as NAME.baseline.yaml, comparable by construction")
    model_type: Literal[MODEL_TYPES] | None = Field(
        default=None, description="base | chat_reasoning (chat, reasoning accepted as old names)")
    reasoning: Literal["on", "off"] | None = Field(default=None, description="reasoning mode for reasoning-capable models")
    recipes: Literal[RECIPE_SETS] | None = Field(
        default=None, description="the ModelOpt evaluation skill's recipe set: modelopt-2026.05 (9ced018) or "
                                  "modelopt-2026.08 (a2fbac7); default the newest. Pin it to compare runs compiled months apart")
    tokenizer: NonEmpty | None = Field(
        default=None, description="HF handle (or path inside the evaluation container) of the tokenizer for tasks that "
                                  "tokenize client-side; defaults to the model's handle")
    backend: Literal[BACKENDS] = "vllm"
    executor: Literal[EXECUTORS] = "local"
    benchmarks: list[NonEmpty | Benchmark] = Field(
        min_length=1, description="bundle, recipe or NEL task names; {name, params, nemo_evaluator_config, env_vars} to tune one")
    export: Literal[EXPORTS] = "none"
    output_dir: NonEmpty | None = Field(default=None, description="default ./nel-results (local); absolute and required on slurm")
    slurm: Slurm = Field(default_factory=Slurm)
    endpoint: Endpoint | None = Field(default=None, description="backend: none only")
    deployment: Deployment = Field(default_factory=Deployment)
    judge: Endpoint | None = None
    user_simulator: Endpoint | None = None
    mlflow: Mlflow = Field(default_factory=Mlflow)
    wandb: Wandb = Field(default_factory=Wandb)
    interceptors: dict[str, Any] = Field(default_factory=dict, description="adapter settings by NEL's flag names")
    overrides: dict[str, Any] = Field(default_factory=dict, description="raw NEL keys, deep-merged last")
    lint: LintSettings = Field(default_factory=LintSettings, description="nelc lint settings for this spec")


    @property
    def benchmark_names(self) -> list[str]:
        return [b if isinstance(b, str) else b.name for b in self.benchmarks]


def spec_json_schema() -> dict:
    schema = Spec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://nelc.dev/schemas/spec.schema.json"
    schema["title"] = "nelc spec v1"
    return schema


def parse_spec(loaded: Loaded) -> tuple[Spec, tuple[Diagnostic, ...]]:
    """Validate loaded YAML as a spec; raise CompileError with positioned diagnostics."""
    data = loaded.data
    if data is None:
        raise CompileError([loaded.diagnostic("S001", "the spec is empty", (),
                                              "start from `nelc init` or the README example")])
    if not isinstance(data, dict):
        raise CompileError([loaded.diagnostic("S002", f"the spec must be a mapping, not a {_kind(data)}", (),
                                              "write `key: value` lines at the top level")])
    hostile = _hostile_strings(loaded)
    notes: list[Diagnostic] = []
    if data.get("model_type") in MODEL_TYPE_ALIASES:
        old = data["model_type"]
        data = {**data, "model_type": MODEL_TYPE_ALIASES[old]}
        notes.append(loaded.diagnostic(
            "S010", f"model_type '{old}' is the NEL 0.2.2 name; using 'chat_reasoning'",
            ("model_type",), "write `model_type: chat_reasoning`", Severity.NOTE))
    try:
        spec = Spec.model_validate(data)
        errors: list[Diagnostic] = []
    except ValidationError as exc:
        errors = _diagnostics(loaded, exc.errors())
    if hostile or errors:
        raise CompileError(_without_echoes(hostile, errors))
    return spec, tuple(notes)


def _hostile_strings(loaded: Loaded) -> list[tuple[str, Diagnostic]]:
    """Secrets and control characters anywhere in the spec, keys and `overrides` included, each
    with the raw dotted path it is about (never printed: the diagnostic's own path is masked)."""
    secrets = list(find_secrets(loaded.data))
    out = [(dotted(path), replace(loaded.diagnostic(
        "S007", f"'{masked_path(path)}' holds {what}; a spec never carries secret values", path,
        "pass it by the NAME of an env var (api_key_name: NAME, or host:NAME in env values), export it in your shell, "
        "and rotate the exposed key"), path=masked_path(path))) for path, what in secrets]
    seen = {path for path, _ in secrets}
    out += [(dotted(problem.path), replace(loaded.diagnostic("S011", problem.message, problem.path, problem.hint),
                                           path=printable(masked_path(problem.path))))
            for problem in control_problems(loaded.data) if problem.path not in seen]
    seen |= {problem.path for problem in control_problems(loaded.data)}
    out += [(dotted(problem.path), replace(loaded.diagnostic("S012", problem.message, problem.path, problem.hint),
                                           path=printable(masked_path(problem.path))))
            for problem in interpolation_problems(loaded.data) if problem.path not in seen]
    return out


def _without_echoes(hostile: list[tuple[str, Diagnostic]], errors: list[Diagnostic]) -> list[Diagnostic]:
    """Every finding once, and none that would repeat a hostile value: schema errors at (or under)
    a hostile path are dropped, except the schema's own S007, which says more than the scan."""
    schema_secrets = {d.path for d in errors if d.code == "S007"}
    kept = [diag for raw, diag in hostile if raw not in schema_secrets]
    bad = [raw for raw, _ in hostile if raw not in schema_secrets]
    kept += [d for d in errors if not any(d.path == raw or d.path.startswith((raw + ".", raw + "[")) for raw in bad)]
    return kept


def _diagnostics(loaded: Loaded, errors: list[dict]) -> list[Diagnostic]:
    """One diagnostic per spec location: a union's per-member type errors fold into one."""
    by_loc: dict[tuple, list[dict]] = {}
    for err in errors:
        by_loc.setdefault(_data_loc(loaded.data, err["loc"]), []).append(err)
    out = []
    for loc, errs in by_loc.items():
        kinds = [e["type"] for e in errs]
        if len(errs) > 1 and all(k in _EXPECTED for k in kinds):
            merged = dict(errs[0], type="union_type", expected=" or ".join(_EXPECTED[k] for k in kinds))
            out.append(_to_diagnostic(loaded, merged))
        else:
            out.extend(_to_diagnostic(loaded, e) for e in errs)
    return out


_EXPECTED = {"string_type": "a string", "int_type": "an integer", "dict_type": "a mapping",
             "list_type": "a list", "model_type": "a mapping", "bool_type": "true or false"}


def _kind(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(value), type(value).__name__)


def _model_at(loc: tuple) -> type[BaseModel] | None:
    model: Any = Spec
    for part in loc:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        if field is None:
            return None
        inner = [a for a in getattr(field.annotation, "__args__", (field.annotation,)) if isinstance(a, type)]
        model = next((a for a in inner if issubclass(a, BaseModel)), None)
        if model is None:
            return None
    return model


def _to_diagnostic(loaded: Loaded, err: dict) -> Diagnostic:
    loc = _data_loc(loaded.data, err["loc"])
    kind = err["type"]
    name = ".".join(str(p) for p in loc) or "spec"
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        options = sorted(parent.model_fields) if parent else []
        close = difflib.get_close_matches(str(loc[-1]), options, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known keys here: {', '.join(options)}"
        return loaded.diagnostic("S003", f"unknown key '{name}'", loc, hint)
    if kind == "missing":
        return loaded.diagnostic("S004", f"missing required key '{name}'", loc,
                                 f"add `{loc[-1]}:` here" if loc else "")
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        value = _safe_value(err.get("input"))
        close = difflib.get_close_matches(str(err.get("input")), re.findall(r"'([^']+)'", expected), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"use one of {expected}"
        return loaded.diagnostic("S005", f"'{name}' cannot be {value}; expected {expected}", loc, hint)
    if kind == "value_error" and "secret-shaped" in err.get("msg", ""):
        return loaded.diagnostic("S007", f"'{name}' looks like a secret value, but it takes the NAME of an env var",
                                 loc, "write the variable's name (e.g. JUDGE_API_KEY) and export the key in your shell")
    if kind == "string_pattern_mismatch":
        is_key = "[key]" in err["loc"]
        return loaded.diagnostic("S006", f"'{name}' has an invalid {'name' if is_key else 'value'}: {_pattern_help(err)}",
                                 loc, _pattern_hint(loc, is_key, err.get("input")))
    expected = err.get("expected") or _EXPECTED.get(kind)
    if expected:
        return loaded.diagnostic("S008", f"'{name}' must be {expected}, not {_kind(err.get('input'))}", loc,
                                 'quote time values such as walltime: "04:00:00"' if loc[-1:] in (("walltime",), ("max_walltime",)) else f"write {expected} here")
    return loaded.diagnostic("S009", f"'{name}': {err['msg']}", loc, "see `nelc schema` for the spec format")


def _data_loc(data: Any, loc: tuple) -> tuple:
    """Drop pydantic's union-member and '[key]' tags so the path names real spec keys."""
    out: list = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(part, str) and not any(c in part for c in "[(") and part not in _TYPE_TAGS:
            out.append(part)  # a missing key: keep it so the message can name it
            node = None
    return tuple(out)


_TYPE_TAGS = {"str", "int", "float", "bool", "list", "dict", "none"}


def _safe_value(value: Any) -> str:
    text = repr(value)
    return "that value" if isinstance(value, str) and looks_like_secret(value) else text


def _pattern_help(err: dict) -> str:
    pattern = err.get("ctx", {}).get("pattern", "")
    return f"expected a match for {pattern}"


def _pattern_hint(loc: tuple, is_key: bool, value: Any) -> str:
    last = str(loc[-1]) if loc else ""
    if last in ("walltime", "max_walltime"):
        return 'write a quoted time such as "04:00:00" or "1-00:00:00"'
    if "env_vars" in loc and not is_key:
        if isinstance(value, str) and re.fullmatch(r"\$?[A-Za-z_][A-Za-z0-9_]*", value) and not looks_like_secret(value):
            return f"env values need a prefix: write 'host:{value.lstrip('$')}' to read it from your shell"
        return "env values need a prefix: lit:VALUE, host:VAR or runtime:VAR (keep secrets in host: variables)"
    return "env-var names use letters, digits and underscores, e.g. JUDGE_API_KEY"
