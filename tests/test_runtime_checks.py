"""Run-time truth: the effective per-task view (nelc.effective), the checks on it (L121-L127, in
lint and on every compile), and the upstream lessons they carry (issue 13)."""

from __future__ import annotations

from functools import lru_cache

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from nelc.cli import main
from nelc.effective import effective_tasks, server
from nelc.knowledge import lookup, quantization_advice, recipe_named, recipe_sets, same_task
from nelc.knowledge.files import data_file
from nelc.lint import lint_bytes
from tests.golden import cases
from tests.helpers import compile_text, config_of

CHAT = "model: Qwen/Qwen3-8B\nmodel_type: chat_reasoning\n"
JUDGE = "judge: {url: 'https://judge.example.com/v1', model_id: j, api_key_name: JUDGE_KEY}\n"
USER = "user_simulator: {url: 'https://sim.example.com/v1/chat/completions', model_id: u}\n"


def _lint(tmp_path, config: dict, *codes: str) -> list:
    text = yaml.safe_dump(config, sort_keys=False)
    (tmp_path / "run.yaml").write_text(text)
    return [d for d in lint_bytes(text.encode(), tmp_path / "run.yaml", "run.yaml").diagnostics if d.code in codes]


def _config(*tasks: dict, extra_args: str = "--max-model-len 131072", **evaluation) -> dict:
    return {"defaults": [{"execution": "local"}, {"deployment": "vllm"}, "_self_"],
            "deployment": {"served_model_name": "m", "extra_args": extra_args},
            "evaluation": {**evaluation, "tasks": list(tasks)}}


def _task(name: str, **params) -> dict:
    return {"name": name, "nemo_evaluator_config": {"config": {"params": params}}} if params else {"name": name}


# ----- the effective view -------------------------------------------------------------------------
def test_layers_win_in_nels_order_and_a_null_keeps_the_registry_default():
    shared = {"config": {"params": {"request_timeout": 3600, "max_new_tokens": 8192, "extra": {"n_samples": 9}}}}
    config = _config(_task("aa_lcr", max_new_tokens=None, extra={"judge": {"model_id": "x"}}), nemo_evaluator_config=shared)
    (lcr,) = effective_tasks(config)
    assert lcr.values["config.params.request_timeout"].layer == "evaluation" and lcr.get("config.params.request_timeout") == 3600
    # a task-level null wipes the evaluation value in NEL's merge; the container then keeps its default
    assert lcr.values["config.params.max_new_tokens"].layer == "registry" and lcr.get("config.params.max_new_tokens") == 16384
    assert lcr.get("config.params.extra.n_samples") == 9  # evaluation level over the registry's 3
    assert lcr.get("config.params.extra.judge.model_id") == "x" and lcr.get("config.params.extra.judge.max_new_tokens") == 1024
    assert lcr.get("target.api_endpoint.url") == "http://127.0.0.1:8000/v1/chat/completions"
    assert lcr.values["target.api_endpoint.model_id"].layer == "launcher" and lcr.get("target.api_endpoint.model_id") == "m"


def test_the_server_command_falls_back_to_nels_packaged_one():
    sglang = server({"defaults": [{"deployment": "sglang"}], "deployment": {"served_model_name": "m", "extra_args": "--context-length 8192"}})
    assert sglang.max_length == 8192 and "--served-model-name" in sglang.tokens and "m" in sglang.tokens
    custom = server({"defaults": [{"deployment": "vllm"}], "deployment": {"served_model_name": "m", "command": "vllm serve /c --max-model-len 4096"}})
    assert custom.max_length == 4096 and "--served-model-name" not in custom.tokens


