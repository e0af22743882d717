"""Benchmark resolution, judges, tokenizers, endpoints, parallelism and the final task check."""

from __future__ import annotations

import re

import pytest

from nelc.knowledge.files import data_file as recipe
from nelc.envfile import required_env
from nelc.knowledge import same_task
from tests.helpers import compile_text, config_of

CHAT = "model: Qwen/Qwen3-8B\nmodel_type: chat_reasoning\n"
BASE = "model: Qwen/Qwen3-8B-Base\nmodel_type: base\n"
JUDGE = "judge: {url: 'https://j/v1/chat/completions', model_id: q, api_key_name: MY_JUDGE_KEY}\n"
USER = "user_simulator: {url: 'https://u/v1/chat/completions', model_id: q}\n"


def _tasks(result):
    return config_of(result)["evaluation"]["tasks"]


RECIPES = [(set_name, name) for set_name, raw in recipe("benchmarks")["recipe_sets"].items() for name in raw["recipes"]]


@pytest.mark.parametrize("set_name,name", RECIPES)
def test_each_recipe_emits_its_fragment(tmp_path, set_name, name):
    """Every key of the recipe's fragment, in its recipe set, reaches the emitted task (placeholders filled)."""
    raw = recipe("benchmarks")["recipe_sets"][set_name]["recipes"][name]
    extra = (JUDGE if "judge" in raw.get("needs", []) else "") + (USER if "user_simulator" in raw.get("needs", []) else "")
    (task,) = _tasks(compile_text(tmp_path, CHAT + f"recipes: {set_name}\nbenchmarks: [{name}]\n" + extra))
    fragment = raw["task"]

    def contains(emitted, expected, path=""):
        for key, value in expected.items():
            assert key in emitted, f"{name}: {path}{key} missing"
            if isinstance(value, dict):
                contains(emitted[key], value, f"{path}{key}.")
            elif not (isinstance(value, str) and value.startswith("<")) and not (key == "api_key" and path.endswith(("judge.", "user."))):
                assert emitted[key] == value, f"{name}: {path}{key}"
    contains(task, {k: v for k, v in fragment.items() if k != "env_vars"})
    assert "???" not in str(task) and "<" not in str(task.get("nemo_evaluator_config"))


@pytest.mark.parametrize("model_type,bundle", [(mt, b) for mt, bs in recipe("benchmarks")["bundles"].items() for b in bs])
def test_each_bundle_lists_nels_tasks(tmp_path, model_type, bundle):
    spec = (CHAT if model_type == "chat_reasoning" else BASE) + f"benchmarks: [{bundle}]\n" + (USER if bundle == "agentic" else "")
    names = [t["name"] for t in _tasks(compile_text(tmp_path, spec))]
    expected = [t["name"] for t in recipe("benchmarks")["bundles"][model_type][bundle]]
    assert len(names) == len(expected) and all(same_task(a, b) for a, b in zip(names, expected))


def test_bundle_tasks_with_a_recipe_run_the_recipes_fragment(tmp_path):
    """The skill's Step 5: core_reasoning's ns_gpqa (5 repeats in NEL's bundle) runs the gpqa recipe."""
    for set_name, repeats in (("modelopt-2026.05", 32), ("modelopt-2026.08", 16)):
        tasks = _tasks(compile_text(tmp_path, CHAT + f"recipes: {set_name}\nbenchmarks: [core_reasoning]\n"))
        (gpqa,) = [t for t in tasks if same_task(t["name"], "ns_gpqa")]
        assert gpqa["nemo_evaluator_config"]["config"]["params"]["extra"]["num_repeats"] == repeats


def test_bundles_match_nels_templates():
    """recipes/benchmarks.yaml copies NEL 0.2.6's bundle templates; guard against drift."""
    from importlib import resources

    import yaml

    root = resources.files("nemo_evaluator_launcher.resources.config_templates.evaluation")
    for model_type, bundles in recipe("benchmarks")["bundles"].items():
        for bundle, tasks in bundles.items():
            template = yaml.safe_load(root.joinpath(model_type).joinpath(f"{bundle}.yaml").read_text())
            assert tasks == template["evaluation"]["tasks"], f"{model_type}/{bundle}"


def test_recipe_wins_over_bundle_and_keeps_first_place(tmp_path):
    tasks = _tasks(compile_text(tmp_path, CHAT + "benchmarks: [core_reasoning, gpqa]\n"))
    gpqa = [t for t in tasks if t["name"] == "ns_gpqa"]
    assert len(gpqa) == 1 and [t["name"] for t in tasks].index("ns_gpqa") == 1
    assert gpqa[0]["nemo_evaluator_config"]["config"]["params"]["extra"]["num_repeats"] == 16


