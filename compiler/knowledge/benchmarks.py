"""Benchmark knowledge: the ModelOpt evaluation skill's task recipes (in versioned recipe sets), NEL
0.2.6's bundles, and which tasks need a judge, a user simulator or a minimum context
(recipes/benchmarks.yaml, with sources)."""

from __future__ import annotations

import copy
import fnmatch
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Literal, Mapping

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
    recipe_set: str = ""
    input_tokens: int | None = None  # the longest prompt, where the recipe states it (AA-LCR ~120K)

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


@dataclass(frozen=True)
class RecipeSet:
    """The skill's recipes at one upstream commit, with its base template's evaluation-level params."""

    name: str
    skill: str  # which skill version, for headers and messages
    source: str
    evaluation_params: Mapping[str, Any]
    max_new_tokens: Mapping[str, int] | None  # reasoning / other; None: the recipes strip the cap
    prompt_reserve: int
    recipes: Mapping[str, Recipe]


@lru_cache(maxsize=1)
def recipe_sets() -> Mapping[str, RecipeSet]:
    """Every recipe set, newest first."""
    data = data_file("benchmarks")
    out = {}
    for set_name, raw_set in sorted(data["recipe_sets"].items(), reverse=True):
        found = {}
        for name, raw in raw_set["recipes"].items():
            score = raw.get("score")
            found[name] = Recipe(name, raw.get("title", name), raw["risk"], raw["task"],
                                 Score(score["path"], score.get("stderr"), score.get("unit", ""), score.get("samples")) if score else None,
                                 raw.get("min_context"), tuple(raw.get("needs") or ()), set_name, raw.get("input_tokens"))
        out[set_name] = RecipeSet(set_name, raw_set["skill"], raw_set["source"], raw_set.get("evaluation_params") or {},
                                  raw_set.get("max_new_tokens"), int(raw_set.get("prompt_reserve") or 0), found)
    return out


def default_recipe_set() -> str:
    return str(data_file("benchmarks")["default_recipe_set"])


def recipe_set(name: str | None = None) -> RecipeSet:
    """A set by name (None: the default, the newest).

    >>> recipe_set().name, recipe_set("modelopt-2026.05").evaluation_params["request_timeout"]
    ('modelopt-2026.08', 3600)
    """
    return recipe_sets()[name or default_recipe_set()]


def recipes(set_name: str | None = None) -> Mapping[str, Recipe]:
    return recipe_set(set_name).recipes


def recipe_named(name: str, set_name: str | None = None) -> Recipe | None:
    return recipes(set_name).get(name)


def recipe_for_task(task_name: str, set_name: str | None = None) -> Recipe | None:
    """The recipe whose fragment runs `task_name` (short or `harness.task`), if any: in the named
    set, or (for a config whose set is unknown) in the newest set that has one.

    >>> recipe_for_task("nemo_skills.ns_gpqa").name, recipe_for_task("ns_gpqa").recipe_set
    ('gpqa', 'modelopt-2026.08')
    >>> recipe_for_task("AA-LCR.aa_lcr").recipe_set, recipe_for_task("aa_lcr", "modelopt-2026.08")
    ('modelopt-2026.05', None)
    """
    short = task_name.split(".")[-1]
    sets = [recipe_set(set_name)] if set_name else list(recipe_sets().values())
    for candidate in sets:
        found = next((r for r in candidate.recipes.values() if r.short_task_name == short), None)
        if found is not None:
            return found
    return None


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


def gated_dataset(qualified: str) -> str | None:
    """The gated Hub dataset a task reads (its container needs HF_TOKEN), or None.

    >>> gated_dataset("nemo_skills.ns_gpqa"), gated_dataset("nemo_skills.ns_ifbench")
    ('Idavidrein/gpqa', None)
    """
    task = qualified.split(".", 1)[-1]
    for entry in data_file("benchmarks")["gated_datasets"]:
        if any(fnmatch.fnmatch(task, pattern) for pattern in entry["tasks"]):
            return str(entry["dataset"])
    return None


def url_form(harness: str | None, backend: str | None = None) -> tuple[str, str] | None:
    """(form, source) of the judge / user-simulator URL a harness expects, when known: `base`, `full`
    or `either`; simple-evals' form depends on its judge backend.

    >>> url_form("nemo_skills")[0], url_form("tau2_bench")[0], url_form("simple_evals", "generic")[0], url_form("foo")
    ('base', 'either', 'full', None)
    """
    found = data_file("benchmarks")["endpoint_url_forms"].get(harness or "")
    if not found:
        return None
    found = (found.get("backends") or {}).get(backend or "", found)
    return str(found["form"]), str(found["source"])


def url_strips(harness: str | None) -> str | None:
    """The string a harness rstrips from the URL (a set of characters, as Python's str.rstrip), if any.

    >>> url_strips("AA-LCR"), url_strips("tau2_bench")
    ('/chat/completions', None)
    """
    found = data_file("benchmarks")["endpoint_url_forms"].get(harness or "") or {}
    return found.get("strips")


def tokenizer_backends(harness: str | None) -> tuple[str, tuple[str, ...], str] | None:
    """(the name that loads a Hugging Face tokenizer, every accepted name, source) for a harness's
    tokenizer_backend, when known.

    >>> tokenizer_backends("ruler")[0], tokenizer_backends("lm-evaluation-harness")[0], tokenizer_backends("mtbench")
    ('hf', 'huggingface', None)
    """
    found = data_file("benchmarks")["tokenizer_backends"].get(harness or "")
    return (str(found["hf"]), tuple(str(a) for a in found["accepted"]), str(found["source"])) if found else None