def test_compile_task_view_names_layers_and_rules(tmp_path):
    (tmp_path / "spec.yaml").write_text(CHAT + "benchmarks: [aa_lcr]\n" + JUDGE)
    out = CliRunner().invoke(main, ["compile", str(tmp_path / "spec.yaml"), "--task", "ns_aa_lcr"])
    assert out.exit_code == 0, out.output
    assert "config.params.extra.num_repeats = 16  [task level" in out.stdout
    assert "R165 resolve-benchmarks" in out.stdout and "NEL 0.2.6 registry default of nemo_skills.ns_aa_lcr" in out.stdout
    missing = CliRunner().invoke(main, ["compile", str(tmp_path / "spec.yaml"), "--task", "ns_gpqa"])
    assert missing.exit_code == 2 and "its tasks: nemo_skills.ns_aa_lcr" in missing.stderr


def test_show_reads_a_config_on_disk(tmp_path):
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(_config(_task("aa_lcr"))))
    out = CliRunner().invoke(main, ["show", str(tmp_path / "run.yaml")])
    assert out.exit_code == 0 and "config.params.request_timeout = 600  [NEL 0.2.6 registry default of AA-LCR.aa_lcr]" in out.stdout


# ----- the checks: one failing and one passing row each ---------------------------------------------
JUDGED = {"extra": {"judge": {"url": "https://j.example/v1/chat/completions", "model_id": "x", "api_key": "K"}}}
CHECKS = [
    # code, failing config, passing config
    ("L121", _config(_task("ns_hle_aa", **JUDGED)),
     _config(_task("ns_hle_aa", extra={"judge": {"url": "https://j.example/v1", "model_id": "x", "api_key": "K"}}))),
    # tau2 removes /chat/completions itself (tau2/run.py:294-299): either form works, a path in neither is a warning
    ("L121", _config(_task("tau2_bench_telecom", extra={"user": {"url": "https://s.example/api", "model_id": "u", "api_key": "K"}}),
                     extra_args="--max-model-len 131072 --enable-auto-tool-choice --tool-call-parser hermes"),
     _config(_task("tau2_bench_telecom", extra={"user": {"url": "https://s.example/v1", "model_id": "u", "api_key": "K"}}),
             extra_args="--max-model-len 131072 --enable-auto-tool-choice --tool-call-parser hermes")),
    # AA-LCR's rstrip("/chat/completions") strips a set of characters (aa_lcr/main.py:113)
    ("L121", _config(_task("aa_lcr", extra={"judge": {"url": "https://gw.example.com/openai/chat/completions", "model_id": "j",
                                                      "api_key": "K"}}), extra_args="--max-model-len 196608"),
     _config(_task("aa_lcr", extra={"judge": {"url": "https://gw.example.com/openai/v1", "model_id": "j", "api_key": "K"}}),
             extra_args="--max-model-len 196608")),
    # simple-evals' judge backend decides: openai (the default) takes a /v1 base, generic posts to the URL as given
    ("L121", _config(_task("simple_evals.AIME_2025", extra={"judge": {"url": "https://j.example/v1", "model_id": "j", "api_key": "K",
                                                                    "backend": "generic"}})),
     _config(_task("simple_evals.AIME_2025", extra={"judge": {"url": "https://j.example/v1/chat/completions", "model_id": "j",
                                                              "api_key": "K", "backend": "generic"}}))),
    ("L122", _config(_task("aa_lcr")), _config(_task("aa_lcr"), extra_args="--max-model-len 196608")),
    ("L122", _config(_task("simple_evals.mmlu"), extra_args="--max-model-len 16384"),
     _config(_task("simple_evals.mmlu", max_new_tokens=4096), extra_args="--max-model-len 16384")),
    # simple-evals sends the cap as max_tokens (chat_completion_sampler.py:99): removing max_completion_tokens lifts nothing
    ("L122", _config(_task("simple_evals.mmlu", max_new_tokens=65536), extra_args="--max-model-len 16384",
                     nemo_evaluator_config={"target": {"api_endpoint": {"adapter_config": {"params_to_remove": ["max_completion_tokens"]}}}}),
     _config(_task("simple_evals.mmlu", max_new_tokens=65536), extra_args="--max-model-len 16384",
             nemo_evaluator_config={"target": {"api_endpoint": {"adapter_config": {"params_to_remove": ["max_tokens"]}}}})),
    # RULER fills its prompts to max_seq_length; max_new_tokens replaces its own 30-128 token budget
    ("L122", _config(_task("ruler-4k-completions", max_new_tokens=2048, extra={"tokenizer": "org/m", "tokenizer_backend": "hf"}),
                     extra_args="--max-model-len 4096"),
     _config(_task("ruler-4k-completions", extra={"tokenizer": "org/m", "tokenizer_backend": "hf"}), extra_args="--max-model-len 4096")),
    ("L122", _config(_task("ruler-128k-completions", extra={"tokenizer": "org/m", "tokenizer_backend": "hf"}),
                     extra_args="--max-model-len 65536"),
     _config(_task("ruler-128k-completions", extra={"tokenizer": "org/m", "tokenizer_backend": "hf", "max_seq_length": 64000}),
             extra_args="--max-model-len 65536")),
    # YAML's `true` is no length: a boolean max_seq_length is not read as a fill of 1, max_new_tokens is checked as for any task
    ("L122", _config(_task("ruler-4k-completions", max_new_tokens=8192, extra={"tokenizer": "org/m", "tokenizer_backend": "hf",
                                                                            "max_seq_length": True}), extra_args="--max-model-len 4096"),
     _config(_task("ruler-4k-completions", max_new_tokens=2048, extra={"tokenizer": "org/m", "tokenizer_backend": "hf",
                                                                     "max_seq_length": True}), extra_args="--max-model-len 4096")),
    # simple-evals' MathEval tasks fall back to a hard-coded hosted judge without a judge model_id (__main__.py:331-357)
    ("L130", _config(_task("simple_evals.AIME_2025_aa_v2")),
     _config(_task("simple_evals.AIME_2025_aa_v2", extra={"judge": {"url": "https://j.example/v1", "model_id": "j", "api_key": "K"}}))),
    ("L131", _config(_task("hle.hle_aa_v2")),
     {**_config({**_task("hle.hle_aa_v2"), "env_vars": {n: f"host:{n}" for n in ("OPENAI_TOKEN_URL", "OPENAI_CLIENT_ID")}}),
      "env_vars": {n: f"host:{n}" for n in ("OPENAI_CLIENT_SECRET", "OPENAI_SCOPE")}}),
    ("L132", _config(_task("ns_hle_aa", extra={"judge": {"url": "https://j.example/v1", "model_id": "us/azure/openai/gpt-5-mini",
                                                       "api_key": "K", "temperature": 0.6}})),
     _config(_task("ns_hle_aa", extra={"judge": {"url": "https://j.example/v1", "model_id": "us/azure/openai/gpt-4.1",
                                                 "api_key": "K", "temperature": 0.6}}))),
    # simple-evals' default judge backend and MT-Bench wait request_timeout before each retry (openai_judge.py:99, clients/openai.py:100)
    ("L133", _config(_task("simple_evals.AIME_2025", extra={"judge": {"url": "https://j.example/v1", "model_id": "j", "api_key": "K"}})),
     _config(_task("simple_evals.AIME_2025", extra={"judge": {"url": "https://j.example/v1", "model_id": "j", "api_key": "K",
                                                              "request_timeout": 10}}))),
    ("L133", _config(_task("mtbench", request_timeout=3600)), _config(_task("mtbench"))),
    # the generic judge backend's timeout is a per-request limit (common.py:728-730): 600 s there is no backoff
    ("L133", _config(_task("mtbench", extra={"judge": {"request_timeout": 600}})),
     _config(_task("simple_evals.AIME_2025", extra={"judge": {"url": "https://j.example/v1/chat/completions", "model_id": "j",
                                                              "api_key": "K", "backend": "generic"}}))),
    # MT-Bench writes result.json only for a judge named gpt-4 (render_result_json.py:48-53, output.py:10-12)
    ("L135", _config(_task("mtbench", extra={"judge": {"model_id": "judge-model"}})), _config(_task("mtbench"))),
    # MT-Bench's model client never gets max_tokens: every answer is capped at 1024 (mt_inference.py:74-81)
    ("L136", _config(_task("mtbench", max_new_tokens=16384)), _config(_task("mtbench", max_new_tokens=1024))),
    ("L122", _config(_task("mtbench", max_new_tokens=512), extra_args="--max-model-len 1024"),
     _config(_task("mtbench", max_new_tokens=65536), extra_args="--max-model-len 4096")),
    ("L123", _config(_task("aa_lcr", max_new_tokens=4096), extra_args="--max-model-len 196608"),
     _config(_task("aa_lcr", max_new_tokens=4096, request_timeout=3600), extra_args="--max-model-len 196608")),
    ("L124", _config(_task("ns_gpqa"), extra_args="--served-model-name other"), _config(_task("ns_gpqa"))),
    # BFCL's native-calling variants send tools (bfcl/model_handler/api_inference/openai.py:47,109); the plain ones parse text
    ("L125", _config(_task("bfclv3_ast")), _config(_task("bfclv3"))),
    ("L125", _config(_task("bfclv3", extra={"native_calling": True})), _config(_task("bfclv3_ast", extra={"native_calling": False}))),
    ("L125", _config(_task("tau2_bench_telecom")),
     _config(_task("tau2_bench_telecom"), extra_args="--enable-auto-tool-choice --tool-call-parser hermes")),
    ("L126", _config(_task("adlr_gsm8k_cot_8_shot", extra={"tokenizer": "/models/llama", "tokenizer_backend": "huggingface"})),
     {**_config(_task("adlr_gsm8k_cot_8_shot", extra={"tokenizer": "/models/llama", "tokenizer_backend": "huggingface"})),
      "execution": {"extra_docker_args": "-v /data/llama:/models/llama:ro"}}),
    ("L126", _config(_task("adlr_gsm8k_cot_8_shot")),
     _config(_task("adlr_gsm8k_cot_8_shot", extra={"tokenizer": "meta-llama/Llama-3.1-8B", "tokenizer_backend": "huggingface"}))),
    # RULER's own name for a Hugging Face tokenizer is hf (long_context_eval/data/tokenizer.py); lm-eval's is huggingface
    ("L128", _config(_task("ruler-4k-completions", extra={"tokenizer": "org/m", "tokenizer_backend": "huggingface"})),
     _config(_task("ruler-4k-completions", extra={"tokenizer": "org/m", "tokenizer_backend": "hf"}))),
    ("L128", _config(_task("arc_challenge", extra={"tokenizer": "org/m", "tokenizer_backend": "hf"})),
     _config(_task("arc_challenge", extra={"tokenizer": "org/m", "tokenizer_backend": "huggingface"}))),
    ("L128", _config(_task("arc_challenge", extra={"tokenizer": "org/m"})),  # the registry's "None" loads nothing
     _config(_task("arc_challenge", extra={"tokenizer": "org/m", "tokenizer_backend": "huggingface"}))),
]