def test_harness_qualified_and_short_names_collapse(tmp_path):
    tasks = _tasks(compile_text(tmp_path, CHAT + "benchmarks: [mmlu_pro, ns_mmlu_pro]\n"))
    assert [t["name"] for t in tasks] == ["nemo_skills.ns_mmlu_pro"]


@pytest.mark.parametrize("alias,model_type,first", [("standard", "base", "adlr_mmlu_pro_5_shot_base"),
                                                    ("code", "chat_reasoning", "ns_mmlu_pro"),
                                                    ("multilingual", "base", "adlr_global_mmlu_lite_5_shot")])
def test_old_bundle_names_map_with_a_note(tmp_path, alias, model_type, first):
    result = compile_text(tmp_path, (CHAT if model_type == "chat_reasoning" else BASE) + f"benchmarks: [{alias}]\n")
    assert same_task(_tasks(result)[0]["name"], first)
    assert any(d.code == "R165" and "0.2.2" in d.message for d in result.diagnostics)


def test_safety_alias_is_an_error_with_a_hint(tmp_path):
    result = compile_text(tmp_path, CHAT + "benchmarks: [safety]\n")
    (diag,) = [d for d in result.diagnostics if d.is_error]
    assert "garak" in diag.message


def test_judge_is_wired_by_name_and_never_by_value(tmp_path):
    (task,) = _tasks(compile_text(tmp_path, CHAT + "benchmarks: [aa_lcr]\n" + JUDGE))
    judge = task["nemo_evaluator_config"]["config"]["params"]["extra"]["judge"]
    assert judge == {"model_id": "q", "url": "https://j/v1", "api_key": "MY_JUDGE_KEY"}  # nemo-skills ns_aa_lcr: /v1 base
    assert task["env_vars"]["MY_JUDGE_KEY"] == "host:MY_JUDGE_KEY"
    assert "JUDGE_API_KEY" not in task["env_vars"]  # the recipe's default name was replaced


def test_mtbench_judge_key_field(tmp_path):
    # MT-Bench's judge must be named gpt-4 (L135)
    judge = re.sub(r"model_id: [^,}]+", "model_id: gpt-4", JUDGE)
    (task,) = _tasks(compile_text(tmp_path, CHAT + "benchmarks: [mtbench.mtbench]\n" + judge))
    assert task["nemo_evaluator_config"]["config"]["params"]["extra"]["judge"]["api_key_name"] == "MY_JUDGE_KEY"


def test_judge_on_a_run_without_judge_tasks_warns(tmp_path):
    result = compile_text(tmp_path, CHAT + "benchmarks: [ns_gpqa]\n" + JUDGE)
    assert any(d.code == "R166" and d.severity.value == "warning" for d in result.diagnostics)


@pytest.mark.parametrize("recipes,bench,minimum", [("modelopt-2026.08", "scicode", 65536), ("modelopt-2026.08", "aa_lcr", 196608),
                                                    ("modelopt-2026.05", "aa_lcr", 131072)])
def test_recipe_minimum_context_raises_the_fallback(tmp_path, recipes, bench, minimum):
    extra = config_of(compile_text(tmp_path, CHAT + f"recipes: {recipes}\nbenchmarks: [{bench}]\n" + JUDGE))["deployment"]["extra_args"]
    assert f"--max-model-len {minimum}" in extra


def test_the_2026_05_aa_lcr_floor_overflows_and_generation_is_capped_with_a_warning(tmp_path):
    """Upstream ed8a9ab: ~120K input plus AA-LCR's 16384 registry generation overflow 131072; nelc caps and says so."""
    result = compile_text(tmp_path, CHAT + "recipes: modelopt-2026.05\nbenchmarks: [aa_lcr]\n" + JUDGE)
    (task,) = _tasks(result)
    assert task["nemo_evaluator_config"]["config"]["params"]["max_new_tokens"] == 131072 - 120000
    assert any(d.code == "R207" and "capped from 16384" in d.message for d in result.diagnostics)


def test_recipe_minimum_beyond_the_model_is_an_error(tmp_path):
    import json
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "config.json").write_text(json.dumps({"max_position_embeddings": 32768}))
    result = compile_text(tmp_path, "model: ./ckpt\nmodel_type: chat_reasoning\nbenchmarks: [scicode]\n")
    assert any(d.code == "R205" and d.is_error and "65536" in d.message for d in result.diagnostics)


