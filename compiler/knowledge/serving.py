"""Serving knowledge: the spec's choices, NEL 0.2.6's deployment options with their pinned images
(recipes/backends.yaml), and how each server takes a ModelOpt checkpoint (recipes/quantization.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

from .files import data_file

from ..choices import BACKENDS, EXECUTORS, EXPORTS, MODEL_TYPE_ALIASES, MODEL_TYPES  # noqa: F401 (re-exported)


@dataclass(frozen=True)
class Backend:
    """A serving backend NEL 0.2.6 can deploy, with the image nelc pins for it."""

    name: str
    nel_option: str  # the Hydra `deployment` option
    image: str | None  # None: the user must name one (a NIM image is per model)
    image_source: str
    context_flag: str | None
    has_data_parallel: bool
    has_gpu_memory_utilization: bool
    command: str | None = None  # NEL 0.2.6's packaged server command, for configs that do not write one


@lru_cache(maxsize=None)
def backend(name: str) -> Backend | None:
    raw = data_file("backends").get(name)
    if raw is None:
        return None
    return Backend(name, raw["nel_option"], raw["image"], raw["image_source"], raw["context_flag"],
                   raw["has_data_parallel"], raw["has_gpu_memory_utilization"], raw.get("command"))


def backend_fact(option: str | None, name: str) -> Any:
    """A fact recipes/backends.yaml records for the backend behind a NEL deployment option (vllm_ray is
    vLLM on Ray: it inherits vllm.yaml), e.g. its `parallel_defaults`; None when it records none.

    >>> backend_fact("vllm_ray", "parallel_defaults")["tensor_parallel_size"], backend_fact("nim", "parallel_defaults")
    (8, None)
    """
    table = data_file("backends")
    name_of = {raw["nel_option"]: key for key, raw in table.items()} | {"vllm_ray": "vllm"}
    return (table.get(name_of.get(option or "", "")) or {}).get(name)


def serving_default(backend_name: str, name: str) -> Mapping[str, Any] | None:
    """One of a backend's adopted serving defaults (recipes/backends.yaml `serving_defaults`), with its source.

    >>> serving_default("vllm", "chunked_prefill")["flag"], serving_default("sglang", "chunked_prefill")
    ('--enable-chunked-prefill', None)
    """
    raw = data_file("backends").get(backend_name) or {}
    return (raw.get("serving_defaults") or {}).get(name)


@lru_cache(maxsize=None)
def nel_groups() -> Mapping[str, Any]:
    """NEL 0.2.6's packaged Hydra groups, their options and its default.yaml picks (recipes/nel_groups.yaml).

    >>> "vllm" in nel_groups()["groups"]["deployment"], nel_groups()["defaults"]["deployment"]
    (True, 'none')
    """
    return data_file("nel_groups")


def is_pinned(image: str) -> bool:
    """A tag other than `latest` (or a digest): the same config pulls the same server next month.

    >>> is_pinned("vllm/vllm-openai:v0.12.0"), is_pinned("vllm/vllm-openai:latest"), is_pinned("localhost:5000/vllm")
    (True, False, False)
    """
    last = image.rsplit("/", 1)[-1]
    return "@sha256:" in image or (":" in last and not last.endswith(":latest"))


def image_version(image: str) -> tuple[int, ...]:
    """A server image's release from its tag (or a bare tag such as `v0.14.0`); () when the tag is no
    version (latest, a digest, none).

    >>> image_version("vllm/vllm-openai:v0.12.0"), image_version("lmsysorg/sglang:v0.5.5.post1"), image_version("v0.14.0")
    ((0, 12, 0), (0, 5, 5), (0, 14, 0))
    >>> image_version("my/vllm:latest"), image_version("localhost:5000/vllm"), image_version("vllm/vllm-openai")
    ((), (), ())
    """
    last = image.rsplit("/", 1)[-1].split("@", 1)[0]
    tag = (last.partition(":")[2] if ":" in last else last).lstrip("v")
    parts = []
    for piece in tag.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits or not piece[0].isdigit():
            break
        parts.append(int(digits))
    return tuple(parts)


def sglang_quantization(algo: str) -> str | None:
    """SGLang's `--quantization` value for a ModelOpt algorithm (its auto-detection takes NVFP4 for FP8)."""
    return data_file("quantization")["sglang_flag"].get(algo.upper())


