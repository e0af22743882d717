"""Comparable runs: what must match between a baseline and a candidate config, and what may differ.

The ModelOpt compare-results skill (a2fbac7 compare-results/SKILL.md) lists what a baseline versus
quantized comparison needs: the same tasks, repeats, sampling, prompts, max length and score field;
the same judge or simulator model and endpoint class; the same harness containers; and the
baseline's precision stated. `comparable_view` is exactly that part of a config: every task's
effective values (nelc.effective, so a value set at evaluation or task level compares equal), its
container, the server's max length and the flags that change what it computes, the backend, and the
recipe set. Everything else is model-specific or operational. The fingerprint is a hash of the
view, so two configs with equal fingerprints are comparable by construction, and `differences`
sorts every difference by the same rule.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from functools import lru_cache
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from . import flags
from .draft import leaves
from .effective import EffectiveTask, effective_tasks, server
from .knowledge import backend as backend_named
from .nelconfig import deployment_type

# Effective keys that change how fast or how robustly a task runs, or which endpoint and key it
# uses, never what it measures (dotted, under the task config; `*` is one key).
OPERATIONAL = (
    "config.params.parallelism", "config.params.request_timeout", "config.params.max_retries",
    "config.params.extra.*.parallelism", "config.params.extra.*.request_timeout", "config.params.extra.*.max_retries",
    "config.params.extra.*.api_key", "config.params.extra.*.api_key_name", "config.params.extra.cache.*",
    "config.params.extra.tokenizer",  # each model's own tokenizer (the same vocabulary for a quantized variant)
    "target.api_endpoint.url", "target.api_endpoint.model_id", "target.api_endpoint.api_key_name",
    "target.api_endpoint.adapter_config.use_request_logging", "target.api_endpoint.adapter_config.use_response_logging",
    "target.api_endpoint.adapter_config.max_logged_requests", "target.api_endpoint.adapter_config.max_logged_responses",
    "target.api_endpoint.adapter_config.log_failed_requests",
    # not use_caching / caching_dir / reuse_cached_responses: a cache can replay another run's answers
    "target.api_endpoint.adapter_config.save_responses", "target.api_endpoint.adapter_config.save_requests",
    "target.api_endpoint.adapter_config.tracking_requests_stats", "target.api_endpoint.adapter_config.html_report_size",
    "target.api_endpoint.adapter_config.logging_aggregated_stats_interval", "target.api_endpoint.adapter_config.use_progress_tracking",
    "target.api_endpoint.adapter_config.output_dir",
)
# Server flags that belong to the model (its precision, revision, code) or to throughput; the rest
# (parsers, cache dtypes that change numerics, chat templates) must match. Compared with _ and - unified.
MODEL_FLAGS = {"--quantization": "quantization flag", "--kv-cache-dtype": "quantization flag (KV cache)",
               "--revision": "the model's revision", "--trust-remote-code": "the model's own code",
               "--served-model-name": "served name", "--tokenizer": "the model's tokenizer", "--model-path": "the model",
               "--model": "the model", "--api-key": "the server's credential"}
SHORT_FLAGS = {"-q": "--quantization", "-tp": "--tensor-parallel-size", "-pp": "--pipeline-parallel-size",
               "-dp": "--data-parallel-size"}  # vLLM's one-dash aliases
THROUGHPUT_FLAGS = ("--max-num-seqs", "--max-num-batched-tokens", "--gpu-memory-utilization", "--enable-chunked-prefill",
                    "--tensor-parallel-size", "--pipeline-parallel-size", "--data-parallel-size", "--enable-expert-parallel",
                    "--model-loader-extra-config", "--async-scheduling", "--tp-size", "--dp-size", "--pp-size", "--tp_size",
                    "--pp_size", "--port", "--host", "--mem-fraction-static", "--max-running-requests", "--enforce-eager",
                    "--enable-prefix-caching", "--swap-space", "--disable-log-requests", "--disable-log-stats",
                    "--uvicorn-log-level", "--distributed-executor-backend", "--ep-size", "--nnodes", "--node-rank",
                    "--dist-init-addr", "--block-size", "--cuda-graph-max-bs", "--disable-cuda-graph")
# Deployment-template words that name the model itself (NEL's `${select_not_null:...}` and /checkpoint).
MODEL_WORDS = ("${select_not_null:deployment.hf_model_handle,/checkpoint}", "/checkpoint")
# Config sections (outside `evaluation`) and why a difference there is expected.
EXPECTED = (
    (r"^deployment\.(checkpoint_path|hf_model_handle)$", "the model"),
    (r"^deployment\.served_model_name$", "served name"),
    (r"^deployment\.env_vars\.", "precision-specific server env"),
    (r"^deployment\.image$", "server image (a model card's minimum version)"),
    (r"^deployment\.(tensor|pipeline|data)_parallel_size$|^deployment\.gpu_memory_utilization$|^deployment\.port$",
     "serving topology"),
    (r"^execution\.", "where the run executes"),
    (r"^export\.", "where results are exported"),
    (r"^target\.api_endpoint\.(model_id|url|api_key_name)$", "the model's endpoint"),
    (r"^env_vars\.", "credentials, by name"),
)


@dataclass(frozen=True)
class Difference:
    path: str
    a: Any
    b: Any
    why: str  # expected: what kind of model-specific or operational difference; breaks: what it changes

    def as_dict(self) -> dict:
        return {"path": self.path, "a": self.a, "b": self.b, "why": self.why}


def recipe_set_of(text: str) -> str | None:
    """The recipe set a compiled config's header names (`# recipes NAME (...)`), or None.

    >>> recipe_set_of("# spec s.yaml sha256:00\\n# recipes modelopt-2026.05 (ModelOpt ...)\\ndefaults: []\\n")
    'modelopt-2026.05'
    """
    found = re.search(r"^# recipes ([\w.-]+)", text, re.MULTILINE)
    return found.group(1) if found else None


def comparable_view(config: Any, recipe_set: str | None, views: tuple[EffectiveTask, ...] | None = None) -> dict:
    """The part of a config that decides comparability (see the module docstring), as plain data.
    `views`: the config's effective tasks, when the caller has them already."""
    srv = server(config)
    tasks = []
    evaluation = config.get("evaluation") if isinstance(config, dict) and isinstance(config.get("evaluation"), dict) else {}
    for task in effective_tasks(config) if views is None else views:
        values = {key: normal(endpoint_class(key, value.value)) for key, value in task.values.items() if not is_operational(key)}
        entry = _entry(config, task.index)
        values.update({f"env_vars.{name}": normal(_env_value(value)) for name, value in _merged_env(evaluation, entry).items()})
        for key in ("pre_cmd", "post_cmd"):
            if entry.get(key, evaluation.get(key)) is not None:
                values[key] = normal(entry.get(key, evaluation.get(key)))
        tasks.append({"task": task.qualified, "container": normal(_container(config, task)), "values": values})
    tasks.sort(key=lambda t: t["task"])
    other = {path: normal(value) for path, value in _outside(config).items() if _expected_why(path) is None}
    return {"recipes": recipe_set, "backend": deployment_type(config), "max_length": srv.max_length,
            "server_flags": _server_flags(config), "other": other, "tasks": tasks}


