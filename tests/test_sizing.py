"""Sizing a deployment from the model's facts: tensor parallel against the attention heads (L139), GPUs a
SLURM job requests and leaves idle (L140). Each table drives the rule on a NEL config and a compiled spec."""

from __future__ import annotations

import json

import pytest
import yaml

from nelc.facts import ModelFacts
from nelc.lint import lint_bytes
from nelc.rules.check_tensor_parallel import fitting
from tests.helpers import compile_text

SLURM = "executor: slurm\noutput_dir: /lustre/out\nslurm: {hostname: login, account: acct, username: alice%s}\n"


def _lint(tmp_path, config: dict, code: str, facts_config: dict | None = None) -> list:
    if facts_config is not None:
        ckpt = tmp_path / "ckpt"
        ckpt.mkdir(exist_ok=True)
        (ckpt / "config.json").write_text(json.dumps(facts_config))
        config = {**config, "deployment": {**config.get("deployment", {}), "checkpoint_path": str(ckpt)}}
    text = yaml.safe_dump(config, sort_keys=False)
    (tmp_path / "run.yaml").write_text(text)
    return [d for d in lint_bytes(text.encode(), tmp_path / "run.yaml", "run.yaml").diagnostics if d.code == code]


def _ckpt(tmp_path, config: dict) -> None:
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir(exist_ok=True)
    (ckpt / "config.json").write_text(json.dumps(config))


# ----- L139: tensor parallel against the heads ------------------------------------------------------
LLAMA_8B = {"num_attention_heads": 32, "num_key_value_heads": 8, "max_position_embeddings": 131072}
# (id, config.json, deployment option, tensor_parallel_size (None: not written), what the error names, or None)
HEADS = [
    ("tp3-on-32-heads", LLAMA_8B, "vllm", 3, "does not divide the model's 32 attention heads"),
    ("tp16-replicates-8-kv-heads", LLAMA_8B, "vllm", 16, None),  # 16 % 8 == 0: two GPUs per KV head
    ("tp8", LLAMA_8B, "vllm", 8, None),
    ("tp6-on-48-heads-8-kv", {"num_attention_heads": 48, "num_key_value_heads": 8}, "vllm", 6, "does not split the model's 8 KV heads"),
    ("tp12-on-48-heads-8-kv", {"num_attention_heads": 48, "num_key_value_heads": 8}, "vllm", 12, "does not split the model's 8 KV heads"),
    ("nels-default-8-on-28-heads", {"num_attention_heads": 28, "num_key_value_heads": 4}, "vllm", None, "(NEL's default"),
    ("vl-text-config", {"text_config": {"num_attention_heads": 28, "num_key_value_heads": 4}, "vision_config": {}}, "vllm", 3,
     "text_config.num_attention_heads"),
    ("no-kv-field-means-mha", {"num_attention_heads": 40}, "vllm", 8, None),
    ("vllm-ray-too", LLAMA_8B, "vllm_ray", 3, "attention heads"),
    ("sglang-not-checked", LLAMA_8B, "sglang", 3, None),  # its check is not read in its source here
]


@pytest.mark.parametrize("config,option,tp,expected", [c[1:] for c in HEADS], ids=[c[0] for c in HEADS])
def test_tensor_parallel_must_split_the_heads(tmp_path, config, option, tp, expected):
    deployment = {} if tp is None else {"tensor_parallel_size": tp}
    found = _lint(tmp_path, {"defaults": [{"execution": "local"}, {"deployment": option}, "_self_"], "deployment": deployment},
                  "L139", config)
    assert [d.is_error for d in found] == ([True] if expected else [])
    if expected:
        assert expected in found[0].message and found[0].hint.startswith("use a tensor-parallel size in 1, 2, 4")


def test_fitting_sizes_are_the_ones_vllm_accepts():
    for heads, kv in ((32, 8), (48, 8), (28, 4), (40, 40), (64, 1)):
        for tp in range(1, 17):
            accepted = heads % tp == 0 and (kv % tp == 0 if kv >= tp else tp % kv == 0)
            assert (tp in fitting(heads, kv)) is accepted


