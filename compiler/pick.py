"""`--task NAME` for `nelc show` and `nelc compile`: which of a config's tasks a name means.

A user names tasks the way the spec did: a NEL task (`ns_gpqa`, `nemo_skills.ns_gpqa`), a recipe
of the ModelOpt skill (`gpqa`, which compiles to `ns_gpqa`) or a NEL bundle (`core_reasoning`).
The spec resolves a name in that order with recipes first (README "Benchmarks"), but a config on
disk no longer says which benchmark wrote which task; so when a name means two different tasks of
the config (the recipe `gpqa` is ns_gpqa, the NEL task `gpqa` is lm-evaluation-harness.gpqa), the
choice is the user's: F010 lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .knowledge import bundle_alias, bundle_model_types, bundles, recipe_sets, same_task
from .nelconfig import tasks_of


@dataclass(frozen=True)
class Picked:
    indices: tuple[int, ...]  # positions in evaluation.tasks; empty: nothing matches
    choices: tuple[str, ...] = ()  # more than one meaning: each, to list in F010

    @property
    def ambiguous(self) -> bool:
        return len(self.choices) > 1


def pick_tasks(config: Any, name: str, set_name: str | None = None) -> Picked:
    """The tasks of `config` that `name` means, from its recipe set `set_name` (None: any set).

    >>> config = {"evaluation": {"tasks": [{"name": "ns_gpqa"}, {"name": "ns_ifbench"}]}}
    >>> pick_tasks(config, "gpqa").indices, pick_tasks(config, "nemo_skills.ns_ifbench").indices
    ((0,), (1,))
    >>> both = {"evaluation": {"tasks": [{"name": "ns_gpqa"}, {"name": "lm-evaluation-harness.gpqa"}]}}
    >>> pick_tasks(both, "gpqa").choices
    ('NEL task: lm-evaluation-harness.gpqa [evaluation.tasks.1]', 'recipe gpqa: ns_gpqa [evaluation.tasks.0]')
    """
    tasks = dict((index, entry["name"]) for index, entry in tasks_of(config) if isinstance(entry.get("name"), str))
    meanings: list[tuple[str, tuple[int, ...]]] = []  # how the name was read, and the tasks it then means
    direct = tuple(i for i, task in tasks.items() if same_task(name, task))
    if direct:
        meanings.append(("NEL task", direct))
    else:  # a short name NEL cannot resolve alone (`mmlu`) still names each task it ends
        meanings += [("NEL task", (i,)) for i, task in tasks.items() if "." in task and task.split(".", 1)[1] == name]
    for label, names in _benchmark_meanings(name, set_name).items():
        found = tuple(i for i, task in tasks.items() if any(same_task(n, task) for n in names))
        if found:
            meanings.append((label, found))
    distinct = {found for _, found in meanings}
    if len(distinct) > 1:
        return Picked((), tuple(sorted(f"{label}: " + ", ".join(f"{tasks[i]} [evaluation.tasks.{i}]" for i in found)
                                       for label, found in meanings)))
    return Picked(next(iter(distinct), ()))


def _benchmark_meanings(name: str, set_name: str | None) -> dict[str, tuple[str, ...]]:
    """The NEL task names the spec benchmark `name` compiles to: as a recipe, and as a bundle."""
    out: dict[str, tuple[str, ...]] = {}
    sets = [s for s in recipe_sets().values() if set_name in (None, s.name)]
    recipe_tasks = tuple(dict.fromkeys(s.recipes[name].task_name for s in sets if name in s.recipes))
    if recipe_tasks:
        out[f"recipe {name}"] = recipe_tasks
    alias = bundle_alias(name)
    bundle_names = [name, *(n for targets in (alias.targets.values() if alias else ()) for n in targets)]
    bundle_tasks = tuple(dict.fromkeys(str(entry["name"]) for model_type in bundle_model_types() for bundle in bundle_names
                                       for entry in bundles(model_type).get(bundle, ())))
    if bundle_tasks:
        out[f"bundle {name}"] = bundle_tasks
    return out
