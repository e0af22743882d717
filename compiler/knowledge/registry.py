"""NEL 0.2.6's task registry, from the committed snapshot recipes/tasks_registry.json.

`scripts/snapshot_registry.py` writes the snapshot from the installed launcher; a test fails when
it drifts. Compiling never imports NEL: names and parameters are checked offline, in milliseconds.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .files import data_file


CLIENT_TOKENIZER_HARNESSES = ("ruler", "genai_perf_eval")


@dataclass(frozen=True)
class Task:
    name: str
    harness: str
    container: str
    endpoint_types: tuple[str, ...]
    capabilities: tuple[str, ...]
    params: frozenset[str]
    extra_params: frozenset[str]
    defaults: Any
    param_defaults: Any = None  # config.params as the container starts (registry defaults), extra included
    endpoint_defaults: Any = None  # target.api_endpoint defaults (e.g. stream)

    @property
    def qualified(self) -> str:
        return f"{self.harness}.{self.name}"

    @property
    def endpoint_type(self) -> str:
        return self.endpoint_types[0] if self.endpoint_types else "chat"

    @property
    def tokenizes_client_side(self) -> bool:
        """Whether the task loads `extra.tokenizer` in the evaluation container: completions and
        log-prob tasks, and RULER and genai-perf, whose commands pass --tokenizer unconditionally
        (their registry default is null).

        >>> [lookup(n).task.tokenizes_client_side for n in ("adlr_gsm8k_cot_8_shot", "ruler-4k-chat", "ns_gpqa")]
        [True, True, False]
        """
        return "tokenizer" in self.extra_params and (
            self.endpoint_type == "completions" or "logprobs" in self.capabilities or self.harness in CLIENT_TOKENIZER_HARNESSES)


@dataclass(frozen=True)
class Lookup:
    task: Task | None
    problem: str = ""  # why the name does not resolve
    hint: str = ""


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, Task], dict[str, list[Task]]]:
    by_qualified: dict[str, Task] = {}
    by_short: dict[str, list[Task]] = {}
    for raw in data_file("tasks_registry")["tasks"]:
        task = Task(raw["name"], raw["harness"], raw["container"], tuple(raw["endpoint_types"]),
                    tuple(raw["capabilities"]), frozenset(raw["params"]), frozenset(raw["extra_params"]), raw["defaults"],
                    raw.get("param_defaults") or {}, raw.get("endpoint_defaults") or {})
        by_qualified[task.qualified] = task
        by_short.setdefault(task.name, []).append(task)
    return by_qualified, by_short


def lookup(name: str) -> Lookup:
    """Resolve a task name the way NEL does: a unique short name, or `harness.task` exactly.

    >>> lookup("ns_gpqa").task.qualified
    'nemo_skills.ns_gpqa'
    >>> lookup("mmlu").problem
    "there are several tasks named 'mmlu'"
    >>> lookup("ns_gpqaa").hint
    "did you mean 'ns_gpqa' or 'gpqa'?"
    """
    by_qualified, by_short = _index()
    if name.count(".") > 1:
        return Lookup(None, f"task name '{name}' has more than one dot", "write a short name or harness.task")
    if "." in name:
        if name in by_qualified:
            return Lookup(by_qualified[name])
        harness = name.split(".", 1)[0]
        harnesses = sorted({t.harness for t in by_qualified.values()})
        if harness not in harnesses:
            close = difflib.get_close_matches(harness, harnesses, n=1)
            return Lookup(None, f"harness '{harness}' is not in NEL 0.2.6's registry",
                          f"did you mean '{close[0]}'? harness names are spelled exactly as in `nel ls tasks`" if close
                          else "see `nel ls tasks` for harness names")
        return Lookup(None, f"task '{name}' is not in NEL 0.2.6's registry", _suggest(name, list(by_qualified)))
    matches = by_short.get(name, [])
    if len(matches) == 1:
        return Lookup(matches[0])
    if matches:
        options = ", ".join(sorted(t.qualified for t in matches))
        return Lookup(None, f"there are several tasks named '{name}'", f"write one of: {options}")
    return Lookup(None, f"task '{name}' is not in NEL 0.2.6's registry", _suggest(name, list(by_short)))


def _suggest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=3)
    if not close:
        return "see `nel ls tasks` for the task list"
    return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"


def same_task(name: object, other: str) -> bool:
    """Whether two names mean one registry task (`ns_gpqa` and `nemo_skills.ns_gpqa`).

    >>> same_task("ns_gpqa", "nemo_skills.ns_gpqa"), same_task("ns_gpqa", "ns_aime2025")
    (True, False)
    """
    if not isinstance(name, str):
        return False
    if name == other:
        return True
    a, b = lookup(name).task, lookup(other).task
    return a is not None and b is not None and a.qualified == b.qualified


def all_tasks() -> list[Task]:
    return list(_index()[0].values())
