"""The ordered rule tuples. Position is the only ordering mechanism; `after=` names the rules an
entry reads the results of (a test checks they come earlier) and a comment says what it reads.
Codes are stable and never reused."""

from __future__ import annotations

from typing import Mapping

from nelc.diagnostics import Severity
from nelc.rulebook import CODES, Applicability, Code, Kind, Rule

from .add_nemo_skills_key import add_nemo_skills_key
from .check_adapter_config import check_adapter_config
from .check_adapter_flags import check_adapter_flags
from .check_adapter_placement import check_adapter_placement
from .check_composed_files import check_composed_files
from .check_config_shape import check_config_shape
from .check_context_fit import check_context_fit
from .check_deployment import check_deployment
from .check_endpoint_url_form import check_endpoint_url_form
from .check_local_env import check_local_env
from .check_env_values import check_env_values
from .check_env_interpolation import check_env_interpolation
from .check_export import check_export
from .check_gpu_use import check_gpu_use
from .check_hardwired_judge import check_hardwired_judge
from .check_ignored_generation_cap import check_ignored_generation_cap
from .check_judge_model_name import check_judge_model_name
from .check_judge_fallback import check_judge_fallback
from .check_nemo_skills_key import check_nemo_skills_key
from .check_parallelism import check_parallelism
from .check_pre_cmd import check_pre_cmd
from .check_reasoning_judge import check_reasoning_judge
from .check_request_timeout import check_request_timeout
from .check_retry_backoff import check_retry_backoff
from .check_sampling_mode import check_sampling_mode
from .check_script_values import check_script_values
from .check_served_name import check_served_name
from .check_shell_strings import check_shell_strings
from .check_startup_downloads import check_startup_downloads
from .check_slurm_settings import check_slurm_settings
from .check_target_endpoint import check_target_endpoint
from .check_task_names import check_task_names
from .check_task_params import check_task_params
from .check_tokenizer import check_tokenizer
from .check_tokenizer_backend import check_tokenizer_backend
from .check_tool_calling import check_tool_calling
from .check_unknown_keys import check_unknown_keys
from .find_missing_values import find_missing_values
from .find_secrets import find_secrets
from .quote_walltime import quote_walltime
from .wire_judges import wire_judges
from .tune_parallelism import tune_parallelism
from .route_endpoints import route_endpoints
from .fill_tokenizers import fill_tokenizers
from .check_tasks import check_tasks
from .check_tensor_parallel import check_tensor_parallel
from .apply_model_knowledge import apply_model_knowledge
from .apply_overrides import apply_overrides
from .choose_model_type import choose_model_type
from .configure_export import configure_export
from .decide_remote_code import decide_remote_code
from .declare_local_env import declare_local_env
from .detect_quantization import detect_quantization
from .fill_deployment import fill_deployment
from .fill_evaluation import fill_evaluation
from .fill_execution import fill_execution
from .place_interceptors import place_interceptors
from .place_model import place_model
from .resolve_benchmarks import resolve_benchmarks
from .select_defaults import select_defaults
from .set_context_length import set_context_length
from .set_generation_length import set_generation_length
from .set_kv_cache_dtype import set_kv_cache_dtype
from .set_reasoning_mode import set_reasoning_mode
from .set_sampling import set_sampling
from .set_serving_defaults import set_serving_defaults
from .set_target import set_target


CHECK = Kind.CHECK
RULES: tuple[Rule, ...] = (
    Rule("R101", "choose-model-type", choose_model_type),
    Rule("R110", "select-defaults", select_defaults),
    Rule("R120", "fill-execution", fill_execution),
    Rule("R130", "fill-deployment", fill_deployment),
    Rule("R135", "place-model", place_model, after=("R130",)),  # appends --revision to the spec's extra_args
    Rule("R165", "resolve-benchmarks", resolve_benchmarks, after=("R101",)),  # bundles depend on the model type
    Rule("R166", "wire-judges", wire_judges, after=("R165",)),  # the task list
    Rule("R167", "fill-tokenizers", fill_tokenizers, after=("R165",)),  # the task list
    Rule("R201", "detect-quantization", detect_quantization, after=("R101", "R165")),  # advice compares the task list
    Rule("R205", "set-context-length", set_context_length, after=("R135", "R165")),  # recipes raise the minimum
    Rule("R220", "apply-model-knowledge", apply_model_knowledge, after=("R130", "R201")),  # env for a quantized model
    Rule("R210", "decide-remote-code", decide_remote_code, after=("R220",)),  # a card's remote-code need
    Rule("R221", "set-kv-cache-dtype", set_kv_cache_dtype, after=("R130", "R220")),  # the final image and the card's own flags
    Rule("R168", "route-endpoints", route_endpoints, after=("R165",)),  # the task list
    Rule("R169", "tune-parallelism", tune_parallelism, after=("R165",)),  # recipes keep their own parallelism
    Rule("R140", "set-target", set_target),
    Rule("R150", "configure-export", configure_export),
    Rule("R160", "fill-evaluation", fill_evaluation, after=("R165", "R167", "R169")),  # tasks, tokenizers, recipe parallelism
    Rule("R170", "add-nemo-skills-key", add_nemo_skills_key, after=("R140", "R165")),  # the endpoint key and the task list
    Rule("R225", "set-sampling", set_sampling, after=("R101", "R165", "R220")),  # the family, and which tasks read it
    Rule("R230", "set-reasoning-mode", set_reasoning_mode, after=("R101", "R220")),  # the family's switch
    Rule("R207", "set-generation-length", set_generation_length, after=("R101", "R165", "R205", "R220")),  # the context, the family
    Rule("R175", "place-interceptors", place_interceptors, after=("R230",)),  # the spec's interceptors win
    Rule("R190", "apply-overrides", apply_overrides, after=("R175",)),  # the user's raw keys win over every rule above
    Rule("R240", "declare-local-env", declare_local_env, after=("R160", "R170", "R190")),  # every env var declared before it
    Rule("R245", "set-serving-defaults", set_serving_defaults, after=("R130", "R169", "R190")),  # final parallelism and replicas
    # Checks read final values: after R190, so the spec's own settings and overrides count.
    Rule("R195", "check-tasks", check_tasks, CHECK, after=("R165", "R190")),  # the final task list
    Rule("R196", "check-shell-strings", check_shell_strings, CHECK, after=("R190",)),
    Rule("R197", "check-parallelism", check_parallelism, CHECK, after=("R190",)),
    Rule("R198", "check-adapter-config", check_adapter_config, CHECK, after=("R175", "R190")),  # each task's merged adapter
)