def normal(value: Any) -> Any:
    """One spelling per value, so the fingerprint and the comparison agree: 1 and 1.0 are one number,
    True stays a boolean, and a NaN (never equal to itself) is the text 'nan'.

    >>> normal(1) == normal(1.0), normal(True), normal(float("nan")), normal([1.0, {"a": 2.5}])
    (True, True, 'nan', [1, {'a': 2.5}])
    """
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            return str(value)
        return int(value) if float(value).is_integer() else float(value)
    if isinstance(value, dict):
        return {str(k): normal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normal(v) for v in value]
    return str(value)


def same(a: Any, b: Any) -> bool:
    """Equal as the fingerprint sees them (True and 1 differ; 1 and 1.0 do not)."""
    return _canonical(a) == _canonical(b)


def _canonical(value: Any) -> str:
    return json.dumps(normal(value), sort_keys=True, default=str, separators=(",", ":"))


def _entry(config: Any, index: int) -> dict:
    tasks = ((config.get("evaluation") or {}).get("tasks") or []) if isinstance(config, dict) else []
    entry = tasks[index] if isinstance(tasks, list) and index < len(tasks) else None
    return entry if isinstance(entry, dict) else {}


def _merged_env(evaluation: dict, entry: dict) -> dict:
    shared = evaluation.get("env_vars") if isinstance(evaluation.get("env_vars"), dict) else {}
    own = entry.get("env_vars") if isinstance(entry.get("env_vars"), dict) else {}
    return {**shared, **own}


def _env_value(value: Any) -> Any:
    """A `host:` value is a credential passed by name: only that it is one compares, never which."""
    return "host:(credential)" if isinstance(value, str) and value.startswith("host:") else value


