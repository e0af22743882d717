"""Rule tables: a spec in, the values (or diagnostics) that must come out, read back as NEL would."""

from __future__ import annotations

import pytest

from tests.helpers import codes, compile_text, config_of

BASE = "model: org/model-7b\nmodel_type: chat_reasoning\nbenchmarks: [ns_gpqa]\n"
SLURM = ("executor: slurm\noutput_dir: /lustre/out\n"
         "slurm: {hostname: login, account: acct, username: alice%s}\n")

# (id, spec lines added to BASE, dotted path, expected value)
VALUES = [
    ("default-local", "", "defaults", [{"execution": "local"}, {"deployment": "vllm"}, "_self_"]),
    ("slurm-default", SLURM % "", "defaults", [{"execution": "slurm/default"}, {"deployment": "vllm"}, "_self_"]),
    ("ray-across-nodes", SLURM % ", num_nodes: 2", "defaults", [{"execution": "slurm/default"}, {"deployment": "vllm_ray"}, "_self_"]),
    ("haproxy-instances-stay-vllm", SLURM % ", num_nodes: 4, num_instances: 4", "defaults.1.deployment", "vllm"),
    ("tp-default-is-1", "", "deployment.tensor_parallel_size", 1),
    ("tp-from-spec", "deployment: {tensor_parallel_size: 4}", "deployment.tensor_parallel_size", 4),
    ("walltime-stays-string", SLURM % ', walltime: "12:00:00"', "execution.walltime", "12:00:00"),
    ("walltime-days", SLURM % ", walltime: 1-00:00:00", "execution.walltime", "1-00:00:00"),
    ("username-explicit", SLURM % "", "execution.username", "alice"),
    ("mount-home-off", SLURM % "", "execution.mounts.mount_home", False),
    ("handle-nulls-checkpoint", "", "deployment.checkpoint_path", None),
    ("handle-set", "", "deployment.hf_model_handle", "org/model-7b"),
    ("served-name-from-handle", "", "deployment.served_model_name", "model-7b"),
    ("served-name-from-spec", "served_model_name: mine", "deployment.served_model_name", "mine"),
    ("unknown-model-gets-fallback-length", "backend: sglang", "deployment.extra_args", "--context-length 32768"),
    ("sglang-no-gpu-util", "backend: sglang", "deployment.gpu_memory_utilization", "<absent>"),
    ("trtllm-no-dp", "model: /ckpt/m\nbackend: trtllm", "deployment.data_parallel_size", "<absent>"),
    ("nim-ngc-key", "backend: nim\ndeployment: {image: nvcr.io/nim/x:1.0}", "deployment.env_vars.NGC_API_KEY", "host:NGC_API_KEY"),
    ("nim-served-full-name", "backend: nim\ndeployment: {image: nvcr.io/nim/x:1.0}", "deployment.served_model_name", "org/model-7b"),
    ("ns-dummy-key", "", "target.api_endpoint.api_key_name", "DUMMY_API_KEY"),
    ("ns-dummy-literal", "", "evaluation.env_vars.DUMMY_API_KEY", "lit:dummy"),
    ("no-ns-no-key", "benchmarks: [simple_evals.mmlu]", "target", "<absent>"),
    ("export-trigger", "export: mlflow\nmlflow: {tracking_uri: 'https://m'}", "execution.auto_export.destinations", ["mlflow"]),
    ("export-copy-logs", "export: mlflow\nmlflow: {tracking_uri: 'https://m'}", "export.mlflow.copy_logs", True),
    ("override-merges", "overrides: {execution: {mode: sequential}, deployment: {port: 9000}}", "deployment.port", 9000),
    ("override-keeps-siblings", "overrides: {deployment: {port: 9000}}", "deployment.served_model_name", "model-7b"),
    ("override-tasks-merge-by-name", "overrides: {evaluation: {tasks: [{name: ns_gpqa, env_vars: {A: 'lit:b'}}]}}",
     "evaluation.tasks.0.env_vars.A", "lit:b"),
    ("override-tunes-one-task", "overrides: {evaluation: {tasks: [{name: nemo_skills.ns_gpqa, nemo_evaluator_config: {config: {params: "
     "{parallelism: 32}}}}]}}", "evaluation.tasks.0.nemo_evaluator_config.config.params.parallelism", 32),
    ("override-lists-still-replace", "overrides: {execution: {mounts: {deployment: {/a: /b}}}, evaluation: {tasks: [{name: ns_gpqa, "
     "nemo_evaluator_config: {target: {api_endpoint: {adapter_config: {params_to_remove: [x]}}}}}]}}",
     "evaluation.tasks.0.nemo_evaluator_config.target.api_endpoint.adapter_config.params_to_remove", ["x"]),
    ("none-client-no-gpus", (SLURM % "") + "backend: none\nendpoint: {url: 'https://e/v1/chat/completions', model_id: m, api_key_name: K}",
     "execution.gres", None),
]