@pytest.mark.parametrize("code,bad,good", CHECKS, ids=[f"{c[0]}-{i}" for i, c in enumerate(CHECKS)])
def test_each_check_fails_and_passes(tmp_path, code, bad, good):
    found = _lint(tmp_path, bad, code)
    assert found and all(d.hint for d in found), code
    assert _lint(tmp_path, good, code) == []


def test_a_backoff_timeout_gets_no_long_timeout_advice_and_no_3600_from_compile(tmp_path):
    # MT-Bench's request_timeout is its retry backoff: L123's 3600 s advice would make each retry wait 1-10 hours
    assert _lint(tmp_path, _config(_task("mtbench", max_new_tokens=16384)), "L123") == []
    assert _lint(tmp_path, _config(_task("mtbench", max_new_tokens=16384)), "L133") == []
    (tmp_path / "spec.yaml").write_text(CHAT + "benchmarks: [mtbench, simple_evals.mmlu]\n" + JUDGE.replace("model_id: j", "model_id: gpt-4"))
    out = CliRunner().invoke(main, ["compile", str(tmp_path / "spec.yaml"), "-o", str(tmp_path / "out.yaml")])
    assert out.exit_code == 0, out.output
    mtbench, mmlu = effective_tasks(yaml.safe_load((tmp_path / "out.yaml").read_text()))
    assert mtbench.get("config.params.request_timeout") == 30 and mmlu.get("config.params.request_timeout") == 3600
    assert mtbench.get("config.params.extra.judge.request_timeout") == 60  # the registry's, within the backoff limit
    assert "L133" not in out.output and "L123" not in out.output