def fingerprint(config: Any, recipe_set: str | None) -> str:
    """sha256 of the comparable view: equal fingerprints, comparable configs.

    >>> a = {"evaluation": {"tasks": [{"name": "ns_gpqa"}]}, "deployment": {"checkpoint_path": "/a"}}
    >>> fingerprint(a, "modelopt-2026.08") == fingerprint({**a, "deployment": {"checkpoint_path": "/b"}}, "modelopt-2026.08")
    True
    """
    canonical = _canonical(comparable_view(config, recipe_set))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def differences(a: Any, a_set: str | None, b: Any, b_set: str | None) -> tuple[list[Difference], list[Difference]]:
    """(expected, breaking) differences between two configs."""
    breaks: list[Difference] = []
    tasks_a, tasks_b = effective_tasks(a), effective_tasks(b)
    view_a, view_b = comparable_view(a, a_set, tasks_a), comparable_view(b, b_set, tasks_b)
    for key, why in (("recipes", "the recipe set (repeats, prompts, floors)"), ("backend", "the serving engine"),
                     ("max_length", "the server's max length")):
        if not same(view_a[key], view_b[key]):
            breaks.append(Difference(key, view_a[key], view_b[key], why))
    for name in sorted(set(view_a["server_flags"]) | set(view_b["server_flags"])):
        if not same(view_a["server_flags"].get(name), view_b["server_flags"].get(name)):
            breaks.append(Difference(f"server flag {name}", view_a["server_flags"].get(name), view_b["server_flags"].get(name),
                                     "what the server computes"))
    for path in sorted(set(view_a["other"]) | set(view_b["other"])):
        if not same(view_a["other"].get(path), view_b["other"].get(path)):
            breaks.append(Difference(path, view_a["other"].get(path), view_b["other"].get(path), "not known to be model-specific"))
    breaks += _task_differences(view_a["tasks"], view_b["tasks"])
    expected = _expected_differences(a, b)
    for task_a, task_b in _paired(list(tasks_a), list(tasks_b)):
        for key in sorted(set(task_a.values) | set(task_b.values)):
            if is_operational(key):
                va, vb = task_a.get(key), task_b.get(key)
                if not same(va, vb):
                    expected.append(Difference(f"{task_a.qualified}: {key}", va, vb, "operational or the model's own endpoint"))
    return expected, breaks


def _task_differences(tasks_a: list[dict], tasks_b: list[dict]) -> list[Difference]:
    out = []
    names_a, names_b = [t["task"] for t in tasks_a], [t["task"] for t in tasks_b]
    if names_a != names_b:
        out.append(Difference("tasks", names_a, names_b, "the tasks run"))
    for task_a, task_b in zip(tasks_a, tasks_b):
        if task_a["task"] != task_b["task"]:
            continue
        if not same(task_a["container"], task_b["container"]):
            out.append(Difference(f"{task_a['task']}: container", task_a["container"], task_b["container"], "the harness container"))
        for key in sorted(set(task_a["values"]) | set(task_b["values"])):
            va, vb = task_a["values"].get(key), task_b["values"].get(key)
            if not same(va, vb):
                out.append(Difference(f"{task_a['task']}: {key}", va, vb, what_changes(key)))
    return out


def what_changes(key: str) -> str:
    """What a differing effective key changes, in the compare-results skill's words."""
    for pattern, label in ((".judge.", "the judge"), (".user.", "the user simulator"), ("num_repeats", "repeats"), ("n_samples", "repeats"),
                           ("temperature", "sampling"), ("top_p", "sampling"), ("top_k", "sampling"), ("min_p", "sampling"),
                           ("max_new_tokens", "generation length"), ("chat_template_kwargs", "the reasoning switch"),
                           ("reasoning_effort", "the reasoning switch"), ("process_reasoning_traces", "reasoning-trace stripping"),
                           ("system_prompt", "the system prompt"), ("prompt", "prompts"), ("args", "harness arguments"),
                           ("limit_samples", "the samples scored")):
        if pattern in key:
            return label
    return "what the task measures"


def _expected_differences(a: Any, b: Any) -> list[Difference]:
    """Model-specific and operational differences outside `evaluation`, each with why it is expected."""
    out = []
    flat_a, flat_b = _outside(a), _outside(b)
    for path in sorted(set(flat_a) | set(flat_b)):
        why = _expected_why(path)
        if why is not None and not same(flat_a.get(path), flat_b.get(path)):
            out.append(Difference(path, flat_a.get(path), flat_b.get(path), why))
    map_a, map_b = _flag_map(a), _flag_map(b)
    for name in sorted(set(map_a) | set(map_b)):
        if not same(map_a.get(name), map_b.get(name)) and _flag_kind(name) is not None:
            out.append(Difference(f"server flag {name}", map_a.get(name), map_b.get(name), _flag_kind(name)))
    return out


