"""Offline replica of the checks ``nemo-evaluator run_eval --run_config config_ef.yaml``
performs before it launches a harness.

Usage::

    from container_check import check_config_ef
    errors = check_config_ef(yaml.safe_load(open("config_ef.yaml")))

Everything is delegated to nemo_evaluator's own code (models, validators, registry,
pipeline validation methods).  The control flow mirrors, in order:

  nemo_evaluator.core.entrypoint.run()                      (CLI merge, metadata)
    -> nemo_evaluator.core.input.validate_configuration()    (pass 1)
    -> nemo_evaluator.core.evaluate.evaluate()
         -> validate_configuration() again on the model_dump() (pass 2)
         -> _run_evaluation(): _persist_metadata_and_build_results_block(),
            AdapterServerProcess / client transport -> AdapterPipeline(...)

What is NOT replicated (see ``SKIPPED_STEPS``):
  * task / framework lookup and framework-default merge (needs framework.yml from the
    container) unless ``framework_yml=`` is given;
  * verify_capabilities() (network; only logs warnings anyway);
  * prepare_output_directory() (creates output_dir and writes run_config.yml);
  * starting the adapter server (a spawned process) -- instead the pipeline's own
    validation methods are called on an AdapterPipeline created without __init__, and
    interceptors are instantiated with filesystem paths redirected into a throw-away
    temporary directory (see ``_build_components``).
"""

from __future__ import annotations

import copy
import os
import tempfile
import warnings as _warnings
from contextlib import contextmanager
from typing import Any, Iterable, Optional
from unittest import mock

from pydantic import ValidationError

import nemo_evaluator.core.input as _ne_input
from nemo_evaluator.adapters.adapter_config import AdapterConfig
from nemo_evaluator.adapters.pipeline import AdapterPipeline
from nemo_evaluator.adapters.registry import InterceptorRegistry
from nemo_evaluator.api.api_dataclasses import (
    Evaluation,
    EvaluationConfig,
    EvaluationTarget,
)
from nemo_evaluator.core.entrypoint import get_parser
from nemo_evaluator.core.evaluate import _persist_metadata_and_build_results_block
from nemo_evaluator.core.input import (
    _get_framework_evaluations,
    _parse_cli_args,
    check_adapter_config,
    check_required_default_missing,
    check_task_invocation,
    check_type_compatibility,
    merge_dicts,
    validate_configuration,
)
from nemo_evaluator.core.utils import deep_update

__all__ = ["check_config_ef", "ALLOWED_TOP_LEVEL_KEYS", "SKIPPED_STEPS"]

#: keys run_eval reads from the top level of the run config.
#: (``global_adapter_config`` is read too, by AdapterConfig.get_validated_config, but only
#: in the first check_adapter_config() call; it is dropped from the final config.)
ALLOWED_TOP_LEVEL_KEYS = ("config", "target", "metadata")

SKIPPED_STEPS = (
    "check_task_invocation: task/framework existence (needs framework.yml); only the "
    "'framework.task' dot-format check is run",
    "get_evaluation: framework defaults merge, validate_params_in_command (only logs a "
    "warning in 0.2.8), Evaluation(**merged) with framework command",
    "framework adapter_config defaults merged under the user's adapter_config",
    "check_type_compatibility vs framework supported_endpoint_types (user-set "
    "config.supported_endpoint_types IS checked)",
    "verify_capabilities (network; warnings only)",
    "prepare_output_directory (filesystem side effects)",
    "adapter server process start / harness command rendering",
)

# Interceptor param fields that point at the filesystem; redirected to a tempdir when we
# instantiate built-in interceptors so that __init__ side effects stay sandboxed.
_PATH_FIELDS = ("cache_dir", "output_dir")
# Param fields that would start background threads in __init__.
_THREAD_FIELDS = ("progress_tracking_interval_seconds",)
_BUILTIN_PREFIX = "nemo_evaluator.adapters."