def test_mtbench_gets_no_max_new_tokens_and_a_reasoning_model_a_warning(tmp_path):
    judge = JUDGE.replace("model_id: j", "model_id: gpt-4")
    (tmp_path / "spec.yaml").write_text(CHAT + "benchmarks: [mtbench, simple_evals.mmlu]\n" + judge)
    out = CliRunner().invoke(main, ["compile", str(tmp_path / "spec.yaml"), "-o", str(tmp_path / "out.yaml")])
    assert out.exit_code == 0, out.output
    mtbench, mmlu = effective_tasks(yaml.safe_load((tmp_path / "out.yaml").read_text()))
    assert mtbench.values["config.params.max_new_tokens"].layer == "registry" and mmlu.get("config.params.max_new_tokens") > 1024
    assert "warning[R207]" in out.output and "caps every answer at 1024 tokens" in out.output
    (tmp_path / "spec.yaml").write_text(CHAT + "benchmarks: [mtbench]\n" + JUDGE)  # a judge named j
    refused = CliRunner().invoke(main, ["compile", str(tmp_path / "spec.yaml"), "-o", str(tmp_path / "out2.yaml")])
    assert refused.exit_code == 1 and "error[L135]" in refused.output and not (tmp_path / "out2.yaml").exists()


def test_slurm_evaluation_mounts_make_a_tokenizer_path_loadable(tmp_path):
    config = _config(_task("adlr_gsm8k_cot_8_shot", extra={"tokenizer": "/nelc-checkpoint", "tokenizer_backend": "huggingface"}))
    config["defaults"][0] = {"execution": "slurm/default"}
    assert _lint(tmp_path, config, "L126")
    config["execution"] = {"mounts": {"evaluation": {"/lustre/ckpt": "/nelc-checkpoint"}}}
    assert _lint(tmp_path, config, "L126") == []


