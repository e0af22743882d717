"""Properties of the whole compiler over specs drawn from the spec model (hypothesis).

For every spec: no uncaught exception (a failure is a coded diagnostic), the input is never
mutated, output is byte-identical on a rerun, validates against schemas/nel.schema.json, and no
secret-shaped value ever reaches the output or a diagnostic. CI runs at least 2,000 examples.
"""

from __future__ import annotations

import copy
import shlex
import json
import os
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from nelc.knowledge.files import data_file as recipe
from nelc.pipeline import compile_spec, emitted_config
from nelc.spec import looks_like_secret
from tests.support.nel_dryrun import dry_run

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = int(os.environ.get("NELC_PROPERTY_EXAMPLES", "2000"))
SCHEMA = json.loads((ROOT / "schemas" / "nel.schema.json").read_text())
SECRET = "nvapi-Zx8Qw3Er5Ty7Ui9Op1As2Df4Gh6Jk8L"

names = st.sampled_from(["ns_gpqa", "ns_ifbench", "gpqa", "aime2025", "scicode", "aa_lcr", "tau2_bench_telecom", "core_reasoning",
                         "general_knowledge", "standard", "simple_evals.mmlu", "mmlu", "ns_gpqaa", "adlr_gsm8k_cot_8_shot",
                         "vlmevalkit.ai2d_judge", "ruler-128k-chat", "a.b.c", "safety"])
env_names = st.sampled_from(["JUDGE_API_KEY", "USER_API_KEY", "NVIDIA_API_KEY", "bad name", SECRET])
endpoint = st.fixed_dictionaries({"url": st.sampled_from(["https://e/v1/chat/completions", "https://e/v1/completions"]),
                                  "model_id": st.sampled_from(["m", "org/m"])},
                                 optional={"api_key_name": env_names})
slurm = st.fixed_dictionaries({}, optional={
    "hostname": st.just("login"), "account": st.just("acct"), "username": st.just("alice"),
    "walltime": st.sampled_from(["04:00:00", "1-00:00:00", "4h", 43200]), "num_nodes": st.integers(1, 4),
    "num_instances": st.integers(1, 3), "gres": st.sampled_from(["gpu:8", "gpu:4"])})
deployment = st.fixed_dictionaries({}, optional={
    "tensor_parallel_size": st.integers(1, 8), "pipeline_parallel_size": st.integers(1, 2),
    "data_parallel_size": st.integers(1, 2), "image": st.sampled_from(["vllm/vllm-openai:v0.12.0", "nvcr.io/nim/x:1.0", "img:latest"]),
    "extra_args": st.sampled_from(["", "--max-model-len 4096", ["--enforce-eager"], "--context-length 8192 --trust-remote-code"]),
    "env_vars": st.dictionaries(st.sampled_from(["A", "HF_TOKEN"]), st.sampled_from(["lit:x", "host:HF_TOKEN", "plain", SECRET]), max_size=2)})
specs = st.fixed_dictionaries(
    {"model": st.sampled_from(["Qwen/Qwen3-8B", "meta-llama/Llama-3.1-8B-Instruct@abc", "./ckpt", "/abs/ckpt", "a/b/c",
                               "openai/gpt-oss-20b", "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16"]),
     "benchmarks": st.lists(names, min_size=1, max_size=4)},
    optional={
        "model_type": st.sampled_from(["base", "chat_reasoning", "chat", "reasoning", "instruct"]),
        "reasoning": st.sampled_from(["on", "off"]),
        "backend": st.sampled_from(["vllm", "sglang", "nim", "trtllm", "none"]),
        "executor": st.sampled_from(["local", "slurm"]),
        "export": st.sampled_from(["none", "mlflow", "wandb"]),
        "output_dir": st.sampled_from(["./out", "/lustre/out"]),
        "slurm": slurm, "endpoint": endpoint, "deployment": deployment, "judge": endpoint, "user_simulator": endpoint,
        "mlflow": st.fixed_dictionaries({}, optional={"tracking_uri": st.just("https://m"), "tags": st.just({"a": "b"})}),
        "wandb": st.fixed_dictionaries({}, optional={"entity": st.just("e"), "project": st.just("p")}),
        "interceptors": st.sampled_from([{}, {"use_request_logging": True, "max_logged_requests": 5}, {"use_request_loging": True},
                                         {"interceptors": ["endpoint"]}, {"custom_system_prompt": "/think"}]),
        "overrides": st.sampled_from([{}, {"execution": {"mode": "sequential"}}, {"deployment": {"port": 9000}},
                                      {"evaluation": {"nemo_evaluator_config": {"config": {"params": {"parallelism": 8}}}}},
                                      {"target": {"api_endpoint": {"url": "http://x"}}}, {"bogus": 1}]),
        "unknown_key": st.just(1),
    })


