"""Comparable runs (issue 15): `nelc diff`, the evaluation fingerprint, a baseline compiled from the
same spec, and `nelc compare` of two finished runs."""

from __future__ import annotations

import copy
import json
import math
import os
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from nelc.cli import main
from nelc.compare import differences, fingerprint, recipe_set_of
from tests.golden import GOLDEN, cases
from tests.helpers import compile_text

RUNS = Path(__file__).parent / "runs"
COMPILED = [case for case in cases() if (case / "expected.yaml").exists()]


def _load(path: Path) -> tuple[dict, str | None]:
    text = path.read_text()
    return yaml.safe_load(text), recipe_set_of(text)


# ----- the fingerprint -------------------------------------------------------------------------------
@pytest.mark.parametrize("case", COMPILED, ids=lambda p: p.name)
def test_the_header_fingerprint_is_the_files_own(case):
    text = (case / "expected.yaml").read_text()
    written = re.search(r"^# fingerprint (sha256:[0-9a-f]{16}) ", text, re.MULTILINE).group(1)
    assert written == fingerprint(*_load(case / "expected.yaml"))
    out = CliRunner().invoke(main, ["fingerprint", str(case / "expected.yaml")])
    assert out.exit_code == 0 and out.stdout.split()[0] == written


def _mutations(tree, path=()):
    """Every leaf of a config, changed in a type-keeping way."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _mutations(value, (*path, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from _mutations(value, (*path, index))
    elif isinstance(tree, bool):
        yield path, not tree
    elif isinstance(tree, (int, float)):
        yield path, tree + 1
    elif isinstance(tree, str) and not path[:1] == ("defaults",):
        yield path, tree + "x"


@pytest.mark.parametrize("name", ["baseline-nvfp4-vs-bf16", "judge-url-forms", "slurm-vllm-handle", "local-vllm-base-checkpoint",
                                  "recipe-aa-lcr"])
def test_equal_fingerprints_exactly_when_nothing_breaks_comparability(name):
    """Changing any one leaf changes the fingerprint if and only if `nelc diff` says it breaks comparability."""
    config, recipes = _load(GOLDEN / name / "expected.yaml")
    checked = 0
    for path, value in _mutations(config):
        changed = copy.deepcopy(config)
        node = changed
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        _, breaks = differences(config, recipes, changed, recipes)
        assert (fingerprint(changed, recipes) != fingerprint(config, recipes)) == bool(breaks), (path, breaks)
        checked += 1
    assert checked > 20


# ----- nelc diff -----------------------------------------------------------------------------------------
def test_a_baseline_and_its_candidate_are_comparable_and_differ_only_in_the_model():
    for name in ("baseline-nvfp4-vs-bf16", "baseline-native-mxfp4"):
        out = CliRunner().invoke(main, ["diff", str(GOLDEN / name / "expected.yaml"), str(GOLDEN / name / "expected.baseline.yaml"),
                                        "--format", "json"])
        data = json.loads(out.stdout)
        assert out.exit_code == 0 and data["comparable"] and data["breaks_comparability"] == []
        assert data["a"]["fingerprint"] == data["b"]["fingerprint"]
        assert {d["why"] for d in data["expected"]} <= {"the model", "served name", "operational or the model's own endpoint"}


def test_repeats_that_differ_break_comparability_exactly_as_committed(update_goldens):
    folder = GOLDEN / "pair-gpqa-32-repeats"
    here = os.getcwd()
    try:
        os.chdir(folder)  # relative paths, so diff.txt does not depend on the clone's location
        out = CliRunner().invoke(main, ["diff", "../pair-gpqa-16-repeats/expected.yaml", "expected.yaml"])
    finally:
        os.chdir(here)
    assert out.exit_code == 1
    if update_goldens:
        (folder / "diff.txt").write_text(out.stdout)
    assert out.stdout == (folder / "diff.txt").read_text()
    breaks = out.stdout.split("breaks comparability")[1]
    assert "config.params.extra.num_repeats: 16 -> 32  (repeats)" in breaks and breaks.count("\n  ") == 1


def test_diff_of_two_specs_compiles_them_offline(tmp_path):
    (tmp_path / "a.nelc.yaml").write_text("model: Qwen/Qwen3-8B\nmodel_type: chat_reasoning\nbenchmarks: [gpqa]\n")
    (tmp_path / "b.nelc.yaml").write_text("model: Qwen/Qwen3-8B\nmodel_type: chat_reasoning\nrecipes: modelopt-2026.05\nbenchmarks: [gpqa]\n")
    out = CliRunner().invoke(main, ["diff", str(tmp_path / "a.nelc.yaml"), str(tmp_path / "b.nelc.yaml")])
    assert out.exit_code == 1 and "recipes: modelopt-2026.08 -> modelopt-2026.05" in out.stdout


@pytest.mark.parametrize("content", [None, "a: [unclosed\n", "just: a mapping\n"])
def test_diff_of_what_is_not_a_config_is_an_error(tmp_path, content):
    b = tmp_path / "b.yaml"
    if content is not None:
        b.write_text(content)
    out = CliRunner().invoke(main, ["diff", str(GOLDEN / "recipe-gpqa" / "expected.yaml"), str(b)])
    assert out.exit_code == 2 and "Traceback" not in out.output


# ----- a baseline from the same spec -------------------------------------------------------------------------
def _checkpoint(root: Path, name: str, **config) -> None:
    (root / name).mkdir()
    (root / name / "config.json").write_text(json.dumps({"model_type": "qwen3", "architectures": ["Qwen3ForCausalLM"],
                                                         "torch_dtype": "bfloat16", **config}))


def test_baseline_needs_an_output_file_and_writes_both(tmp_path):
    _checkpoint(tmp_path, "cand", max_position_embeddings=40960, quantization_config={"quant_method": "modelopt", "quant_algo": "FP8"})
    _checkpoint(tmp_path, "base", max_position_embeddings=32768)
    (tmp_path / "spec.yaml").write_text("model: ./cand\nmodel_type: chat_reasoning\nbenchmarks: [gpqa]\n")
    runner = CliRunner()
    assert runner.invoke(main, ["compile", str(tmp_path / "spec.yaml"), "--baseline", "./base"]).exit_code == 2
    out = runner.invoke(main, ["compile", str(tmp_path / "spec.yaml"), "--baseline", "./base", "-o", str(tmp_path / "run.yaml")])
    assert out.exit_code == 0, out.output
    candidate, baseline = (tmp_path / "run.yaml").read_text(), (tmp_path / "run.baseline.yaml").read_text()
    assert "# baseline ./base: precision BF16" in candidate and "# baseline for ./cand: precision BF16" in baseline
    for text in (candidate, baseline):  # the same context for both: the shorter one
        assert "--max-model-len 32768" in yaml.safe_load(text)["deployment"]["extra_args"]
    assert runner.invoke(main, ["diff", str(tmp_path / "run.yaml"), str(tmp_path / "run.baseline.yaml")]).exit_code == 0


def test_a_baseline_that_would_not_be_comparable_is_refused(tmp_path):
    _checkpoint(tmp_path, "cand", max_position_embeddings=40960)
    _checkpoint(tmp_path, "base", max_position_embeddings=40960)
    (tmp_path / "base" / "generation_config.json").write_text(json.dumps({"do_sample": True, "temperature": 0.9}))
    result = compile_text(tmp_path, "model: ./cand\nbaseline: ./base\nmodel_type: chat_reasoning\nbenchmarks: [gpqa]\n")
    from nelc.pipeline import compile_with_baseline

    pair = compile_with_baseline((tmp_path / "spec.yaml").read_bytes(), tmp_path / "spec.yaml", "spec.yaml")
    assert not pair.ok and result.ok  # the candidate alone compiles
    (refusal,) = [d for d in pair.diagnostics if d.code == "C001"]
    assert "temperature: 0.6 vs 0.9" in refusal.message and refusal.line == 2


# ----- nelc compare of finished runs ---------------------------------------------------------------------------
def test_compare_prints_deltas_with_their_stderr_for_comparable_valid_runs():
    out = CliRunner().invoke(main, ["compare", str(RUNS / "compare-bf16-baseline"), str(RUNS / "compare-nvfp4-candidate"),
                                    "--format", "json"])
    data = json.loads(out.stdout)
    assert out.exit_code == 0 and data["comparable"]
    gpqa = next(row for row in data["deltas"] if row["task"] == "ns_gpqa")
    assert gpqa["delta"] == pytest.approx(63.9 - 65.2) and gpqa["delta_stderr"] == pytest.approx(math.hypot(1.2, 1.3))
    assert gpqa["recovery"] == pytest.approx(63.9 / 65.2)
    text = CliRunner().invoke(main, ["compare", str(RUNS / "compare-bf16-baseline"), str(RUNS / "compare-nvfp4-candidate")])
    assert f"recovery B / A {63.9 / 65.2:.1%}" in text.stdout


def _report(name, score, metric="results.x.value", stderr=None):
    from nelc.runner.report import TaskReport
    return TaskReport(name=name, folder="", score=score, metric=metric, stderr=stderr)


# (A's tasks, B's tasks) -> what each row must say: every task of both runs has a row.
ROWS = [
    ([("t", 60.0)], [("t", 57.0)], {"t": "delta"}),
    ([("t", None)], [("t", 57.0)], {"t": "no score in A"}),
    ([("t", 0.61)], [("t", 58.0)], {"t": "different scales"}),
    ([("t", 60.0), ("u", 1.0)], [("t", 57.0)], {"t": "delta", "u": "not run in B"}),
    ([("t", 60.0)], [("t", 57.0), ("v", 3.0)], {"t": "delta", "v": "not run in A"}),
]


@pytest.mark.parametrize("a,b,want", ROWS)
def test_compare_lists_every_task_of_both_runs(a, b, want):
    from nelc.runner.compare import Comparison, deltas
    rows = {row["task"]: row for row in deltas(Comparison([_report(*t) for t in a], [_report(*t) for t in b]))}
    assert set(rows) == set(want)
    for task, what in want.items():
        assert ("delta" in rows[task]) if what == "delta" else what in rows[task]["not_comparable"]


def test_scores_from_different_paths_are_not_compared():
    from nelc.runner.compare import Comparison, deltas
    (row,) = deltas(Comparison([_report("t", 60.0, "results.a.value")], [_report("t", 59.0, "results.b.value")]))
    assert "different results.yml paths" in row["not_comparable"] and "delta" not in row


@pytest.mark.parametrize("b,reason", [("compare-nvfp4-more-repeats", "num_repeats: 32 -> 64"),
                                      ("dropped-samples", "is invalid")])
def test_compare_refuses_deltas_when_runs_are_not_comparable_or_not_valid(b, reason):
    out = CliRunner().invoke(main, ["compare", str(RUNS / "compare-bf16-baseline"), str(RUNS / b)])
    assert out.exit_code == 1 and reason in out.stdout and "B - A" not in out.stdout


def test_diff_and_compare_never_echo_a_secret(tmp_path):
    config = yaml.safe_load((GOLDEN / "baseline-nvfp4-vs-bf16" / "expected.yaml").read_text())
    token = "hf_" + "Q" * 30
    config["deployment"]["env_vars"] = {"HF_TOKEN": f"lit:{token}"}
    config["deployment"]["extra_args"] += " --api-key sk-" + "Z" * 30
    (tmp_path / "leaky.yaml").write_text(yaml.safe_dump(config))
    for fmt in ("text", "json"):
        out = CliRunner().invoke(main, ["diff", str(GOLDEN / "baseline-nvfp4-vs-bf16" / "expected.yaml"), str(tmp_path / "leaky.yaml"),
                                        "--format", fmt])
        assert out.exit_code in (0, 1) and token not in out.output and "Z" * 30 not in out.output


def test_a_pre_cmd_or_a_reused_cache_breaks_comparability():
    config, recipes = _load(GOLDEN / "baseline-nvfp4-vs-bf16" / "expected.yaml")
    for change in ({"deployment": {**config["deployment"], "pre_cmd": "sed -i s/x/y/ /checkpoint/tokenizer_config.json"}},
                   {"evaluation": {**config["evaluation"], "nemo_evaluator_config": {"target": {"api_endpoint": {"adapter_config": {
                       "use_caching": True, "reuse_cached_responses": True, "caching_dir": "/results/baseline-cache"}}}}}}):
        changed = {**config, **change}
        assert differences(config, recipes, changed, recipes)[1] and fingerprint(changed, recipes) != fingerprint(config, recipes)


def test_an_empty_env_mapping_compares_like_a_missing_one():
    """Precision env on one side only is expected, whether the other side writes `env_vars: {}` or nothing."""
    config, recipes = _load(GOLDEN / "baseline-nvfp4-vs-bf16" / "expected.yaml")
    assert config["deployment"]["env_vars"] == {}
    quantized = {**config, "deployment": {**config["deployment"], "env_vars": {"VLLM_USE_FLASHINFER_MOE_FP4": "lit:1"}}}
    expected, breaks = differences(config, recipes, quantized, recipes)
    assert breaks == [] and [d.why for d in expected] == ["precision-specific server env"]