def test_the_url_form_fix_is_safe_and_only_where_the_task_writes_it(tmp_path):
    (fixed,) = _lint(tmp_path, _config(_task("ns_hle_aa", **JUDGED)), "L121")
    shared = _config(_task("ns_hle_aa"), nemo_evaluator_config={"config": {"params": JUDGED}})
    result = lint_bytes(yaml.safe_dump(shared).encode(), tmp_path / "run.yaml", "run.yaml")
    assert "write https://j.example/v1" in fixed.hint
    assert [d for d in result.diagnostics if d.code == "L121"] and not [f for d, f in result.fixes if d.code == "L121"]


def test_sampling_mode_needs_the_family_from_a_checkpoint(tmp_path):
    ckpt = tmp_path / "Qwen3-8B"
    ckpt.mkdir()
    (ckpt / "config.json").write_text(json.dumps({"model_type": "qwen3", "architectures": ["Qwen3ForCausalLM"]}))
    config = _config(_task("ns_gpqa"), nemo_evaluator_config={
        "config": {"params": {"temperature": 0.6, "top_p": 0.95}},
        "target": {"api_endpoint": {"adapter_config": {"params_to_add": {"chat_template_kwargs": {"enable_thinking": False}}}}}})
    config["deployment"]["checkpoint_path"] = str(ckpt)
    assert {d.message.split(":")[1].split()[0] for d in _lint(tmp_path, config, "L127")} == {"temperature", "top_p"}
    config["evaluation"]["nemo_evaluator_config"]["config"]["params"] = {"temperature": 0.7, "top_p": 0.8}
    assert _lint(tmp_path, config, "L127") == []