def _compile(tmp: Path, spec: dict):
    text = yaml.safe_dump(spec, sort_keys=False)
    path = tmp / "spec.yaml"
    path.write_text(text)
    return text, compile_spec(text.encode(), path, "spec.yaml")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(spec=specs)
@example(spec={"model": "Qwen/Qwen3-8B", "benchmarks": ["ns_gpqa"], "judge": {"url": "u", "model_id": "m", "api_key_name": SECRET}})
@example(spec={"model": "./ckpt", "benchmarks": ["mmlu"], "backend": "trtllm", "executor": "slurm"})
def test_compiler_properties(tmp_path_factory, spec):
    tmp = tmp_path_factory.mktemp("p")
    (tmp / "ckpt").mkdir()
    (tmp / "ckpt" / "config.json").write_text('{"max_position_embeddings": 8192, "model_type": "llama"}')
    frozen = copy.deepcopy(spec)
    text, first = _compile(tmp, spec)
    assert spec == frozen  # the input is never mutated
    for diag in first.diagnostics:
        assert diag.code and diag.message and SECRET not in diag.render()
        assert not diag.code.startswith("I"), diag.render()  # no internal error: every failure is a coded diagnostic
    if first.ok:
        assert not any(d.is_error for d in first.diagnostics)
        assert SECRET not in first.yaml
        config = yaml.safe_load(first.yaml)
        jsonschema.validate(config, SCHEMA)
        assert config == emitted_config(first.draft)
        _, second = _compile(tmp, spec)
        assert second.yaml == first.yaml  # byte-identical on rerun
    else:
        assert any(d.is_error for d in first.diagnostics)


DRY_RUNS = int(os.environ.get("NELC_DRYRUN_EXAMPLES", "12"))


@pytest.mark.nel
@settings(max_examples=DRY_RUNS, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
@given(spec=specs)
def test_what_compiles_passes_nels_own_dry_run(tmp_path_factory, spec):
    """nelc compile never emits a config that NEL 0.2.6's own `nel run --dry-run` rejects (a sample of the specs above)."""
    tmp = tmp_path_factory.mktemp("d")
    (tmp / "ckpt").mkdir()
    (tmp / "ckpt" / "config.json").write_text('{"max_position_embeddings": 8192, "model_type": "llama"}')
    _, result = _compile(tmp, spec)
    assume(result.ok)
    out = tmp / "out.yaml"
    out.write_text(result.yaml)
    run = dry_run(out, tmp / "dry")
    assert run.returncode == 0, f"NEL's dry run rejects what nelc compiled:\n{yaml.safe_dump(spec)}\n{run.stderr[-3000:]}"
    assert run.config_efs, "the dry run wrote no task script"


@settings(max_examples=3000, deadline=None)
@given(text=st.text(alphabet=" \t\r\n'\"\\ab$#;{}é", max_size=40))
def test_shell_words_read_as_shlex_does(text):
    """nelc's linear splitter (flags.shell_words) gives shlex.split's words, and its errors, on every text."""
    from nelc.flags import shell_words

    def outcome(split):
        try:
            return split(text)
        except ValueError as exc:
            return ("error", str(exc))
    assert outcome(shell_words) == outcome(shlex.split)