@dataclass(frozen=True)
class SensitiveBenchmark:
    """A benchmark that shows quantization loss, with the task to suggest per model type."""

    name: str
    label: str  # the skill's own priority words ("always include", "very high", ...)
    why: str
    match: tuple[str, ...]
    suggest: Mapping[str, str]
    only_for: tuple[str, ...] = ()  # quantization algorithms it matters for; empty: all
    modality: str = "text"  # image: advised only for a model that reads images


@dataclass(frozen=True)
class QuantizationAdvice:
    """What one recipe set's references/quantization-benchmarks.md advises for a quantized checkpoint."""

    source: str
    sensitive: tuple[SensitiveBenchmark, ...]
    use_cases: Mapping[str, tuple[str, ...]]  # use case -> benchmark names
    names: Mapping[str, tuple[str, ...]]  # match patterns of use-case names outside `sensitive`

    def patterns(self, name: str) -> tuple[str, ...]:
        found = next((b.match for b in self.sensitive if b.name == name), None)
        return found if found is not None else tuple(self.names.get(name, (name.lower(),)))


def quantization_advice(recipe_set: str) -> QuantizationAdvice:
    raw = data_file("quantization")["advice"][recipe_set]
    sensitive = tuple(SensitiveBenchmark(b["name"], b["label"], b["why"], tuple(b["match"]), b["suggest"], tuple(b.get("only_for") or ()),
                                         b.get("modality", "text"))
                      for b in raw["sensitive_benchmarks"])
    return QuantizationAdvice(raw["source"], sensitive, {k: tuple(v) for k, v in raw["use_cases"].items()},
                              {k: tuple(v) for k, v in (raw.get("names") or {}).items()})


@dataclass(frozen=True)
class AdapterSchema:
    """What nemo-evaluator's container accepts in an `adapter_config` (recipes/adapter.yaml)."""

    legacy_flags: Mapping[str, str]  # flag -> type name
    deprecated: Mapping[str, str]
    unregistered: tuple[str, ...]
    interceptors: Mapping[str, str]  # name -> stage
    post_eval_hooks: tuple[str, ...]
    chain_fields: tuple[str, ...]


@lru_cache(maxsize=1)
def adapter_schema() -> AdapterSchema:
    raw: dict[str, Any] = data_file("adapter")
    return AdapterSchema(raw["legacy_flags"], raw["deprecated"], tuple(raw["unregistered"]), raw["interceptors"],
                         tuple(raw["post_eval_hooks"]), tuple(raw["chain_fields"]))


@dataclass(frozen=True)
class ShellClass:
    """A kind of field NEL pastes into a script, and the characters it may hold."""

    name: str
    allowed: str | None  # a regex character-class body, e.g. "A-Za-z0-9._-"
    forbidden: str  # characters refused (when no allow-list)
    pattern: str | None  # a whole-value regex (env var names)
    no_leading_dash: bool
    why: str


@dataclass(frozen=True)
class SurfaceKey:
    """One config key (or the keys of one mapping) NEL places in a script, with the NEL file and line."""

    pattern: tuple[str, ...]  # path segments; "*" matches any key or index
    is_key: bool  # the mapping keys at `pattern`, not the values
    cls: str
    source: str


@dataclass(frozen=True)
class ShellSurface:
    classes: Mapping[str, ShellClass]
    keys: tuple[SurfaceKey, ...]
    multiline_keys: frozenset[str]


@lru_cache(maxsize=1)
def shell_surface() -> ShellSurface:
    """recipes/shell_surface.yaml: the keys NEL 0.2.6 pastes into scripts, by field class."""
    raw = data_file("shell_surface")
    classes = {name: ShellClass(name, c.get("allowed"), c.get("forbidden", ""), c.get("pattern"), bool(c.get("no_leading_dash")),
                                c["why"]) for name, c in raw["classes"].items()}
    keys = []
    for entry in raw["keys"]:
        parts = tuple(entry["path"].split("."))
        is_key = parts[-1] == "<key>"
        keys.append(SurfaceKey(parts[:-1] if is_key else parts, is_key, entry["class"], entry["source"]))
    return ShellSurface(classes, tuple(keys), frozenset(raw["multiline_keys"]))
