"""The probe reads real files: a checkpoint folder, and a pre-populated huggingface_hub cache offline."""

from __future__ import annotations

import json

import pytest

from tests.helpers import codes, compile_text, config_of


def _hub_cache(home, handle, files, revision="main", commit="0123456789abcdef0123456789abcdef01234567"):
    repo = home / "hub" / f"models--{handle.replace('/', '--')}"
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / revision).write_text(commit)
    for name, content in files.items():
        (snapshot / name).write_text(content)


def test_handle_from_offline_cache(tmp_path, monkeypatch):
    home = tmp_path / "hf"
    _hub_cache(home, "org/base-model", {"config.json": json.dumps({"max_position_embeddings": 32768}),
                                        "tokenizer_config.json": json.dumps({"bos_token": "<s>"})})
    monkeypatch.setenv("HF_HOME", str(home))
    result = compile_text(tmp_path, "model: org/base-model\nbenchmarks: [simple_evals.mmlu]\n")
    assert "P003" not in codes(result)
    assert "# input hf://org/base-model/config.json sha256:" in result.yaml
    assert result.facts.has_chat_template is False
    assert result.draft.get("nelc.model_type") == "base"  # no chat template -> base


def test_handle_offline_with_nothing_cached_warns(tmp_path):
    result = compile_text(tmp_path, "model: org/none\nmodel_type: chat_reasoning\nbenchmarks: [ns_gpqa]\n")
    assert result.ok
    (warning,) = [d for d in result.diagnostics if d.code == "P003"]
    assert "offline" in warning.message and "config.json" in warning.message


@pytest.mark.parametrize("name,content,code", [
    ("config.json", '{"max_position_embeddings": 4', "P010"),
    ("hf_quant_config.json", "[1, 2]", "P012"),
    ("tokenizer_config.json", "not json", "P010"),
])
def test_malformed_checkpoint_file_is_a_coded_error(tmp_path, name, content, code):
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / name).write_text(content)
    result = compile_text(tmp_path, "model: ./ckpt\nbenchmarks: [ns_gpqa]\n")
    assert not result.ok
    (diag,) = [d for d in result.diagnostics if d.code == code]
    assert diag.file == f"./ckpt/{name}"


def test_checkpoint_files_are_hashed_in_the_header(tmp_path):
    import hashlib

    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "config.json").write_text('{"model_type": "llama"}')
    result = compile_text(tmp_path, "model: ./ckpt\nmodel_type: base\nbenchmarks: [simple_evals.mmlu]\n")
    digest = hashlib.sha256(b'{"model_type": "llama"}').hexdigest()
    assert f"# input ./ckpt/config.json sha256:{digest}" in result.yaml
    assert config_of(result)["deployment"]["checkpoint_path"] == str(ckpt.resolve())