def _outside(config: Any) -> dict[str, Any]:
    """Leaves outside `evaluation` (compared through the effective view), the defaults list (the backend)
    and the server command (compared flag by flag)."""
    skip = ("deployment.extra_args", "deployment.command", "deployment.base_command")
    return {path: value for path, value in dotted_leaves(config).items()
            if not path.startswith(("evaluation.", "defaults")) and path not in skip}


def _expected_why(path: str) -> str | None:
    return next((label for pattern, label in EXPECTED if re.search(pattern, path)), None)


def _server_flags(config: Any) -> dict[str, Any]:
    """What the server command computes with: its flags minus the model's own and throughput ones, and
    the words of a custom command (a `pip install`, another entry point) minus the model's path."""
    known = backend_named(deployment_type(config) or "")
    length_flag = ((known.context_flag if known else None) or "").replace("_", "-")
    flagged = {name: normal(value) for name, value in _flag_map(config).items()
               if _flag_kind(name) is None and name != length_flag}
    words = [w for w in _words(config) if w not in MODEL_WORDS]
    return {**flagged, **({"(command words)": words} if words else {})}


def _flag_map(config: Any) -> dict[str, Any]:
    """Every flag of the server's whole command line (base_command or a custom command, and extra_args),
    the last occurrence winning as argparse does."""
    tokens = list(server(config).tokens)
    out: dict[str, Any] = {}
    for index, token in enumerate(tokens):
        if not token.startswith("-") or token == "-" or _is_number(token):
            continue
        name, sep, inline = token.partition("=")
        name = SHORT_FLAGS.get(name, name).replace("_", "-")
        following = tokens[index + 1] if index + 1 < len(tokens) and not tokens[index + 1].startswith("-") else True
        out[name] = "(a credential, not shown)" if name == "--api-key" else inline if sep else following
    return out


def _words(config: Any) -> list[str]:
    """Tokens that are neither flags nor a flag's value: the program and any shell around it."""
    tokens = list(server(config).tokens)
    out = []
    for index, token in enumerate(tokens):
        previous = tokens[index - 1] if index else ""
        if token.startswith("-") or (previous.startswith("-") and "=" not in previous and not _is_number(previous)):
            continue
        out.append(token)
    return out


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _flag_kind(name: str) -> str | None:
    if name in MODEL_FLAGS:
        return MODEL_FLAGS[name]
    if name in {f.replace("_", "-") for f in THROUGHPUT_FLAGS}:
        return "serving throughput"
    return None


@lru_cache(maxsize=None)
def is_operational(key: str) -> bool:
    parts = key.split(".")
    for pattern in OPERATIONAL:
        wanted = pattern.split(".")
        if wanted[-1] == "*" and len(parts) >= len(wanted) and all(w in ("*", p) for w, p in zip(wanted[:-1], parts)):
            return True
        if len(parts) == len(wanted) and all(w in ("*", p) for w, p in zip(wanted, parts)):
            return True
    return False


def endpoint_class(key: str, value: Any) -> Any:
    """A judge or simulator URL compares by its endpoint class: scheme and host, without credentials."""
    if key.endswith(".url") and isinstance(value, str):
        try:
            parts = urlsplit(value)
        except ValueError:
            return value
        return f"{parts.scheme}://{parts.hostname or ''}{':' + str(parts.port) if parts.port else ''}"
    return value


def _container(config: Any, task) -> Any:
    tasks = ((config.get("evaluation") or {}).get("tasks") or []) if isinstance(config, dict) else []
    entry = tasks[task.index] if isinstance(tasks, list) and task.index < len(tasks) and isinstance(tasks[task.index], dict) else {}
    return entry.get("container") or (task.task.container if task.task else None)


def _paired(a: list, b: list) -> list[tuple]:
    """Tasks of two configs paired by registry name, in order of appearance."""
    remaining = list(b)
    out = []
    for task in a:
        match = next((other for other in remaining if other.qualified == task.qualified), None)
        if match is not None:
            remaining.remove(match)
            out.append((task, match))
    return out


def dotted_leaves(tree: Any) -> dict[str, Any]:
    """Every leaf of a config by its dotted path (nelc.draft.leaves, list items by index). An empty
    mapping is no leaf: it merges to nothing, as a missing one does (nelc.effective drops it too).

    >>> dotted_leaves({"a": {"b": [1, 2]}, "c": {}})
    {'a.b.0': 1, 'a.b.1': 2}
    """
    return {".".join(map(str, path)): value for path, value in leaves(tree) if value != {}}