# ----- compile: the lessons, end to end --------------------------------------------------------------
def test_one_judge_url_goes_out_in_each_harnesss_form(tmp_path):
    spec = CHAT + "benchmarks: [ns_hle_aa, AA-LCR.aa_lcr, tau2_bench_telecom]\n" + JUDGE + USER
    tasks = {t["name"]: t for t in config_of(compile_text(tmp_path, spec))["evaluation"]["tasks"]}
    extra = {name: t["nemo_evaluator_config"]["config"]["params"]["extra"] for name, t in tasks.items()}
    assert extra["ns_hle_aa"]["judge"]["url"] == "https://judge.example.com/v1"
    # AA-LCR (aa_lcr/main.py:113) and tau2 (tau2/run.py:294-299) remove /chat/completions themselves: either form, kept
    assert extra["AA-LCR.aa_lcr"]["judge"]["url"] == "https://judge.example.com/v1"
    assert extra["tau2_bench_telecom"]["user"]["url"] == "https://sim.example.com/v1/chat/completions"
    mangled = compile_text(tmp_path, CHAT + "benchmarks: [AA-LCR.aa_lcr]\njudge: {url: 'https://gw.example.com/openai/chat/completions', "
                                            "model_id: j}\n")
    assert any(d.code == "R166" and d.is_error and "https://gw.example." in d.message for d in mangled.diagnostics)


def test_a_judge_url_of_unknown_form_is_refused_with_both_forms(tmp_path):
    result = compile_text(tmp_path, CHAT + "benchmarks: [ns_hle_aa]\njudge: {url: 'https://judge.example.com/api', model_id: j}\n")
    assert not result.ok
    (error,) = [d for d in result.diagnostics if d.code == "R166" and d.is_error]
    assert "/v1 base" in error.message and "/v1/chat/completions" in error.hint


def test_the_base_templates_params_reach_the_tasks_that_read_them(tmp_path):
    config = config_of(compile_text(tmp_path, CHAT + "recipes: modelopt-2026.05\nbenchmarks: [aa_lcr, ns_gpqa]\n" + JUDGE))
    (lcr, gpqa) = effective_tasks(config)
    assert lcr.get("config.params.request_timeout") == 3600 and lcr.get("config.params.max_retries") == 10
    assert "request_timeout" not in lookup("ns_gpqa").task.params and gpqa.get("config.params.parallelism") == 16


def test_hf_token_only_when_a_task_needs_it(tmp_path):
    plain = config_of(compile_text(tmp_path, CHAT + "benchmarks: [ifbench]\n"))
    gated = config_of(compile_text(tmp_path, CHAT + "benchmarks: [ifbench, gpqa]\n"))
    assert "HF_TOKEN" not in (plain["evaluation"].get("env_vars") or {})
    assert gated["evaluation"]["env_vars"]["HF_TOKEN"] == "host:HF_TOKEN"


