"""The effective per-task view: what each evaluation container will really run with.

NEL 0.2.6 builds a task's config in two merges (read from its code, checked with a real dry run):
1. the launcher merges `evaluation.nemo_evaluator_config` with the task's own, task winning
   (OmegaConf: mappings key by key, lists replaced, an explicit null wipes the evaluation value;
   nemo_evaluator_launcher/common/helpers.py:166-182), then fills `target.api_endpoint.url`,
   `model_id` and `type` where still missing (helpers.py:206-224);
2. the container deep-merges that over the task's registry defaults, skipping every None
   (nemo_evaluator/core/input.py:445-463, core/utils.py:53-78): a null never removes a default.
The registry defaults are read from the committed snapshot (recipes/tasks_registry.json), so the
view is computed offline, in compile and in lint alike. Every value says which layer it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Collection

from . import flags
from .emit import flow
from .knowledge import backend as backend_named, generation_cap_field, lookup, prompt_fill
from .knowledge.registry import Task
from .nelconfig import deployment_type, dig, tasks_of
from .secretscan import masked_text, secret_strings

REGISTRY, EVALUATION, TASK, LAUNCHER = "registry", "evaluation", "task", "launcher"
_MISSING = object()
GENERATION_CAPS = {"max_new_tokens", "max_tokens", "max_completion_tokens"}  # the request fields that cap generation
PARAMS = ("config", "params")
ENDPOINT = ("target", "api_endpoint")
ENDPOINTS = {  # NEL 0.2.6 configs/deployment/<backend>.yaml `endpoints` (nim: the same routes)
    "chat": "/v1/chat/completions", "completions": "/v1/completions", "embedding": "/v1/embeddings",
    "vlm": "/v1/chat/completions",
}


@dataclass(frozen=True)
class Value:
    value: Any
    layer: str  # registry | evaluation | task | launcher
    path: tuple = ()  # where the value is written in the config (empty for registry and launcher values)

    def describe(self, task: Task | None) -> str:
        if self.layer == REGISTRY:
            return f"NEL 0.2.6 registry default of {task.qualified if task else 'the task'}"
        if self.layer == LAUNCHER:
            return "filled in by NEL's launcher (nemo_evaluator_launcher/common/helpers.py:206-224)"
        return f"{self.layer} level: " + ".".join(map(str, self.path))


@dataclass(frozen=True)
class Server:
    """What the model server is started with, as far as the config says."""
    backend: str | None
    served_name: str | None
    tokens: tuple[str, ...]  # the server's command line, extra_args included
    max_length: int | None  # the context-length flag's value, when given

    def has(self, name: str) -> bool:
        return flags.has(list(self.tokens), name)


@dataclass(frozen=True)
class FilledPrompt:
    """A harness that builds every prompt to fill a task parameter (RULER: extra.max_seq_length),
    less a small generation budget of its own that a max_new_tokens replaces on each request
    (recipes/benchmarks.yaml `prompt_fill`)."""
    param: str  # the task parameter under config.params.extra
    filled: int  # the parameter's effective value: the prompt plus its own budget
    smallest_budget: int  # the harness's smallest own generation budget
    source: str

    @property
    def key(self) -> str:
        return f"config.params.extra.{self.param}"

    @property
    def prompt(self) -> int:
        """The longest prompt's own length: what is left of the fill after the harness's budget."""
        return max(self.filled - self.smallest_budget, 0)


@dataclass(frozen=True)
class EffectiveTask:
    index: int
    name: str
    task: Task | None  # None when the name is not in NEL 0.2.6's registry
    values: dict[str, Value]  # dotted key under the task config (config.params.x, target.api_endpoint.y) -> value

    def get(self, key: str, default: Any = None) -> Any:
        found = self.values.get(key)
        return default if found is None or found.value is None else found.value

    def where(self, key: str) -> tuple:
        """The config path to point a finding at for `key` (the task's own entry when the value is not written)."""
        found = self.values.get(key)
        return found.path if found is not None and found.path else ("evaluation", "tasks", self.index)

    @property
    def strips_generation_cap(self) -> bool:
        """Whether the adapter removes the request's token cap (`params_to_remove`, whatever the value's
        shape), so the server generates until the context ends: it must name the field this harness
        sends the cap in (recipes/benchmarks.yaml `generation_cap_fields`; any cap name for others)."""
        value = self.get("target.api_endpoint.adapter_config.params_to_remove")
        items = value if isinstance(value, list) else [value]
        field = generation_cap_field(self.harness)
        return bool({item for item in items if isinstance(item, str)} & ({field} if field else GENERATION_CAPS))

    @property
    def filled_prompt(self) -> FilledPrompt | None:
        """How this task's harness fills its prompts, when it does and the parameter is a positive count.

        >>> config = {"evaluation": {"tasks": [{"name": "ruler-4k-completions"}]}}
        >>> fill = effective_tasks(config)[0].filled_prompt
        >>> fill.key, fill.filled, fill.prompt
        ('config.params.extra.max_seq_length', 4000, 3970)
        """
        fill = prompt_fill(self.harness)
        filled = self.get(f"config.params.extra.{fill[0]}") if fill else None
        if fill is None or not isinstance(filled, int) or isinstance(filled, bool) or filled <= 0:
            return None
        return FilledPrompt(fill[0], filled, fill[1], fill[2])

    @property
    def qualified(self) -> str:
        return self.task.qualified if self.task else self.name

    @property
    def harness(self) -> str | None:
        return self.task.harness if self.task else None


def effective_tasks(config: Any) -> tuple[EffectiveTask, ...]:
    """Every task of `config` with its effective config.params and target.api_endpoint values.

    >>> config = {"evaluation": {"nemo_evaluator_config": {"config": {"params": {"request_timeout": 3600}}},
    ...           "tasks": [{"name": "aa_lcr", "nemo_evaluator_config": {"config": {"params": {"max_new_tokens": None}}}}]}}
    >>> lcr = effective_tasks(config)[0]
    >>> lcr.values["config.params.request_timeout"].layer, lcr.get("config.params.max_new_tokens")
    ('evaluation', 16384)
    """
    evaluation = dig(config, ("evaluation", "nemo_evaluator_config"))
    shared = evaluation if isinstance(evaluation, dict) else {}
    out = []
    for index, entry in tasks_of(config):
        name = entry.get("name")
        if not isinstance(name, str):
            continue
        task = lookup(name).task
        own = entry.get("nemo_evaluator_config")
        own = own if isinstance(own, dict) else {}
        layers = {
            REGISTRY: _registry_layer(task.qualified) if task else {},
            EVALUATION: _flat(shared),
            TASK: _flat(own),
        }
        values: dict[str, Value] = {}
        for key in dict.fromkeys([*layers[REGISTRY], *layers[EVALUATION], *layers[TASK]]):
            if not key.startswith(("config.params.", "target.api_endpoint.")):
                continue
            chosen = _winner(key, layers, index)
            if chosen is not None:
                values[key] = chosen
        values.update(_launcher_fills(config, entry, task, values))
        out.append(EffectiveTask(index, name, task, values))
    return tuple(out)


@lru_cache(maxsize=None)
def _registry_layer(qualified: str) -> dict[str, Any]:
    """A task's registry defaults, flattened once per process (read-only: callers never change it)."""
    task = lookup(qualified).task
    return _flat({"config": {"params": task.param_defaults or {}}, "target": {"api_endpoint": task.endpoint_defaults or {}}})


def _winner(key: str, layers: dict[str, dict], index: int) -> Value | None:
    own, shared, registry = (layers[TASK].get(key, _MISSING), layers[EVALUATION].get(key, _MISSING),
                             layers[REGISTRY].get(key, _MISSING))
    path = tuple(key.split("."))
    parents = [".".join(path[:end]) for end in range(1, len(path))]
    if own is _MISSING and any(layers[TASK].get(parent, _MISSING) is None for parent in parents):
        own = None  # a task-level null on a parent mapping wipes the evaluation level's whole subtree
    if own is not _MISSING and own is not None:
        return Value(own, TASK, ("evaluation", "tasks", index, "nemo_evaluator_config", *path))
    if own is _MISSING and shared is not _MISSING and shared is not None:
        return Value(shared, EVALUATION, ("evaluation", "nemo_evaluator_config", *path))
    if registry is not _MISSING:  # the container skips None: the registry default stays
        return Value(registry, REGISTRY)
    return None


def _flat(tree: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted leaf keys of nested mappings; lists and scalars are leaves (NEL replaces lists whole)."""
    out: dict[str, Any] = {}
    if not isinstance(tree, dict):
        return out
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):  # an empty mapping merges to nothing
            out.update(_flat(value, dotted + "."))
        else:
            out[dotted] = value
    return out


def _launcher_fills(config: Any, entry: dict, task: Task | None, values: dict[str, Value]) -> dict[str, Value]:
    """What NEL's launcher writes where the user config leaves target.api_endpoint keys missing."""
    fills: dict[str, Value] = {}
    endpoint_type = entry.get("endpoint_type") if isinstance(entry.get("endpoint_type"), str) else (
        task.endpoint_type if task else "chat")
    deployment = dig(config, ("deployment",)) or {}
    backend = deployment_type(config)
    if "target.api_endpoint.type" not in values:
        fills["target.api_endpoint.type"] = Value(endpoint_type, LAUNCHER)
    if backend and backend != "none" and isinstance(deployment, dict):
        if "target.api_endpoint.model_id" not in values and deployment.get("served_model_name") is not None:
            fills["target.api_endpoint.model_id"] = Value(str(deployment.get("served_model_name")), LAUNCHER)
        if "target.api_endpoint.url" not in values:
            routes = deployment.get("endpoints") if isinstance(deployment.get("endpoints"), dict) else ENDPOINTS
            route = routes.get(endpoint_type) or ENDPOINTS.get(endpoint_type, "")
            fills["target.api_endpoint.url"] = Value(f"http://127.0.0.1:{_port(config, deployment)}{route}", LAUNCHER)
    elif isinstance(dig(config, ("target", "api_endpoint")), dict):
        for key in ("url", "model_id"):  # deployment none: the top-level target, for every task
            given = dig(config, ("target", "api_endpoint", key))
            if f"target.api_endpoint.{key}" not in values and given is not None:
                fills[f"target.api_endpoint.{key}"] = Value(given, LAUNCHER, ("target", "api_endpoint", key))
    return fills


def _port(config: Any, deployment: dict) -> Any:
    """Several instances are reached through HAProxy (NEL 0.2.6 common/helpers.py:431-434)."""
    instances = dig(config, ("execution", "num_instances"))
    if isinstance(instances, int) and not isinstance(instances, bool) and instances > 1:
        proxy = dig(config, ("execution", "proxy", "config", "haproxy_port"))
        return proxy if proxy is not None else 5009
    return deployment.get("port", 8000)


def server(config: Any) -> Server:
    """The model server's name and command line: deployment.command, else base_command, else NEL 0.2.6's
    packaged command for the backend, with extra_args and the served name filled in."""
    deployment = dig(config, ("deployment",))
    deployment = deployment if isinstance(deployment, dict) else {}
    backend = deployment_type(config)
    served = deployment.get("served_model_name")
    command = deployment.get("command")
    if not isinstance(command, str) or command == "${deployment.base_command}":
        command = deployment.get("base_command")
    if not isinstance(command, str):  # NEL's packaged command for the backend (recipes/backends.yaml)
        packaged = backend_named("vllm" if backend == "vllm_ray" else backend or "")
        command = packaged.command if packaged else None
    extra = deployment.get("extra_args") if isinstance(deployment.get("extra_args"), str) else ""
    text = (command or "").replace("${deployment.extra_args}", extra)
    if isinstance(served, str):
        text = text.replace("${deployment.served_model_name}", served)
    tokens = tuple(flags.split(text))
    known = backend_named("vllm" if backend == "vllm_ray" else backend or "")
    flag = known.context_flag if known else None  # each server's own spelling (recipes/backends.yaml)
    length = flags.token_count(flags.value_of(list(tokens), flag)) if flag else None
    return Server(backend, served if isinstance(served, str) else None, tokens, length)


def render(config: Any, indices: Collection[int] | None = None, why: Callable[[tuple], str | None] = lambda path: None,
           unset: bool = False) -> str | None:
    """The effective view of the tasks at `indices` of evaluation.tasks (every task when None; nelc.pick
    finds them by name) as text, or None when none is there. `why(path)` may say which rule wrote a value
    (compile knows; a file on disk does not). Null values, which the container treats as unset, are left
    out and counted unless `unset`. Secret-looking values are masked: a config on disk may hold one."""
    chosen = [t for t in effective_tasks(config) if indices is None or t.index in indices]
    if not chosen:
        return None
    secrets = secret_strings(config)
    text = "\n".join(_render_one(config, task, why, unset) for task in chosen)
    return masked_text(text, secrets) if secrets else text


def _render_one(config: Any, task: EffectiveTask, why: Callable[[tuple], str | None], unset: bool) -> str:
    title = task.name if task.name == task.qualified else f"{task.name} ({task.qualified})"
    rows = [f"{title} [evaluation.tasks.{task.index}]: effective values, as the container merges them",
            "  (order: NEL 0.2.6 registry default < evaluation level < task level; the launcher fills the endpoint)"]
    container = task.task.container if task.task else None
    given = dig(config, ("evaluation", "tasks", task.index, "container"))
    rows.append(f"  container = {given or container}  [{'task level' if given else 'NEL 0.2.6 registry'}]")
    left_out = 0
    for key in sorted(task.values):
        value = task.values[key]
        if value.value is None and not unset:
            left_out += 1
            continue
        reason = why(value.path) if value.path else None
        unused = " (the task's command does not read it)" if _unread(task, key) else ""
        rows.append(f"  {key} = {flow(value.value)}  [{value.describe(task.task)}]{unused}" + (f"\n      {reason}" if reason else ""))
    if left_out:
        rows.append(f"  ({left_out} unset value{'s' if left_out != 1 else ''} (null) left out; --all shows them)")
    return "\n".join(rows) + "\n"


def _unread(task: EffectiveTask, key: str) -> bool:
    """A config.params key the task's command never reads (NEL 0.2.6 ignores it)."""
    if task.task is None or not key.startswith("config.params."):
        return False
    name = key[len("config.params."):]
    if name.startswith("extra."):
        return name.split(".")[1] not in task.task.extra_params
    return name not in task.task.params