def _merge(base: str, extra: str) -> str:
    lines = dict(line.split(":", 1) for line in base.strip().splitlines())
    text = "".join(f"{k}:{v}\n" for k, v in lines.items() if not any(e.startswith(k + ":") for e in extra.splitlines()))
    return text + extra + "\n"


def _get(config, dotted):
    node = config
    for part in dotted.split("."):
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return "<absent>"
    return node


@pytest.mark.parametrize("extra,path,expected", [v[1:] for v in VALUES], ids=[v[0] for v in VALUES])
def test_values(tmp_path, extra, path, expected):
    assert _get(config_of(compile_text(tmp_path, _merge(BASE, extra))), path) == expected


# R245: the skill's vLLM serving defaults. (id, spec lines added to BASE, flags that must be there (flag -> value,
# or None for a switch), flags that must not)
PARALLEL_40 = "overrides: {evaluation: {nemo_evaluator_config: {config: {params: {parallelism: 40}}}}}"
SERVING = [
    ("chunked-prefill-on-vllm", "", {"--enable-chunked-prefill": None}, ()),
    ("seqs-match-the-largest-parallelism", PARALLEL_40, {"--max-num-seqs": "40"}, ()),
    ("seqs-split-over-data-parallel", PARALLEL_40 + "\ndeployment: {data_parallel_size: 3}", {"--max-num-seqs": "14"}, ()),
    ("seqs-split-over-instances", PARALLEL_40 + "\n" + SLURM % ", num_nodes: 4, num_instances: 4", {"--max-num-seqs": "10"}, ()),
    ("spec-flag-wins", "deployment: {extra_args: --max-num-seqs 7}", {"--max-num-seqs": "7"}, ()),
    ("dense-gets-no-expert-parallel", "", {}, ("--enable-expert-parallel",)),
    ("sglang-gets-none", "backend: sglang", {}, ("--enable-chunked-prefill", "--max-num-seqs", "--enable-expert-parallel")),
    ("raw-override-of-extra-args-stays-verbatim", "overrides: {deployment: {extra_args: --max-model-len 32768}}", {"--max-model-len": "32768"},
     ("--enable-chunked-prefill", "--max-num-seqs")),
    ("own-command-without-extra-args-gets-none", "overrides: {deployment: {command: 'vllm serve /checkpoint --port 8000 --served-model-name model-7b'}}", {},
     ("--enable-chunked-prefill", "--max-num-seqs")),
]


def _flags(extra_args: str) -> dict:
    tokens = extra_args.split()
    return {t: (tokens[i + 1] if i + 1 < len(tokens) and not tokens[i + 1].startswith("--") else None)
            for i, t in enumerate(tokens) if t.startswith("--")}


@pytest.mark.parametrize("extra,present,absent", [v[1:] for v in SERVING], ids=[v[0] for v in SERVING])
def test_serving_defaults(tmp_path, extra, present, absent):
    found = _flags(config_of(compile_text(tmp_path, _merge(BASE, extra)))["deployment"]["extra_args"])
    assert {flag: found.get(flag, "<absent>") for flag in present} == present
    assert not set(absent) & set(found)


