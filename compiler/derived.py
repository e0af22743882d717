"""The typed values compile rules hand to later rules, one Slot each, all listed here.

A rule writes one with `draft.set(SLOT, value, why)` and a later rule reads it with
`draft.get(SLOT)`; RULES orders the writer first (`after=`). They are never emitted.
"""

from __future__ import annotations

from dataclasses import dataclass

from .draft import Slot
from .facts import Quantization


@dataclass(frozen=True)
class ResolvedTask:
    """An emitted task, by position in `evaluation.tasks`: its registry name and the recipe it came from."""

    qualified: str  # harness.task in NEL 0.2.6's registry
    recipe: str | None  # the ModelOpt evaluation skill recipe, or None (a bundle entry or a task named directly)
    benchmarks: tuple[int, ...] = ()  # positions in the spec's `benchmarks` that name it (their settings apply, in order)


MODEL_TYPE: Slot[str] = Slot("model_type", "base | chat_reasoning; set by R101 choose-model-type")
TASKS: Slot[tuple[ResolvedTask, ...]] = Slot("tasks", "one ResolvedTask per evaluation.tasks entry; set by R165 resolve-benchmarks")
QUANTIZATION: Slot[Quantization] = Slot("quantization", "the ModelOpt algorithm; set by R201 detect-quantization")
CONTEXT_LENGTH: Slot[int] = Slot("context_length", "the server's context length; set by R205 set-context-length")
FAMILY: Slot[str] = Slot("family", "the recipes/models.yaml family; set by R220 apply-model-knowledge")