@pytest.mark.parametrize("executor,where", [("local", "extra_docker_args"), ("slurm", "mounts")])
def test_a_local_base_checkpoint_lends_its_tokenizer_to_the_evaluation_container(tmp_path, executor, where):
    """The ModelOpt skill's own example: an FP8 Llama at ./path on MMLU and GSM8K (log-prob tasks)."""
    ckpt = tmp_path / "path"
    ckpt.mkdir()
    (ckpt / "config.json").write_text(json.dumps({"model_type": "llama", "max_position_embeddings": 131072,
                                                  "quantization_config": {"quant_method": "modelopt", "quant_algo": "FP8"}}))
    (ckpt / "tokenizer_config.json").write_text(json.dumps({"bos_token": "<|begin_of_text|>"}))
    slurm = ("executor: slurm\noutput_dir: /lustre/out\nslurm: {hostname: login.example.com, account: acct, username: me}\n"
             if executor == "slurm" else "")
    result = compile_text(tmp_path, "model: ./path\nmodel_type: base\nbenchmarks: [adlr_mmlu_pro_5_shot_base, adlr_gsm8k_cot_8_shot]\n" + slurm)
    config = config_of(result)
    for task in effective_tasks(config):
        assert task.get("config.params.extra.tokenizer") == "/nelc-checkpoint"
    if where == "extra_docker_args":
        assert f"-v {ckpt}:/nelc-checkpoint:ro" in config["execution"]["extra_docker_args"]
    else:
        assert config["execution"]["mounts"]["evaluation"] == {str(ckpt): "/nelc-checkpoint"}


def test_recipe_sets_agree_with_the_spec_choices_and_name_their_sources():
    from nelc.choices import RECIPE_SETS

    assert sorted(recipe_sets()) == sorted(RECIPE_SETS) and data_file("benchmarks")["default_recipe_set"] == max(RECIPE_SETS)
    for chosen in recipe_sets().values():
        assert chosen.skill and chosen.source and chosen.evaluation_params
        for recipe in chosen.recipes.values():
            assert lookup(recipe.task_name).task is not None, recipe.name  # only tasks NEL 0.2.6 has
    assert recipe_named("aa_lcr", "modelopt-2026.08").min_context == 196608  # upstream ed8a9ab
    assert recipe_named("aa_lcr", "modelopt-2026.05").min_context == 131072


def test_the_header_records_the_recipe_set(tmp_path):
    assert "# recipes modelopt-2026.08 (ModelOpt evaluation skill at NVIDIA/Model-Optimizer a2fbac7" in \
        compile_text(tmp_path, CHAT + "benchmarks: [gpqa]\n").yaml
    assert "# recipes modelopt-2026.05 (" in compile_text(tmp_path, CHAT + "recipes: modelopt-2026.05\nbenchmarks: [gpqa]\n").yaml


@pytest.mark.parametrize("recipe_set", sorted(data_file("quantization")["advice"]))
def test_quantization_advice_suggests_only_runnable_benchmarks(recipe_set):
    advice = quantization_advice(recipe_set)
    labels = {b.label for b in advice.sensitive}
    assert labels and all(b.why for b in advice.sensitive)
    for bench in advice.sensitive:
        for name in bench.suggest.values():
            assert recipe_named(name, recipe_set) is not None or lookup(name).task is not None, name
    known = {b.name for b in advice.sensitive} | set(advice.names)
    assert all(member in known for members in advice.use_cases.values() for member in members)


def test_quantization_advice_includes_good_to_add_and_use_case_sets(tmp_path):
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "config.json").write_text(json.dumps({"quantization_config": {"quant_method": "modelopt", "quant_algo": "NVFP4"},
                                                  "max_position_embeddings": 262144}))  # AA-LCR's 196608 fits: it is advised
    old = compile_text(tmp_path, "model: ./ckpt\nmodel_type: base\nrecipes: modelopt-2026.05\ntokenizer: org/t\n"
                                 "benchmarks: [lm-evaluation-harness.mmlu, lm-evaluation-harness.gsm8k]\n")
    notes = " ".join(d.message for d in old.diagnostics if d.code == "R201")
    assert "HumanEval (good to add" in notes and "Winogrande (good to add" in notes and "thorough evaluation: add" in notes
    new = compile_text(tmp_path, "model: ./ckpt\nmodel_type: chat_reasoning\nbenchmarks: [gpqa]\n")
    notes = " ".join(d.message for d in new.diagnostics if d.code == "R201")
    assert "AA-LCR (very high" in notes and "standard quant validation (text LLM): add SciCode, AA-LCR" in notes