def generation_cap_field(harness: str | None) -> str | None:
    """The request field a harness sends max_new_tokens in, when known.

    >>> generation_cap_field("simple_evals"), generation_cap_field("tau2_bench"), generation_cap_field("bfcl")
    ('max_tokens', 'max_completion_tokens', None)
    """
    found = data_file("benchmarks")["generation_cap_fields"].get(harness or "")
    return str(found["field"]) if found else None


LONG_BACKOFF = 60  # seconds: a retry backoff above this turns one transient error into many minutes per sample


@dataclass(frozen=True)
class TimeoutMeaning:
    """What a harness does with one request_timeout (recipes/benchmarks.yaml `request_timeouts`)."""
    means: str  # per_request | retry_backoff
    source: str
    class_default: int | None = None  # the harness client's own default, for a backoff

    @property
    def is_backoff(self) -> bool:
        return self.means == "retry_backoff"


def timeout_meaning(harness: str | None, role: str, judge_backend: str | None = None) -> TimeoutMeaning:
    """What `harness` does with the `role` (model | judge) request_timeout; per request unless the data says otherwise.

    >>> timeout_meaning("mtbench", "model").means, timeout_meaning("simple_evals", "judge").means
    ('retry_backoff', 'retry_backoff')
    >>> timeout_meaning("simple_evals", "judge", "generic").means, timeout_meaning("AA-LCR", "model").means
    ('per_request', 'per_request')
    """
    found = (data_file("benchmarks")["request_timeouts"].get(harness or "") or {}).get(role)
    if found and judge_backend:
        found = (found.get("backends") or {}).get(judge_backend, found)
    if not found:
        return TimeoutMeaning("per_request", "not listed in recipes/benchmarks.yaml request_timeouts: taken as per request")
    return TimeoutMeaning(str(found["means"]), str(found["source"]), found.get("class_default"))


def fixed_generation_cap(harness: str | None) -> tuple[int, str] | None:
    """The generation cap a harness always sends, whatever max_new_tokens says, and its source.

    >>> fixed_generation_cap("mtbench")[0], fixed_generation_cap("simple_evals")
    (1024, None)
    """
    found = (data_file("benchmarks")["generation_cap_fields"].get(harness or "") or {}).get("fixed")
    return (int(found["value"]), str(found["source"])) if found else None


def judge_model_name(harness: str | None) -> dict | None:
    """The judge model_id a harness's code depends on (model_id, why, source), when it has one.

    >>> judge_model_name("mtbench")["model_id"], judge_model_name("AA-LCR")
    ('gpt-4', None)
    """
    return data_file("benchmarks")["judge_model_names"].get(harness or "")


def prompt_fill(harness: str | None) -> tuple[str, int, str] | None:
    """(the extra param the harness fills each prompt to, its smallest own generation budget, source).

    >>> prompt_fill("ruler")[:2], prompt_fill("simple_evals")
    (('max_seq_length', 30), None)
    """
    found = data_file("benchmarks")["prompt_fill"].get(harness or "")
    return (str(found["param"]), int(found["smallest_budget"]), str(found["source"])) if found else None


def hardwired_judge(harness: str | None) -> dict | None:
    """What a harness's self-wired judge needs (env, what, source, instead), when it has one.

    >>> hardwired_judge("hle")["env"][0], hardwired_judge("simple_evals")
    ('OPENAI_TOKEN_URL', None)
    """
    return data_file("benchmarks")["hardwired_judges"].get(harness or "")


def startup_download(harness: str | None) -> dict | None:
    """What a harness downloads when its command starts (what, source, fails), when it does.

    >>> startup_download("ruler")["what"], startup_download("simple_evals")
    ("NLTK's punkt and punkt_tab sentence tokenizers", None)
    """
    return data_file("benchmarks")["startup_downloads"].get(harness or "")


def reasoning_judge(harness: str | None) -> dict | None:
    """The sampling an OpenAI reasoning-model judge must have in this harness (models, temperature,
    top_p, source), when the harness constrains it.

    >>> reasoning_judge("nemo_skills")["top_p"], reasoning_judge("AA-LCR")
    (0.95, None)
    """
    return data_file("benchmarks")["reasoning_judges"].get(harness or "")


def needs_tool_calling(qualified: str, get: Callable[[str], Any] = lambda key: None) -> bool:
    """Whether the task drives the model as a tool-calling agent (the server must parse tool calls);
    `get` reads the task's effective values, for entries that hold only `when` a parameter is true.

    >>> needs_tool_calling("tau2_bench.tau2_bench_telecom"), needs_tool_calling("nemo_skills.ns_gpqa")
    (True, False)
    >>> needs_tool_calling("bfcl.bfclv3_ast", {"config.params.extra.native_calling": True}.get), needs_tool_calling("bfcl.bfclv3")
    (True, False)
    """
    for entry in data_file("benchmarks")["needs_tool_calling"]:
        if isinstance(entry, str):
            if fnmatch.fnmatch(qualified, entry):
                return True
        elif fnmatch.fnmatch(qualified, entry["tasks"]) and get(entry["when"]) is True:
            return True
    return False


def recipe_knowledge(qualified: str, recipe_name: str | None, set_name: str | None) -> Recipe | None:
    """What the recipes know about a task however it was named (context floor, prompt size): the recipe
    it came from, else the set's recipe for the same task, else the newest set that has one (the
    dataset's prompt size does not change with the set).

    >>> recipe_knowledge("AA-LCR.aa_lcr", None, "modelopt-2026.08").input_tokens
    120000
    """
    if recipe_name:
        return recipe_named(recipe_name, set_name)
    return recipe_for_task(qualified, set_name) or recipe_for_task(qualified)