@pytest.mark.parametrize("field,moe", [("num_experts", True), ("n_routed_experts", True), ("num_local_experts", True),
                                       ("num_experts_per_tok", False)])
def test_expert_parallel_follows_config_json(tmp_path, field, moe):
    (tmp_path / "ckpt").mkdir()
    (tmp_path / "ckpt" / "config.json").write_text(f'{{"model_type": "m", "max_position_embeddings": 32768, "{field}": 64}}')
    extra_args = config_of(compile_text(tmp_path, _merge(BASE, "model: ./ckpt")))["deployment"]["extra_args"]
    assert ("--enable-expert-parallel" in extra_args) is moe


def test_revision_pin_becomes_server_flag(tmp_path):
    config = config_of(compile_text(tmp_path, _merge(BASE, "model: org/m@abc123")))
    assert config["deployment"]["hf_model_handle"] == "org/m"
    assert "--revision abc123" in config["deployment"]["extra_args"]


def test_user_extra_args_win_over_pin(tmp_path):
    config = config_of(compile_text(tmp_path, _merge(BASE, "model: org/m@abc\ndeployment: {extra_args: '--revision main'}")))
    assert "--revision main" in config["deployment"]["extra_args"]
    assert "abc" not in config["deployment"]["extra_args"]


def test_checkpoint_path_is_absolute_and_handle_null(tmp_path):
    (tmp_path / "ckpt").mkdir()
    config = config_of(compile_text(tmp_path, _merge(BASE, "model: ./ckpt")))
    assert config["deployment"]["checkpoint_path"] == str((tmp_path / "ckpt").resolve())
    assert config["deployment"]["hf_model_handle"] is None


# (id, spec, diagnostic code that must be an error)
ERRORS = [
    ("slurm-needs-hostname", _merge(BASE, "executor: slurm\noutput_dir: /o\nslurm: {account: a, username: u}"), "R120"),
    ("slurm-needs-abs-output", _merge(BASE, SLURM % "").replace("/lustre/out", "rel/out"), "R120"),
    ("slurm-divisible", _merge(BASE, SLURM % ", num_nodes: 3, num_instances: 2"), "R120"),
    ("sglang-cannot-span-nodes", _merge(BASE, (SLURM % ", num_nodes: 2") + "backend: sglang"), "R110"),
    ("nim-needs-image", _merge(BASE, "backend: nim"), "R130"),
    ("trtllm-needs-checkpoint", _merge(BASE, "backend: trtllm"), "R135"),
    ("none-needs-endpoint", _merge(BASE, "backend: none"), "R140"),
    ("endpoint-only-for-none", _merge(BASE, "endpoint: {url: u, model_id: m}"), "R140"),
    ("mlflow-needs-uri", _merge(BASE, "export: mlflow"), "R150"),
    ("wandb-needs-entity", _merge(BASE, "export: wandb\nwandb: {project: p}"), "R150"),
    ("ns-on-endpoint-needs-key", _merge(BASE, "backend: none\nendpoint: {url: 'https://e/v1/chat/completions', model_id: m}"), "R170"),
    ("override-forbidden-key", _merge(BASE, "overrides: {execution: {env_vars: {A: 'lit:1'}}}"), "V001"),
    ("override-url-with-deployment", _merge(BASE, "overrides: {target: {api_endpoint: {url: 'http://x'}}}"), "V004"),
    ("override-leaves-missing", _merge(BASE, "overrides: {deployment: {served_model_name: '???'}}"), "V002"),
    ("override-misplaced-adapter", _merge(BASE, "overrides: {evaluation: {nemo_evaluator_config: {config: {target: {api_endpoint: {adapter_config: {use_caching: true}}}}}}}"), "V001"),
    ("ambiguous-model", _merge(BASE, "model: a/b/c"), "P001"),
]