class _AnyKey(dict):
    """Mapping that 'contains' every key (used to neutralise the framework lookup)."""

    def __missing__(self, key):
        return {}


def _fmt(stage: str, exc: BaseException) -> str:
    msg = str(exc)
    if isinstance(exc, ValidationError):
        msg = "\n".join(
            line
            for line in msg.splitlines()
            if "For further information visit" not in line
        )
    return f"[{stage}] {type(exc).__name__}: {msg}"


@contextmanager
def _patched_available_evaluations(framework_yml):
    """Patch nemo_evaluator.core.input.get_available_evaluations.

    * framework_yml given -> build the mapping exactly like get_available_evaluations()
      does, but from the given framework.yml file(s) instead of installed harnesses.
    * None -> permissive mapping: every framework/task name is 'available'.
    """
    if framework_yml is None:

        def fake():
            return _AnyKey(), {}, _AnyKey()

    else:
        paths = [framework_yml] if isinstance(framework_yml, str) else list(framework_yml)

        def fake():
            fw_map, fw_defaults, name_map = {}, {}, {}
            for p in paths:
                a, b, c = _get_framework_evaluations(p)
                fw_map.update(a)
                fw_defaults.update(b)
                name_map = merge_dicts(name_map, c)
            return fw_map, fw_defaults, name_map

    with mock.patch.object(_ne_input, "get_available_evaluations", fake):
        yield


def _cli_merge(config_ef: dict) -> dict:
    """entrypoint.run(): load_run_config + deep_update(_parse_cli_args(args))."""
    args = get_parser().parse_args(["run_eval", "--run_config", "config_ef.yaml"])
    return deep_update(config_ef, _parse_cli_args(args), skip_nones=True)


def _validate_configuration_offline(
    run_config: dict, stage: str, errors: list, notes: list, framework_yml
) -> Optional[Evaluation]:
    """Mirror of nemo_evaluator.core.input.validate_configuration.

    Independent steps are all run so several errors can be reported at once (run_eval
    stops at the first one).  Returns the validated Evaluation or None.
    """
    n_err = len(errors)
    cfg = run_config.get("config")
    tgt = run_config.get("target")

    # 1. required config.type / config.output_dir
    try:
        check_required_default_missing(run_config)
    except Exception as e:  # MisconfigurationError, or TypeError for non-dict config
        errors.append(_fmt(f"{stage}:check_required_default_missing", e))

    # 2. 'framework.task' format (lookup neutralised unless framework_yml is given)
    if isinstance(cfg, dict) and cfg.get("type") is not None:
        try:
            with _patched_available_evaluations(framework_yml):
                check_task_invocation(run_config)
        except Exception as e:
            errors.append(_fmt(f"{stage}:check_task_invocation", e))

    # 3. adapter config on the raw (user) config + api_endpoint/url presence
    try:
        check_adapter_config(run_config)
    except Exception as e:
        errors.append(_fmt(f"{stage}:check_adapter_config", e))

    # 4. pydantic models (adapter_config popped first, exactly like run_eval)
    user_adapter_config = None
    if isinstance(tgt, dict) and isinstance(tgt.get("api_endpoint"), dict):
        user_adapter_config = tgt["api_endpoint"].get("adapter_config")
    run_config_copy = run_config
    if user_adapter_config is not None:
        run_config_copy = copy.deepcopy(run_config)
        run_config_copy["target"]["api_endpoint"].pop("adapter_config", None)
    eval_cfg = eval_tgt = None
    try:
        eval_cfg = EvaluationConfig(**run_config_copy["config"])
    except Exception as e:
        errors.append(_fmt(f"{stage}:EvaluationConfig", e))
    try:
        eval_tgt = EvaluationTarget(**run_config_copy["target"])
    except Exception as e:
        errors.append(_fmt(f"{stage}:EvaluationTarget", e))

    if len(errors) > n_err:
        return None

    # 5a. framework available: run the real thing end-to-end.
    if framework_yml is not None:
        try:
            with _patched_available_evaluations(framework_yml):
                return validate_configuration(copy.deepcopy(run_config))
        except Exception as e:
            errors.append(_fmt(f"{stage}:validate_configuration(framework)", e))
            return None

    # 5b. no framework: get_evaluation() with empty framework defaults.
    try:
        evaluation = Evaluation(
            command="",
            framework_name="<framework.yml not available>",
            pkg_name="<unknown>",
            config=eval_cfg.model_dump(),
            target=eval_tgt.model_dump(),
        )
        merged_adapter = {}
        if user_adapter_config is not None:
            merged_adapter = deep_update(merged_adapter, user_adapter_config, skip_nones=True)
        eval_dict = evaluation.model_dump()
        eval_dict["target"]["api_endpoint"]["adapter_config"] = merged_adapter
        evaluation.target.api_endpoint.adapter_config = AdapterConfig.get_validated_config(
            eval_dict
        )
    except Exception as e:
        errors.append(_fmt(f"{stage}:AdapterConfig.get_validated_config(merged)", e))
        return None

    # 6. endpoint type vs supported types, url/model_id present when type is set
    try:
        check_type_compatibility(evaluation)
    except Exception as e:
        errors.append(_fmt(f"{stage}:check_type_compatibility", e))
        return None
    return evaluation