# (id, the model's window, benchmarks, the benchmarks R205 must name, one error each)
TOO_SHORT = [
    ("both-long-tasks", 40960, "[aa_lcr, scicode, gpqa]", ["aa_lcr", "scicode"]),
    ("only-aa-lcr", 131072, "[aa_lcr, scicode]", ["aa_lcr"]),
    ("all-fit", 262144, "[aa_lcr, scicode]", []),
]


@pytest.mark.parametrize("window,benchmarks,expected", [c[1:] for c in TOO_SHORT], ids=[c[0] for c in TOO_SHORT])
def test_every_benchmark_beyond_the_model_is_reported_in_one_compile(tmp_path, window, benchmarks, expected):
    import json
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "config.json").write_text(json.dumps({"max_position_embeddings": window}))
    result = compile_text(tmp_path, f"model: ./ckpt\nmodel_type: chat_reasoning\nbenchmarks: {benchmarks}\n" + JUDGE)
    errors = [d for d in result.diagnostics if d.code == "R205" and d.is_error]
    assert [d.message.split(" ", 1)[0] for d in errors] == expected
    assert all(f"this model has {window}" in d.message and d.hint.startswith("drop ") for d in errors)


def test_tokenizer_only_where_a_task_needs_it(tmp_path):
    tasks = _tasks(compile_text(tmp_path, BASE + "benchmarks: [adlr_gsm8k_cot_8_shot, simple_evals.mmlu]\n"))
    assert tasks[0]["nemo_evaluator_config"]["config"]["params"]["extra"]["tokenizer"] == "Qwen/Qwen3-8B-Base"
    assert "nemo_evaluator_config" not in tasks[1]


def test_each_harness_gets_its_own_tokenizer_backend_name(tmp_path):
    # RULER raises "Unknown tokenizer_type huggingface"; lm-eval loads nothing with "hf"
    tasks = _tasks(compile_text(tmp_path, BASE + "benchmarks: [arc_challenge, ruler-4k-completions]\n"))
    assert [t["nemo_evaluator_config"]["config"]["params"]["extra"]["tokenizer_backend"] for t in tasks] == ["huggingface", "hf"]


def test_rulers_filled_prompts_cap_max_new_tokens(tmp_path):
    # ruler-512k fills prompts to 512000 tokens less its 30-token budget; 65536 more would overflow 524288
    result = compile_text(tmp_path, "model: Qwen/Qwen3-8B\nmodel_type: chat_reasoning\nbenchmarks: [ruler-512k-chat]\n")
    (task,) = _tasks(result)
    capped = task["nemo_evaluator_config"]["config"]["params"]["max_new_tokens"]
    assert capped == 524288 - (512000 - 30) and any(d.code == "R207" and "capped" in d.message for d in result.diagnostics)
    assert not [d for d in result.diagnostics if d.code == "L122"]


def test_tokenizer_unknown_for_a_checkpoint_is_an_error_the_spec_can_fix(tmp_path):
    (tmp_path / "ckpt").mkdir()
    result = compile_text(tmp_path, "model: ./ckpt\nmodel_type: base\nbenchmarks: [adlr_gsm8k_cot_8_shot]\n")
    assert any(d.code == "R167" and d.is_error and "tokenizer:" in d.hint for d in result.diagnostics)
    fixed = compile_text(tmp_path, "model: ./ckpt\nmodel_type: base\ntokenizer: meta-llama/Llama-3.1-8B\nbenchmarks: [adlr_gsm8k_cot_8_shot]\n")
    assert _tasks(fixed)[0]["nemo_evaluator_config"]["config"]["params"]["extra"]["tokenizer"] == "meta-llama/Llama-3.1-8B"


def test_vlm_tasks_get_a_route_and_embeddings_need_a_server_that_serves_them(tmp_path):
    config = config_of(compile_text(tmp_path, CHAT + "benchmarks: [vlmevalkit.ai2d_judge]\n"))
    assert config["evaluation"]["tasks"][0]["endpoint_type"] == "chat"
    embedding = next(t for t in __import__("nelc.knowledge", fromlist=["all_tasks"]).all_tasks() if t.endpoint_type == "embedding")
    result = compile_text(tmp_path, CHAT + f"backend: sglang\nbenchmarks: [{embedding.qualified}]\n")
    assert any(d.code == "R168" and d.is_error for d in result.diagnostics)


