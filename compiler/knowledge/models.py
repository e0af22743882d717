"""Model knowledge: what each family's model card asks of the server and the client
(recipes/models.yaml: parsers, serve flags, env, image minimums, sampling, the reasoning switch;
every entry lists its sources)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

from .files import data_file


@dataclass(frozen=True)
class ModelFamily:
    family: str
    match: Mapping[str, Any]  # handle patterns, config.json model_type / architectures, handle_only
    reasoning: Mapping[str, Any]  # parser per backend, plugin_url, the on/off switch
    tool_calling: Mapping[str, Any]
    sampling: Mapping[str, Any]
    extra_flags: Mapping[str, Any]  # backend -> serve flags the card documents
    env: Mapping[str, Any]  # backend -> env the card requires
    env_when_quantized: Mapping[str, Any]  # backend -> algorithm -> env
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
                             e.get("sampling") or {}, e.get("extra_flags") or {}, e.get("env") or {},
                             e.get("env_when_quantized") or {}, e.get("image") or {}, bool(e.get("remote_code")),
                             tuple(e.get("sources") or ()))
                 for e in data_file("models"))


def family_named(name: str | None) -> ModelFamily | None:
    return next((f for f in families() if f.family == name), None) if name else None