def _adapter_notes(adapter_cfg_raw: Any, notes: list) -> None:
    """Things run_eval silently accepts (AdapterConfig/InterceptorConfig ignore extras)."""
    if not isinstance(adapter_cfg_raw, dict):
        return
    if adapter_cfg_raw.get("interceptors"):
        known = set(AdapterConfig.model_fields)
        extra = sorted(k for k in adapter_cfg_raw if k not in known)
        if extra:
            notes.append(
                f"adapter_config keys silently ignored because 'interceptors' is set: {extra}"
            )
    elif adapter_cfg_raw.get("post_eval_hooks") or adapter_cfg_raw.get("discovery"):
        notes.append(
            "adapter_config has no interceptors, so it is converted with "
            "AdapterConfig.from_legacy_config(): user post_eval_hooks/discovery are "
            "REPLACED by the legacy defaults"
        )


def _build_components(
    adapter_config: AdapterConfig,
    registry: InterceptorRegistry,
    tmp: str,
    errors: list,
    notes: list,
    stage: str,
    unknown_is_error: bool,
) -> None:
    """Replicates AdapterPipeline._build_interceptor_chain/_build_post_eval_hooks
    (i.e. registry._get_or_create_instance) without side effects outside ``tmp``:

    * ``metadata.init_schema(**config)`` exactly as the registry does (pydantic Params
      validation, e.g. missing system_message);
    * built-in classes are then instantiated with cache_dir/output_dir redirected into
      ``tmp`` and background-thread options disabled, so __init__-time checks
      (e.g. raise_client_errors ranges) still run;
    * third-party classes (from discovery) are only Params-validated.
    The registry's instance cache is not touched.
    """
    items = [("interceptor", ic) for ic in adapter_config.interceptors if ic.enabled]
    items += [("post_eval_hook", h) for h in adapter_config.post_eval_hooks if h.enabled]
    for idx, (kind, comp) in enumerate(items):
        md = registry.get_metadata(comp.name)
        if md is None:  # interceptors were already caught by _validate_interceptor_order
            msg = (
                f"Unknown post-eval hook: {comp.name} (run_eval fails with "
                f"KeyError: '{comp.name}' in AdapterPipeline._build_post_eval_hooks)"
            )
            (errors if unknown_is_error else notes).append(f"[{stage}] {msg}")
            continue
        if kind == "post_eval_hook" and not md.supports_post_eval_hook():
            notes.append(
                f"post_eval_hooks entry '{comp.name}' is not a PostEvalHook; it will fail "
                "when hooks run (after the harness)"
            )
        if md.init_schema is not None:
            extra = sorted(set(comp.config) - set(md.init_schema.model_fields))
            if extra:
                notes.append(
                    f"{kind} '{comp.name}': config keys silently ignored by its Params "
                    f"model: {extra}"
                )
        try:
            if md.init_schema is not None:
                params = md.init_schema(**comp.config)
            else:
                params = None
            if not md.interceptor_class.__module__.startswith(_BUILTIN_PREFIX):
                continue  # don't run foreign __init__ code
            if params is None:
                continue
            update = {}
            for f in _PATH_FIELDS:
                if f in type(params).model_fields and getattr(params, f) is not None:
                    update[f] = os.path.join(tmp, f"{idx}_{comp.name}_{f}")
            for f in _THREAD_FIELDS:
                if f in type(params).model_fields:
                    update[f] = None
            safe_params = params.model_copy(update=update) if update else params
            md.interceptor_class(params=safe_params)
        except Exception as e:
            errors.append(_fmt(f"{stage}:{kind} '{comp.name}'", e))