def test_completions_task_on_a_chat_url_warns(tmp_path):
    spec = "model: m\nmodel_type: base\nbackend: none\nbenchmarks: [adlr_gsm8k_cot_8_shot]\n" \
           "endpoint: {url: 'https://e/v1/chat/completions', model_id: m}\n" \
           "overrides: {evaluation: {nemo_evaluator_config: {config: {params: {extra: {tokenizer: org/m}}}}}}\n"
    result = compile_text(tmp_path, spec)
    assert any(d.code == "R168" and "completions" in d.message for d in result.diagnostics)


def test_tau2_needs_a_tool_call_parser(tmp_path):
    result = compile_text(tmp_path, "model: acme/unknown\nmodel_type: chat_reasoning\nbenchmarks: [tau2_bench_telecom]\n" + USER)
    assert any(d.code == "L125" and "--tool-call-parser" in d.hint for d in result.diagnostics if d.is_error)
    assert any("tau2_bench_telecom drives the model" in d.message for d in result.diagnostics)


@pytest.mark.parametrize("recipes,expected", [("modelopt-2026.05", [4, 4, 16]),  # ns_gpqa: the base template's 16
                                              ("modelopt-2026.08", [16, 8, 16])])  # ns_aa_lcr: one per repeat; scicode's own 8
def test_judge_and_code_tasks_start_conservative_but_recipes_keep_theirs(tmp_path, recipes, expected):
    tasks = _tasks(compile_text(tmp_path, CHAT + f"recipes: {recipes}\nbenchmarks: [aa_lcr, scicode, ns_gpqa]\n" + JUDGE))
    parallelism = [t.get("nemo_evaluator_config", {}).get("config", {}).get("params", {}).get("parallelism") for t in tasks]
    assert parallelism == expected


def test_repeats_starving_concurrency_warns_until_the_spec_raises_parallelism(tmp_path):
    result = compile_text(tmp_path, CHAT + "recipes: modelopt-2026.05\nbenchmarks: [gpqa]\n")
    assert any(d.code == "R197" and "32 repeats" in d.message for d in result.diagnostics)
    for tuned in ("recipes: modelopt-2026.05\nbenchmarks: [{name: gpqa, params: {parallelism: 64}}]\n",
                  "recipes: modelopt-2026.05\nbenchmarks: [gpqa]\noverrides: {evaluation: {tasks: [{name: ns_gpqa, nemo_evaluator_config: "
                  "{config: {params: {parallelism: 64}}}}]}}\n"):
        assert not any(d.code == "R197" for d in compile_text(tmp_path, CHAT + tuned).diagnostics)


def test_unused_parameter_is_a_warning_and_an_error_under_strict(tmp_path):
    from nelc.pipeline import compile_spec

    text = CHAT + "benchmarks: [ns_gpqa]\noverrides: {evaluation: {tasks: [{name: ns_gpqa, nemo_evaluator_config: {config: {params: {max_retries: 3}}}}]}}\n"
    result = compile_text(tmp_path, text)
    assert result.ok and any(d.code == "R195" and d.severity.value == "warning" for d in result.diagnostics)
    strict = compile_spec(text.encode(), tmp_path / "spec.yaml", "spec.yaml", strict=True)
    assert not strict.ok and any(d.code == "R195" and d.is_error for d in strict.diagnostics)


def test_recipe_parameters_kept_for_fidelity_are_notes(tmp_path):
    result = compile_text(tmp_path, CHAT + "recipes: modelopt-2026.05\nbenchmarks: [aime2025]\n")
    notes = [d for d in result.diagnostics if d.code == "R195"]
    assert notes and all(d.severity.value == "note" for d in notes)


def test_env_example_lists_every_needed_name_and_no_values(tmp_path):
    result = compile_text(tmp_path, CHAT + "benchmarks: [aa_lcr, tau2_bench_telecom]\n" + JUDGE + USER)
    needs = required_env(config_of(result))
    assert {"HF_TOKEN", "MY_JUDGE_KEY", "USER_API_KEY"} <= set(needs)
    assert "DUMMY_API_KEY" not in needs  # declared lit:dummy in the config
    assert any("aa_lcr" in who for who in needs["MY_JUDGE_KEY"])


def test_zero_parallelism_is_an_error_and_a_replaced_interceptor_is_said(tmp_path):
    result = compile_text(tmp_path, CHAT + "recipes: modelopt-2026.05\nbenchmarks: [gpqa, {name: ns_ifbench, params: {parallelism: 0}}]\n"
                                           "interceptors: {params_to_remove: [top_k]}\n")
    assert any(d.code == "R197" and "ns_ifbench: parallelism 0" in d.message for d in result.diagnostics if d.is_error)
    assert any(d.code == "R198" and "interceptors.params_to_remove is replaced" in d.message for d in result.diagnostics)
