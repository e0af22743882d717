"""recipes/tasks_registry.json: the offline snapshot of the NEL 0.2.6 task registry.

Checks that the committed file is exactly what scripts/snapshot_registry.py produces from the installed
nemo-evaluator-launcher, and spot-checks it against the package and known facts from the NEL reference.
"""

from __future__ import annotations

import collections
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "snapshot_registry.py"
SNAPSHOT = ROOT / "recipes" / "tasks_registry.json"


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("snapshot_registry", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def registry(script):
    return script.load_registry()


@pytest.fixture(scope="module")
def committed():
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def by_key(committed):
    return {(t["harness"], t["name"]): t for t in committed["tasks"]}


def _one(by_key, name, harness=None):
    hits = [t for (h, n), t in by_key.items() if n == name and (harness is None or h == harness)]
    assert len(hits) == 1, (name, harness, [t["harness"] for t in hits])
    return hits[0]


def _raw(registry, name, harness):
    return next(t for t in registry["tasks"] if t["name"] == name and t["harness"] == harness)


# (a) the committed file is up to date --------------------------------------------------------------

def test_committed_file_matches_installed_package(script, registry):
    assert SNAPSHOT.read_text(encoding="utf-8") == script.render(script.build_snapshot(registry)), (
        "recipes/tasks_registry.json is stale: run python scripts/snapshot_registry.py")


def test_check_flag_exits_zero_when_up_to_date():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_layout_is_one_task_per_line(committed):
    text = SNAPSHOT.read_text(encoding="utf-8")
    assert text.endswith("]}\n")
    assert len(text.splitlines()) == committed["num_tasks"] + 2
    keys = [(t["harness"], t["name"]) for t in committed["tasks"]]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


# (b) size -------------------------------------------------------------------------------------------

def test_counts(committed, registry):
    assert committed["nel_version"] == "0.2.6"
    assert committed["num_tasks"] == len(committed["tasks"]) == 421
    assert len({t["harness"] for t in committed["tasks"]}) == 23
    assert committed["mapping_toml_checksum"] == registry["metadata"]["mapping_toml_checksum"]
    assert registry["metadata"]["num_tasks"] == 421 and registry["metadata"]["num_harnesses"] == 23


def test_task_shape(committed):
    for t in committed["tasks"]:
        assert set(t) == {"name", "harness", "container", "endpoint_types", "capabilities",
                          "params", "extra_params", "defaults", "param_defaults", "endpoint_defaults"}, t["name"]
        assert set(t["defaults"]) == {"parallelism", "repeats", "use_sandbox", "judge", "user",
                                      "limit_samples", "target_stream"}, t["name"]
        assert t["params"] == sorted(t["params"]) and t["extra_params"] == sorted(t["extra_params"])
        assert t["endpoint_types"], t["name"]


# (c) spot checks derived from the installed package at test time -----------------------------------

@pytest.mark.parametrize("harness,name", [
    ("nemo_skills", "ns_gpqa"), ("AA-LCR", "aa_lcr"), ("tau2_bench", "tau2_bench_telecom"),
    ("lm-evaluation-harness", "mmlu"), ("simple_evals", "mmlu"), ("codec", "ifeval"),
])
def test_params_come_from_nemo_evaluator(registry, by_key, harness, name):
    from nemo_evaluator.core.utils import extract_params_from_command

    raw = _raw(registry, name, harness)
    std, extra = extract_params_from_command(raw["defaults"]["command"])
    entry = by_key[(harness, name)]
    assert entry["params"] == sorted(std)
    assert entry["extra_params"] == sorted(extra)
    assert entry["endpoint_types"] == raw["defaults"]["config"]["supported_endpoint_types"]
    containers = {h["name"]: h["container"] for h in registry["harnesses"]}
    assert entry["container"] == containers[harness]


def test_every_task_has_its_harness_container(registry, committed):
    containers = {h["name"]: h["container"] for h in registry["harnesses"]}
    assert {t["container"] for t in committed["tasks"]} == set(containers.values())
    for t in committed["tasks"]:
        assert t["container"] == containers[t["harness"]]


# (d) known facts from the NEL reference -------------------------------------------------------------

def test_aa_lcr_has_a_judge(by_key):
    judge = _one(by_key, "aa_lcr", "AA-LCR")["defaults"]["judge"]
    assert judge is not None and judge["api_key"] == "JUDGE_API_KEY"
    assert judge["url"] and judge["model_id"]


def test_tau2_bench_telecom_has_a_user_simulator(by_key):
    t = _one(by_key, "tau2_bench_telecom")
    assert t["defaults"]["user"] is not None and t["defaults"]["user"]["url"]
    assert t["defaults"]["judge"] is None  # its judge block says enabled: false


def test_nemo_skills_judge_follows_judge_support(by_key):
    assert _one(by_key, "ns_gpqa")["defaults"]["judge"] is None
    assert _one(by_key, "ns_hle_aa")["defaults"]["judge"] is not None


@pytest.mark.parametrize("name", ["mmlu", "mmlu_pro", "ifeval", "humaneval", "gpqa_diamond", "hle", "ifbench", "scicode"])
def test_ambiguous_short_names(committed, name):
    harnesses = {t["harness"] for t in committed["tasks"] if t["name"] == name}
    assert len(harnesses) > 1, (name, harnesses)


def test_first_endpoint_types(committed):
    first = collections.Counter(t["endpoint_types"][0] for t in committed["tasks"])
    assert first["vlm"] == 7
    assert first["embedding"] == 20


def test_recipe_json_copies_are_current():
    """recipes/*.json are what scripts/build_recipes.py makes from recipes/*.yaml."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    proc = subprocess.run([sys.executable, str(root / "scripts" / "build_recipes.py"), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