# Lint rules: pure checks over a loaded NEL config (nelc.lint). Order is report order only.
E, W, N = Severity.ERROR, Severity.WARNING, Severity.NOTE
SAFE, UNSAFE = Applicability.SAFE, Applicability.UNSAFE
LINT = Kind.LINT
# Run-time truth: checks on what each container will really run with (nelc.effective). They are lint
# rules that also run on every compiled config (nelc.pipeline), so compile and lint agree by construction.
RUNTIME_RULES: tuple[Rule, ...] = (
    Rule("L121", "check-endpoint-url-form", check_endpoint_url_form, LINT, E, (SAFE,)),
    Rule("L122", "check-context-fit", check_context_fit, LINT, E),
    Rule("L123", "check-request-timeout", check_request_timeout, LINT, W),
    Rule("L124", "check-served-name", check_served_name, LINT, E),
    Rule("L125", "check-tool-calling", check_tool_calling, LINT, E),
    Rule("L126", "check-tokenizer", check_tokenizer, LINT, E),
    Rule("L127", "check-sampling-mode", check_sampling_mode, LINT, W),
    Rule("L128", "check-tokenizer-backend", check_tokenizer_backend, LINT, E),
    Rule("L129", "check-local-env", check_local_env, LINT, E),
    Rule("L130", "check-judge-fallback", check_judge_fallback, LINT, E),
    Rule("L131", "check-hardwired-judge", check_hardwired_judge, LINT, E),
    Rule("L132", "check-reasoning-judge", check_reasoning_judge, LINT, E),
    Rule("L133", "check-retry-backoff", check_retry_backoff, LINT, W),
    Rule("L134", "check-startup-downloads", check_startup_downloads, LINT, N),
    Rule("L135", "check-judge-model-name", check_judge_model_name, LINT, E),
    Rule("L136", "check-ignored-generation-cap", check_ignored_generation_cap, LINT, W),
    Rule("L137", "check-env-interpolation", check_env_interpolation, LINT, E),
    Rule("L139", "check-tensor-parallel", check_tensor_parallel, LINT, E),
    Rule("L140", "check-gpu-use", check_gpu_use, LINT, N),
)
LINT_RULES: tuple[Rule, ...] = (
    Rule("L101", "check-adapter-placement", check_adapter_placement, LINT, E, (SAFE,)),
    Rule("L102", "check-adapter-flags", check_adapter_flags, LINT, E, (SAFE, UNSAFE)),
    Rule("L104", "find-missing-values", find_missing_values, LINT, E),
    Rule("L105", "check-env-values", check_env_values, LINT, E, (SAFE, UNSAFE)),
    Rule("L106", "check-target-endpoint", check_target_endpoint, LINT, E, (SAFE,)),
    Rule("L107", "check-task-names", check_task_names, LINT, E, (UNSAFE,)),
    Rule("L108", "check-task-params", check_task_params, LINT, W),
    Rule("L109", "quote-walltime", quote_walltime, LINT, E, (SAFE,)),
    Rule("L110", "check-slurm-settings", check_slurm_settings, LINT, E, (SAFE,)),
    Rule("L111", "check-export", check_export, LINT, E, (SAFE, UNSAFE)),
    Rule("L112", "check-pre-cmd", check_pre_cmd, LINT, N),
    Rule("L113", "check-deployment", check_deployment, LINT, E, (SAFE, UNSAFE)),
    Rule("L115", "check-nemo-skills-key", check_nemo_skills_key, LINT, E, (SAFE,)),
    Rule("L117", "check-config-shape", check_config_shape, LINT, E, (SAFE, UNSAFE)),
    Rule("L118", "check-script-values", check_script_values, LINT, E),
    Rule("L119", "find-secrets", find_secrets, LINT, E),
    Rule("L120", "check-unknown-keys", check_unknown_keys, LINT, E, (SAFE, UNSAFE)),
    Rule("L138", "check-composed-files", check_composed_files, LINT, E),
    *RUNTIME_RULES,
)

BY_CODE: Mapping[str, Rule] = {rule.code: rule for rule in (*RULES, *LINT_RULES)}

# Every code nelc can print: the rules' own, and those no rule owns (nelc.rulebook.CODES).
CATALOGUE: Mapping[str, Rule | Code] = {**{code.code: code for code in CODES}, **BY_CODE}