def _check_pipeline(
    evaluation: Evaluation, errors: list, notes: list, import_discovery: bool
) -> None:
    api = evaluation.target.api_endpoint
    ac = api.adapter_config if api else None
    if ac is None:
        return
    stage = "adapter_pipeline"
    client_mode = ac.mode == "client"
    if ac.mode not in ("server", "client"):
        notes.append(f"adapter_config.mode={ac.mode!r} is not validated; treated as 'server'")
    enabled = [ic for ic in ac.interceptors if ic.enabled]
    hooks = [h for h in ac.post_eval_hooks if h.enabled]
    if not enabled and not hooks and not client_mode:
        # AdapterServerProcess.__enter__ returns early: no server, no pipeline validation.
        notes.append("no enabled interceptors/hooks: adapter server is not started")
        return

    registry = InterceptorRegistry.get_instance()
    has_discovery = bool(ac.discovery.modules or ac.discovery.dirs)
    if has_discovery and import_discovery:
        registry.discover_components(modules=ac.discovery.modules, dirs=ac.discovery.dirs)
    else:
        # built-ins only (what discover_components always loads)
        registry.discover_components(modules=[], dirs=[])
        if has_discovery:
            notes.append(
                "adapter_config.discovery modules/dirs not imported; unknown component "
                "names are reported as notes, not errors"
            )
    unknown_is_error = not (has_discovery and not import_discovery)

    # An AdapterPipeline shell: __init__ would build (instantiate) the chain with real paths.
    pipeline = AdapterPipeline.__new__(AdapterPipeline)
    pipeline.adapter_config = ac
    pipeline.output_dir = evaluation.config.output_dir
    pipeline.model_name = api.model_id
    pipeline.interceptor_chain = []
    pipeline.post_eval_hooks = []
    pipeline._post_eval_hooks_executed = False
    pipeline.registry = registry

    try:
        pipeline._validate_adapter_chain_definition()
    except Exception as e:
        errors.append(_fmt(f"{stage}:_validate_adapter_chain_definition", e))
        return
    try:
        pipeline._validate_interceptor_order()
    except Exception as e:
        if str(e).startswith("Unknown interceptor") and not unknown_is_error:
            notes.append(_fmt(f"{stage}:_validate_interceptor_order", e))
        else:
            errors.append(_fmt(f"{stage}:_validate_interceptor_order", e))
            return
    with tempfile.TemporaryDirectory(prefix="container_check_") as tmp:
        _build_components(ac, registry, tmp, errors, notes, stage, unknown_is_error)
    if client_mode:
        notes.append(
            "adapter mode 'client': in the container the pipeline is built by the harness "
            "(NeMoEvaluatorClient), not by run_eval"
        )