# ----- evidence: the view equals what NEL writes and the container merges --------------------------
COMPILED = [case for case in cases() if (case / "expected.yaml").exists()]


@lru_cache(maxsize=None)
def _nels_task_defaults() -> dict:
    """NEL 0.2.6's packaged task mapping (1.3 MB of YAML), read once per process."""
    from importlib import resources

    registry = yaml.safe_load((resources.files("nemo_evaluator_launcher") / "resources" / "all_tasks_irs.yaml").read_text())
    return {(t["harness"], t["name"]): t["defaults"] for t in registry["tasks"]}


@pytest.mark.nel
@pytest.mark.parametrize("case", COMPILED, ids=lambda p: p.name)
def test_effective_view_equals_nels_config_ef_merged_as_the_container_does(case, golden_dry_run):
    """For every golden: the real `nel run --dry-run` writes each task's config_ef.yaml; nemo-evaluator's
    own deep_update (skip_nones, core/input.py:461-463) merges it over NEL's packaged task defaults;
    every value of nelc's offline view must be the merged value."""
    from nemo_evaluator.core.utils import deep_update

    defaults = _nels_task_defaults()
    result = golden_dry_run(case / "expected.yaml")
    assert result.returncode == 0 and result.config_efs
    views = effective_tasks(yaml.safe_load((case / "expected.yaml").read_text()))
    checked = 0
    for where, config_ef in result.config_efs.items():
        position = re.search(r"\.(\d+)/run\.sh$", where) or re.search(r"#(\d+)$", where)  # the task's index in the config
        view = views[int(position.group(1))]
        assert view.task.name == config_ef["config"]["type"].split(".")[-1]
        default = defaults[(view.task.harness, view.task.name)]
        merged = deep_update({"config": default.get("config") or {}, "target": default.get("target") or {}},
                             {"config": config_ef["config"], "target": config_ef["target"]}, skip_nones=True)
        for key, value in view.values.items():
            node = merged
            for part in key.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            expected = str(node) if hasattr(node, "isoformat") else node  # the snapshot keeps dates as text
            assert value.value == expected, f"{case.name} {view.name} {key}: nelc {value.value!r}, container {expected!r}"
            checked += 1
    assert checked


# ----- the adoption table (recipes/UPSTREAM.md) ----------------------------------------------------
UPSTREAM = (Path(__file__).resolve().parents[1] / "recipes" / "UPSTREAM.md").read_text()
ROWS = [line for line in UPSTREAM.splitlines() if re.match(r"^\| [0-9a-f]{9} \(", line)]
CHANGES = Path(__file__).resolve().parents[2] / "shared" / "reference" / "modelopt-upstream-a2fbac7" / "CHANGES-since-9ced018.txt"


def test_the_adoption_table_has_one_decided_row_per_upstream_commit():
    commits = [row.split()[1] for row in ROWS]
    assert len(commits) == len(set(commits)) == 23
    assert all(re.search(r"\*\*(Adopted|Already|Rejected|Partly adopted)", row) for row in ROWS)
    if CHANGES.exists():  # the reference checkout sits beside the repository on the team's machines
        assert set(commits) == set(re.findall(r"^commit ([0-9a-f]{9}) ", CHANGES.read_text(), re.MULTILINE))


def test_the_adoption_table_names_tests_that_exist():
    root = Path(__file__).resolve().parent
    for file, name in re.findall(r"`(test_\w+\.py)::(\w+)", UPSTREAM):
        assert re.search(rf"^def {name}\(", (root / file).read_text(), re.MULTILINE), f"{file}::{name}"
    for golden in re.findall(r"golden `([\w.-]+)`", UPSTREAM):
        assert (root.parent / "golden" / golden / "spec.yaml").exists(), golden
