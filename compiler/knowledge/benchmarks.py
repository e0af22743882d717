"""Benchmark knowledge: the ModelOpt evaluation skill's task recipes, NEL 0.2.6's bundles, and which
tasks need a judge, a user simulator or a minimum context (recipes/benchmarks.yaml, with sources)."""

from __future__ import annotations

import copy
import fnmatch
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, Mapping

from .files import data_file
from .registry import lookup

Risk = Literal["plain", "judge", "code", "simulator"]
Role = Literal["judge", "user_simulator"]
RISK_ORDER: tuple[Risk, ...] = ("judge", "code", "simulator", "plain")


@dataclass(frozen=True)
class Score:
    """Where a recipe's score sits in results.yml (`avg-of-N` is replaced by the repeat count)."""

    path: str
    stderr: str | None = None
    unit: str = ""
    samples: int | None = None  # the dataset size, when the recipe knows it


@dataclass(frozen=True)
class Recipe:
    """One task recipe of the ModelOpt evaluation skill: the NEL task fragment and how to read it."""

    name: str
    title: str
    risk: Risk
    fragment: Mapping[str, Any]  # the `evaluation.tasks` entry, key for key
    score: Score | None
    min_context: int | None
    needs: tuple[str, ...]

    @property
    def task_name(self) -> str:
        """The fragment's task name as written (`ns_gpqa`, `nemo_skills.ns_mmlu_pro`)."""
        return str(self.fragment["name"])

    @property
    def short_task_name(self) -> str:
        return self.task_name.split(".")[-1]

    def task_entry(self) -> dict:
        """A fresh copy of the fragment, safe to change."""
        return copy.deepcopy(dict(self.fragment))


@dataclass(frozen=True)
class BundleAlias:
    """An old (NEL 0.2.2) bundle name and the 0.2.6 bundles it maps to per model type."""

    name: str
    targets: Mapping[str, tuple[str, ...]]
    note: str = ""


@lru_cache(maxsize=1)
def recipes() -> Mapping[str, Recipe]:
    out = {}
    for name, raw in data_file("benchmarks")["recipes"].items():
        score = raw.get("score")
        out[name] = Recipe(name, raw.get("title", name), raw["risk"], raw["task"],
                           Score(score["path"], score.get("stderr"), score.get("unit", ""), score.get("samples")) if score else None,
                           raw.get("min_context"), tuple(raw.get("needs") or ()))
    return out


def recipe_named(name: str) -> Recipe | None:
    return recipes().get(name)


def recipe_for_task(task_name: str) -> Recipe | None:
    """The recipe whose fragment runs `task_name` (short or `harness.task`), if any.

    >>> recipe_for_task("nemo_skills.ns_gpqa").name
    'gpqa'
    >>> recipe_for_task("ns_mmlu_pro").name
    'mmlu_pro'
    """
    short = task_name.split(".")[-1]
    return next((r for r in recipes().values() if r.short_task_name == short), None)


def bundles(model_type: str) -> Mapping[str, tuple[Mapping[str, Any], ...]]:
    """NEL 0.2.6's bundles for a model type: bundle name -> task entries."""
    return {name: tuple(tasks) for name, tasks in data_file("benchmarks")["bundles"].get(model_type, {}).items()}


def bundle_model_types() -> tuple[str, ...]:
    return tuple(data_file("benchmarks")["bundles"])


def bundle_alias(name: str) -> BundleAlias | None:
    raw = data_file("benchmarks")["aliases"].get(name)
    if raw is None:
        return None
    return BundleAlias(name, {k: tuple(v) for k, v in raw.items() if k != "note"}, raw.get("note", ""))


def needs_role(qualified: str, role: Role) -> bool:
    """Whether the task (`harness.task`) is scored by a judge or driven by a user simulator."""
    key = "needs_judge" if role == "judge" else "needs_user_simulator"
    return any(fnmatch.fnmatch(qualified, pattern) for pattern in data_file("benchmarks")[key])


def judge_key_field(qualified: str) -> str:
    """The `extra.judge` field that names the judge's key env var for this task (`api_key` by default)."""
    fields = data_file("benchmarks")["judge_key_field"]
    return next((field for pattern, field in fields.items() if fnmatch.fnmatch(qualified, pattern)), "api_key")


def context_minimums(qualified: str) -> tuple[int, ...]:
    """Minimum contexts the registry task itself needs (RULER sizes), beside any recipe minimum."""
    return tuple(tokens for pattern, tokens in data_file("benchmarks")["min_context"].items()
                 if fnmatch.fnmatch(qualified, pattern))


def risk_of(task_name: str, recipe: Recipe | None = None) -> Risk:
    """The canary class of a task: its recipe's when it came from one, else judge / simulator /
    code / plain from the registry.

    >>> risk_of("ns_hle_aa"), risk_of("ns_gpqa"), risk_of("tau2_bench_telecom")
    ('judge', 'plain', 'simulator')
    """
    if recipe is not None:
        return recipe.risk
    registered = lookup(task_name).task
    if registered is None:
        return "plain"
    if needs_role(registered.qualified, "user_simulator"):
        return "simulator"
    if needs_role(registered.qualified, "judge"):
        return "judge"
    return "code" if registered.defaults.get("use_sandbox") else "plain"