def test_a_compiled_spec_with_tp3_on_32_heads_is_refused_at_its_line(tmp_path):
    _ckpt(tmp_path, LLAMA_8B)
    result = compile_text(tmp_path, "model: ./ckpt\nmodel_type: chat_reasoning\nbenchmarks: [ns_gpqa]\n"
                                    "deployment: {tensor_parallel_size: 3}\n")
    (error,) = [d for d in result.diagnostics if d.code == "L139"]
    assert error.is_error and error.line == 4 and "32 attention heads (./ckpt/config.json:num_attention_heads)" in error.message
    assert result.yaml is None
    _ckpt(tmp_path, LLAMA_8B)
    fine = compile_text(tmp_path, "model: ./ckpt\nmodel_type: chat_reasoning\nbenchmarks: [ns_gpqa]\n"
                                  "deployment: {tensor_parallel_size: 4}\n")
    assert fine.ok and not [d for d in fine.diagnostics if d.code == "L139"]


def test_no_facts_no_finding():
    from nelc.lint import demo_lint
    assert demo_lint("L139", "defaults: [{deployment: vllm}]\ndeployment: {tensor_parallel_size: 3}\n") == "(no findings)"
    facts = ModelFacts("checkpoint", "/ckpt")  # config.json unreadable
    assert demo_lint("L139", "defaults: [{deployment: vllm}]\ndeployment: {tensor_parallel_size: 3}\n", facts) == "(no findings)"


# ----- L140: GPUs requested and left idle ---------------------------------------------------------
def _slurm(option: str = "vllm", execution: dict | None = None, **deployment) -> dict:
    return {"defaults": [{"execution": "slurm/default"}, {"deployment": option}, "_self_"],
            "execution": {"username": "alice", "output_dir": "/lustre/out", **(execution or {})}, "deployment": deployment}


# (id, NEL config, idle GPUs the note counts (None: no note), the hint's start)
IDLE = [
    ("tp1-dp1-on-gpu8", _slurm(execution={"gres": "gpu:8"}, tensor_parallel_size=1, data_parallel_size=1), 7,
     "set deployment.data_parallel_size: 8"),
    ("nels-default-gres", _slurm(tensor_parallel_size=2, data_parallel_size=1), 6, "set deployment.data_parallel_size: 4"),
    ("typed-gres", _slurm(execution={"gres": "gpu:h100:4"}, tensor_parallel_size=2, data_parallel_size=1), 2,
     "set deployment.data_parallel_size: 2"),
    ("two-nodes-one-instance", _slurm(execution={"gres": "gpu:8", "num_nodes": 2}, tensor_parallel_size=8, data_parallel_size=1), 8,
     "set deployment.data_parallel_size: 2"),
    ("trtllm-has-no-dp", _slurm("trtllm", execution={"gres": "gpu:8"}, tensor_parallel_size=2), 6, "request only what it uses: execution.gres: gpu:2"),
    ("tp8-uses-all", _slurm(execution={"gres": "gpu:8"}, tensor_parallel_size=8, data_parallel_size=1), None, None),
    ("tp2-dp4-uses-all", _slurm(execution={"gres": "gpu:8"}, tensor_parallel_size=2, data_parallel_size=4), None, None),
    ("nels-default-tp8", _slurm(), None, None),
    ("no-gres-count", _slurm(execution={"gres": None}, tensor_parallel_size=1), None, None),
    ("nim-sizes-itself", _slurm("nim", execution={"gres": "gpu:8"}), None, None),
    ("local-executor", {**_slurm(tensor_parallel_size=1), "defaults": [{"execution": "local"}, {"deployment": "vllm"}, "_self_"]}, None, None),
]


@pytest.mark.parametrize("config,idle,hint", [c[1:] for c in IDLE], ids=[c[0] for c in IDLE])
def test_idle_gpus_get_a_note_that_says_what_to_set(tmp_path, config, idle, hint):
    found = _lint(tmp_path, config, "L140")
    assert len(found) == (0 if idle is None else 1)
    if idle is not None:
        assert found[0].severity.value == "note" and found[0].message.endswith(f": {idle} sit idle")
        assert found[0].hint.startswith(hint)


@pytest.mark.parametrize("deployment,idle", [("", 7), ("deployment: {data_parallel_size: 8}\n", None),
                                             ("deployment: {tensor_parallel_size: 4}\n", 4)])
def test_a_compiled_slurm_spec_says_how_many_gpus_sit_idle(tmp_path, deployment, idle):
    result = compile_text(tmp_path, "model: org/model-7b\nmodel_type: chat_reasoning\nbenchmarks: [ns_gpqa]\n" + SLURM % "" + deployment)
    notes = [d for d in result.diagnostics if d.code == "L140"]
    assert result.ok and [n.message.rsplit(": ", 1)[-1] for n in notes] == ([] if idle is None else [f"{idle} sit idle"])