def check_config_ef(
    config_ef: dict,
    *,
    framework_yml: str | Iterable[str] | None = None,
    notes: list[str] | None = None,
    import_discovery: bool = False,
    strict_top_level: bool = True,
) -> list[str]:
    """Return human-readable errors for a config_ef.yaml dict ([] == valid).

    framework_yml: optional path(s) to the container's framework.yml; when given, the
        framework-dependent steps (task lookup, defaults merge, Evaluation with command)
        are run via the real validate_configuration().
    notes: optional list that receives non-fatal observations (things run_eval
        silently accepts or steps that could not be verified).
    import_discovery: import adapter_config.discovery modules/dirs (runs foreign code).
    strict_top_level: report unknown top-level keys as errors (run_eval itself just
        ignores them).
    """
    errors: list[str] = []
    notes = notes if notes is not None else []

    if not isinstance(config_ef, dict):
        return [f"[load_run_config] config_ef must be a mapping, got {type(config_ef).__name__}"]

    extra_top = [k for k in config_ef if k not in ALLOWED_TOP_LEVEL_KEYS]
    if "global_adapter_config" in extra_top:
        extra_top.remove("global_adapter_config")
        notes.append(
            "global_adapter_config is validated by check_adapter_config() but dropped "
            "from the final adapter config"
        )
    if extra_top:
        msg = (
            f"[top-level] Unknown top-level key(s): {sorted(map(str, extra_top))}. "
            f"Allowed: {list(ALLOWED_TOP_LEVEL_KEYS)} (run_eval silently ignores them)"
        )
        (errors if strict_top_level else notes).append(msg)

    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always")
        try:
            run_config = _cli_merge(copy.deepcopy(config_ef))
        except Exception as e:
            return errors + [_fmt("cli_merge", e)]

        tgt = run_config.get("target")
        if isinstance(tgt, dict) and isinstance(tgt.get("api_endpoint"), dict):
            _adapter_notes(tgt["api_endpoint"].get("adapter_config"), notes)

        # ---- pass 1: entrypoint.run() -> validate_configuration(run_config)
        evaluation = _validate_configuration_offline(
            copy.deepcopy(run_config), "validate_configuration", errors, notes, framework_yml
        )
        if evaluation is None:
            return errors

        # ---- pass 2: run() rebuilds EvaluationConfig/Target from model_dump, then
        # evaluate() calls validate_configuration() again on their model_dump().
        try:
            dumped = evaluation.model_dump()
            eval_cfg = EvaluationConfig(**dumped["config"])
            target_cfg = EvaluationTarget(**dumped["target"])
            run_config2 = {"config": eval_cfg.model_dump(), "target": target_cfg.model_dump()}
        except Exception as e:
            errors.append(_fmt("run:rebuild_from_model_dump", e))
            return errors
        evaluation2 = _validate_configuration_offline(
            run_config2, "evaluate:validate_configuration", errors, notes, framework_yml
        )
        if evaluation2 is None:
            return errors

        if evaluation2.config.required_capabilities:
            notes.append(
                "verify_capabilities() not run (network); it only logs warnings: "
                f"{evaluation2.config.required_capabilities}"
            )

        # ---- _run_evaluation(): metadata is persisted before anything is started
        metadata = run_config.get("metadata")
        with tempfile.TemporaryDirectory(prefix="container_check_md_") as tmp:
            try:
                _persist_metadata_and_build_results_block(tmp, metadata)
            except Exception as e:
                errors.append(_fmt("_persist_metadata_and_build_results_block", e))

        # ---- adapter pipeline (server process / client transport)
        _check_pipeline(evaluation2, errors, notes, import_discovery)

    for w in caught:
        if not w.category.__name__.startswith("Pydantic"):  # library-internal noise
            notes.append(f"{w.category.__name__}: {w.message}")
    if framework_yml is None:
        notes.append("framework-dependent steps skipped: " + "; ".join(SKIPPED_STEPS[:4]))
    return errors
