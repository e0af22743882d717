"""Model knowledge: what each family's model card asks of the server and the client
(recipes/models.yaml: parsers, serve flags, env, image minimums, sampling, the reasoning switch;
every entry lists its sources)."""

from __future__ import annotations

import fnmatch
import posixpath
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Mapping

from .files import data_file

if TYPE_CHECKING:  # type hints only: facts imports the spec model, which this module does not need
    from ..facts import ModelFacts


@dataclass(frozen=True)
class ModelFamily:
    family: str
    match: Mapping[str, Any]  # handle patterns, config.json model_type / architectures, handle_only
    reasoning: Mapping[str, Any]  # parser per backend, plugin_url, the on/off switch
    tool_calling: Mapping[str, Any]
    sampling: Mapping[str, Any]  # reasoning on (or the only mode)
    sampling_off: Mapping[str, Any]  # reasoning off, where the card gives other values
    extra_flags: Mapping[str, Any]  # backend -> serve flags the card documents
    env: Mapping[str, Any]  # backend -> env the card requires
    env_when_quantized: Mapping[str, Any]  # backend -> algorithm -> env
    flags_when_quantized: Mapping[str, Any]  # backend -> algorithm -> serve flags
    image: Mapping[str, str]  # backend -> minimum image
    remote_code: bool
    sources: tuple[Any, ...]

    @property
    def source(self) -> str:
        """How a value taken from this entry cites it (the entry lists the real sources)."""
        return f"recipes/models.yaml:{self.family}"


@lru_cache(maxsize=1)
def families() -> tuple[ModelFamily, ...]:
    return tuple(ModelFamily(e["family"], e.get("match") or {}, e.get("reasoning") or {}, e.get("tool_calling") or {},
                             e.get("sampling") or {}, e.get("sampling_off") or {}, e.get("extra_flags") or {}, e.get("env") or {},
                             e.get("env_when_quantized") or {}, e.get("flags_when_quantized") or {}, e.get("image") or {}, bool(e.get("remote_code")),
                             tuple(e.get("sources") or ()))
                 for e in data_file("models"))


def family_named(name: str | None) -> ModelFamily | None:
    return next((f for f in families() if f.family == name), None) if name else None


def match_family(facts: "ModelFacts", model: str = "") -> tuple[ModelFamily, str] | None:
    """The recipes/models.yaml entry for a model and what matched, in three passes:
    1. the `handle` patterns of every entry, on the HF handle (or, for a local checkpoint, its
       folder name, also against the part of a pattern after "org/");
    2. a `config` fingerprint: config.json values that identify a family without a name
       (Llama 3.x: rope_scaling.rope_type llama3 and vocab_size 128256);
    3. config.json model_type (+ architectures) of entries not marked handle_only (a shared
       model_type must not pick a sibling family's parser).
    """
    name = facts.hf_handle or posixpath.basename((facts.checkpoint_path or model).rstrip("/"))
    entries = families()
    lowered = name.lower()
    for entry in entries:
        for pattern in (p.lower() for p in entry.match.get("handle", [])):
            if fnmatch.fnmatch(lowered, pattern) or (not facts.hf_handle and fnmatch.fnmatch(lowered, pattern.split("/", 1)[-1])):
                return entry, f"{'handle' if facts.hf_handle else 'checkpoint folder'} {name}"
    config = facts.json("config.json") or {}
    for entry in entries:
        fingerprint = entry.match.get("config") or {}
        if fingerprint and all(_dotted(config, key) == value for key, value in fingerprint.items()):
            shown = ", ".join(f"{key} {value}" for key, value in fingerprint.items())
            return entry, f"{facts.where('config.json', next(iter(fingerprint)))}: {shown}"
    model_type, architectures = config.get("model_type"), set(config.get("architectures") or [])
    for entry in entries:
        match = entry.match
        if match.get("handle_only") or model_type not in match.get("model_type", []):
            continue
        if not match.get("architectures") or architectures & set(match["architectures"]):
            return entry, f"{facts.where('config.json', 'model_type')} = {model_type}"
    return None


def _dotted(tree: Any, key: str) -> Any:
    for part in key.split("."):
        tree = tree.get(part) if isinstance(tree, dict) else None
    return tree