@pytest.mark.parametrize("text,code", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors(tmp_path, text, code):
    result = compile_text(tmp_path, text)
    assert not result.ok
    assert code in [d.code for d in result.diagnostics if d.is_error]


def test_override_error_points_at_its_spec_line(tmp_path):
    result = compile_text(tmp_path, BASE + "overrides:\n  deployment:\n    served_model_name: '???'\n")
    (diag,) = [d for d in result.diagnostics if d.code == "V002"]
    assert (diag.file, diag.line) == ("spec.yaml", 6)


HOME = "evaluation.nemo_evaluator_config.target.api_endpoint.adapter_config"

INTERCEPTOR_ERRORS = [
    ("typo", "interceptors: {use_request_loging: true}", "did you mean 'use_request_logging'"),
    ("flat-max-requests", "interceptors: {use_request_logging: true, max_requests: 5}", "max_logged_requests"),
    ("wrong-type", "interceptors: {max_logged_requests: five}", "integer"),
    ("chain-beside-flags", "interceptors: {interceptors: [endpoint], use_caching: true}", "beside an explicit chain"),
    ("chain-unknown", "interceptors: {interceptors: [endpoint, respons_stats]}", "did you mean 'response_stats'"),
    ("chain-order", "interceptors: {interceptors: [endpoint, {name: system_message, config: {system_message: hi}}]}", "comes after"),
    ("chain-no-endpoint", "interceptors: {interceptors: [caching]}", "no enabled 'endpoint'"),
    ("chain-empty-prompt", "interceptors: {interceptors: [system_message, endpoint]}", "needs config.system_message"),
    ("unregistered", "interceptors: {use_nvcf: true}", "remove it"),
]


@pytest.mark.parametrize("extra,needle", [c[1:] for c in INTERCEPTOR_ERRORS], ids=[c[0] for c in INTERCEPTOR_ERRORS])
def test_interceptor_errors(tmp_path, extra, needle):
    result = compile_text(tmp_path, _merge(BASE, extra))
    errors = [d for d in result.diagnostics if d.is_error and d.code == "R175"]
    assert errors and needle in errors[0].message + errors[0].hint
    assert errors[0].line == 4


def test_explicit_chain_replaces_model_flags(tmp_path):
    chain = "interceptors: {interceptors: [{name: request_logging, config: {max_requests: 5}}, endpoint, response_stats]}"
    result = compile_text(tmp_path, _merge(BASE, "model: Qwen/Qwen3-8B\n" + chain))
    adapter = _get(config_of(result), HOME)
    assert set(adapter) == {"interceptors"}  # R230's flat reasoning flags were removed, with a decision
    assert any(d.rule == "R175" and "explicit interceptors chain" in d.reason for d in result.draft.decisions)


def test_interceptors_go_to_the_one_valid_place(tmp_path):
    config = config_of(compile_text(tmp_path, _merge(BASE, "interceptors: {use_caching: false, custom_system_prompt: /think}")))
    assert _get(config, HOME) == {"use_caching": False, "custom_system_prompt": "/think", "use_system_prompt": True}
    assert "adapter_config" not in config.get("target", {}).get("api_endpoint", {})


def test_max_saved_with_logging_gets_a_hint(tmp_path):
    result = compile_text(tmp_path, _merge(BASE, "interceptors: {use_request_logging: true, max_saved_requests: 5}"))
    assert result.ok
    assert any(d.code == "R175" and "max_logged" in d.hint for d in result.diagnostics)


def test_unused_judge_is_not_silently_dropped(tmp_path):
    result = compile_text(tmp_path, _merge(BASE, "judge: {url: 'https://j', model_id: q, api_key_name: JUDGE_API_KEY}"))
    assert any(d.code == "R166" and "judge" in d.message for d in result.diagnostics)


def test_instance_must_fit_its_gpus(tmp_path):
    result = compile_text(tmp_path, _merge(BASE, (SLURM % "") + "deployment: {tensor_parallel_size: 8, pipeline_parallel_size: 2}"))
    assert any(d.code == "R120" and "16 GPUs" in d.message for d in result.diagnostics if d.is_error)
    fits = compile_text(tmp_path, _merge(BASE, (SLURM % ", num_nodes: 2") + "deployment: {tensor_parallel_size: 8, pipeline_parallel_size: 2}"))
    assert fits.ok


def test_a_failing_rule_becomes_an_internal_diagnostic(tmp_path):
    from nelc.engine import run_rules
    from nelc.facts import Context, ModelFacts
    from nelc.load import load_yaml
    from nelc.rules import RULES, Rule
    from nelc.spec import parse_spec

    def broken(draft, ctx):
        raise KeyError("boom")

    loaded = load_yaml(BASE, "spec.yaml")
    spec, _ = parse_spec(loaded)
    ctx = Context(spec, ModelFacts(kind="hf_handle", reference=spec.model, hf_handle=spec.model), "spec.yaml", loaded.positions)
    draft = run_rules(ctx, (*RULES[:2], Rule("R999", "broken-rule", broken)))
    (diag,) = [d for d in draft.diagnostics if d.code == "I001"]
    assert "R999 broken-rule" in diag.message and diag.is_error


def test_shipped_example_compiles(tmp_path):
    from pathlib import Path
    from nelc.pipeline import compile_spec

    spec = Path(__file__).resolve().parents[1] / "examples" / "spec.yaml"
    result = compile_spec(spec.read_bytes(), spec)
    assert result.ok and "checkpoint_path: /" in result.yaml


def test_tuning_one_task_keeps_the_others_and_their_recipes(tmp_path):
    """Issue scenario: gpqa + mmlu_pro, parallelism 32 for ns_gpqa through overrides."""
    from tests.helpers import compile_text, config_of

    spec = ("model: org/model-7b\nmodel_type: chat_reasoning\nbenchmarks: [gpqa, mmlu_pro]\n"
            "overrides: {evaluation: {tasks: [{name: ns_gpqa, nemo_evaluator_config: {config: {params: {parallelism: 32}}}}]}}\n")
    tasks = config_of(compile_text(tmp_path, spec))["evaluation"]["tasks"]
    assert [t["name"] for t in tasks] == ["ns_gpqa", "nemo_skills.ns_mmlu_pro"]
    params = tasks[0]["nemo_evaluator_config"]["config"]["params"]
    assert params["parallelism"] == 32 and params["extra"]["num_repeats"] == 16  # the recipe's repeats stay (modelopt-2026.08)


def test_a_benchmark_entry_tunes_its_tasks(tmp_path):
    from tests.helpers import compile_text, config_of

    spec = ("model: org/model-7b\nmodel_type: chat_reasoning\n"
            "benchmarks: [{name: gpqa, params: {parallelism: 64, extra: {num_repeats: 4}}, env_vars: {MY: 'lit:x'}}, ns_ifbench]\n")
    result = compile_text(tmp_path, spec)
    tasks = config_of(result)["evaluation"]["tasks"]
    assert tasks[0]["nemo_evaluator_config"]["config"]["params"]["parallelism"] == 64
    assert tasks[0]["nemo_evaluator_config"]["config"]["params"]["extra"] == {"args": "++prompt_config=eval/aai/mcq-4choices",
                                                                                 "num_repeats": 4}
    assert tasks[0]["env_vars"]["MY"] == "lit:x" and "env_vars" not in tasks[1]
    origin = result.draft.origin_of(("evaluation", "tasks", 0, "nemo_evaluator_config", "config", "params", "parallelism"))
    assert origin.rule == "R190" and origin.source == "spec.yaml:3"


def test_an_override_that_drops_a_benchmark_is_an_error(tmp_path):
    from tests.helpers import compile_text

    result = compile_text(tmp_path, BASE + "overrides: {evaluation: 7}\n")
    assert not result.ok
    assert any(d.code == "R190" and "drop the requested benchmark task nemo_skills.ns_gpqa" in d.message for d in result.diagnostics)


@pytest.mark.parametrize("benchmarks", ["[core_reasoning, {name: ns_ifbench, params: {parallelism: 64}}]",
                                        "[ifbench, {name: ifbench, params: {parallelism: 64}}]",
                                        "[ifbench, {name: ns_ifbench, params: {parallelism: 64}}]"])
def test_settings_on_a_repeated_benchmark_still_apply(tmp_path, benchmarks):
    from tests.helpers import compile_text, config_of

    tasks = config_of(compile_text(tmp_path, f"model: org/model-7b\nmodel_type: chat_reasoning\nbenchmarks: {benchmarks}\n"))[
        "evaluation"]["tasks"]
    (ifbench,) = [t for t in tasks if t["name"] == "ns_ifbench"]
    assert ifbench["nemo_evaluator_config"]["config"]["params"]["parallelism"] == 64


def test_an_override_naming_an_unknown_task_is_an_error_and_a_recipe_name_means_its_task(tmp_path):
    from tests.helpers import compile_text, config_of

    typo = compile_text(tmp_path, BASE + "overrides: {evaluation: {tasks: [{name: ns_gqpa, nemo_evaluator_config: {}}]}}\n")
    assert any(d.code == "R190" and "ns_gqpa" in d.message and "ns_gpqa" in d.hint for d in typo.diagnostics if d.is_error)
    recipe = config_of(compile_text(tmp_path, BASE.replace("[ns_gpqa]", "[gpqa]") + "overrides: {evaluation: {tasks: [{name: gpqa, "
                                    "nemo_evaluator_config: {config: {params: {parallelism: 64}}}}]}}\n"))
    assert [t["name"] for t in recipe["evaluation"]["tasks"]] == ["ns_gpqa"]
    assert recipe["evaluation"]["tasks"][0]["nemo_evaluator_config"]["config"]["params"]["parallelism"] == 64


def test_an_empty_mapping_in_an_override_changes_nothing(tmp_path):
    from tests.helpers import compile_text, config_of

    spec = BASE.replace("[ns_gpqa]", "[gpqa]") + \
        "overrides: {evaluation: {tasks: [{name: ns_gpqa, nemo_evaluator_config: {config: {params: {extra: {}}}}}]}}\n"
    extra = config_of(compile_text(tmp_path, spec))["evaluation"]["tasks"][0]["nemo_evaluator_config"]["config"]["params"]["extra"]
    assert extra["num_repeats"] == 16  # gpqa's repeats in modelopt-2026.08


def test_an_override_cannot_add_a_task_the_benchmarks_do_not_list(tmp_path):
    """Judges, tokenizers and keys are wired for listed benchmarks only: adding one through overrides would skip them."""
    from tests.helpers import compile_text

    result = compile_text(tmp_path, BASE + "overrides: {evaluation: {tasks: [{name: ns_hle_aa}]}}\n")
    assert any(d.code == "R190" and "does not list" in d.message for d in result.diagnostics if d.is_error)


def test_a_chain_beside_a_recipes_flat_flags_is_refused(tmp_path):
    from tests.helpers import compile_text

    spec = BASE.replace("[ns_gpqa]", "[gpqa]") + "recipes: modelopt-2026.05\n" \
        "interceptors: {interceptors: [{name: request_logging, config: {max_requests: 5}}, endpoint]}\n"  # its params_to_remove
    result = compile_text(tmp_path, spec)
    assert any(d.code == "R198" and "flat flags beside an explicit chain" in d.message for d in result.diagnostics if d.is_error)


def test_a_custom_simulator_key_replaces_the_bundles(tmp_path):
    from tests.helpers import compile_text, config_of

    spec = ("model: Qwen/Qwen3-8B\nmodel_type: chat_reasoning\nbenchmarks: [tau2_bench_telecom]\n"
            "user_simulator: {url: 'https://sim.example.com/v1/chat/completions', model_id: sim, api_key_name: SIM_KEY}\n")
    (task,) = config_of(compile_text(tmp_path, spec))["evaluation"]["tasks"]
    assert task["env_vars"]["SIM_KEY"] == "host:SIM_KEY" and "USER_API_KEY" not in task["env_vars"]
