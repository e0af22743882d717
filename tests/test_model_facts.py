"""Model-fact rules on real checkpoint folders: quantization, context length, remote code."""

from __future__ import annotations

import json

import pytest

from nelc.derived import QUANTIZATION
from nelc.rules.decide_remote_code import TRTLLM_COMMAND, VLLM_BASE_COMMAND
from tests.helpers import compile_text, config_of


def _ckpt(tmp_path, **files):
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir(exist_ok=True)
    for name, content in files.items():
        (ckpt / name.replace("__", ".")).write_text(json.dumps(content))
    return ckpt


SPEC = "model: ./ckpt\nmodel_type: chat_reasoning\nbackend: {backend}\nbenchmarks: [ns_mmlu_pro]\n"
MODELOPT_FP8_LEGACY = {"hf_quant_config__json": {"quantization": {"quant_algo": "FP8", "kv_cache_quant_algo": "FP8"}}}
MODELOPT_NVFP4 = {"config__json": {"max_position_embeddings": 8192,
                                   "quantization_config": {"quant_method": "modelopt", "quant_algo": "NVFP4"}}}
DEEPSEEK_FP8 = {"config__json": {"max_position_embeddings": 163840, "auto_map": {"AutoConfig": "configuration_deepseek.DeepseekV3Config"},
                                 "quantization_config": {"quant_method": "fp8", "weight_block_size": [128, 128]}}}

# (id, checkpoint files, backend, flag tokens that must appear, tokens that must not)
QUANT = [
    ("fp8-legacy-vllm", MODELOPT_FP8_LEGACY, "vllm", [], ["--quantization"]),
    ("fp8-legacy-sglang", MODELOPT_FP8_LEGACY, "sglang", ["--quantization modelopt_fp8"], []),
    ("nvfp4-vllm", MODELOPT_NVFP4, "vllm", [], ["--quantization"]),
    ("nvfp4-sglang", MODELOPT_NVFP4, "sglang", ["--quantization modelopt_fp4"], []),
    ("deepseek-fp8-is-not-modelopt", DEEPSEEK_FP8, "sglang", ["--trust-remote-code"], ["--quantization"]),
    ("unquantized", {"config__json": {"max_position_embeddings": 4096}}, "sglang", [], ["--quantization"]),
]


@pytest.mark.parametrize("files,backend,present,absent", [q[1:] for q in QUANT], ids=[q[0] for q in QUANT])
def test_quantization_flag_policy(tmp_path, files, backend, present, absent):
    _ckpt(tmp_path, **files)
    extra = config_of(compile_text(tmp_path, SPEC.format(backend=backend)))["deployment"]["extra_args"]
    for token in present:
        assert token in extra
    for token in absent:
        assert token not in extra


KV_FP8_LEGACY = {"hf_quant_config__json": {"producer": {"name": "modelopt"}, "quantization": {"quant_algo": "FP8", "kv_cache_quant_algo": "FP8"}}}
KV_SCHEME = {"config__json": {"quantization_config": {"quant_method": "modelopt", "quant_algo": "NVFP4",
                                                      "kv_cache_scheme": {"num_bits": 8, "type": "float", "dynamic": False}}}}
KV_NVFP4 = {"config__json": {"quantization_config": {"quant_method": "modelopt", "quant_algo": "NVFP4", "kv_cache_quant_algo": "NVFP4"}}}
OLD_VLLM = "deployment: {image: vllm/vllm-openai:v0.10.1}\n"
# (id, checkpoint files, backend, extra spec lines, --kv-cache-dtype value expected (None: no flag), where the fact was read,
#  the code of a diagnostic that must come with it)
KV_CACHE = [
    ("vllm-reads-it-itself", KV_FP8_LEGACY, "vllm", "", None, "hf_quant_config.json:quantization.kv_cache_quant_algo", None),
    ("old-vllm-gets-the-flag", KV_FP8_LEGACY, "vllm", OLD_VLLM, "fp8", "hf_quant_config.json:quantization.kv_cache_quant_algo", None),
    ("config-json-scheme", KV_SCHEME, "vllm", OLD_VLLM, "fp8", "config.json:quantization_config.kv_cache_scheme", None),
    ("unversioned-image-gets-the-flag", KV_FP8_LEGACY, "vllm", "deployment: {image: registry.example.com/vllm}\n", "fp8",
     "hf_quant_config.json", None),
    ("old-vllm-nvfp4-kv-warns", KV_NVFP4, "vllm", OLD_VLLM, None, "config.json:quantization_config.kv_cache_quant_algo", "R221"),
    ("spec-flag-wins", KV_FP8_LEGACY, "vllm", "deployment: {image: vllm/vllm-openai:v0.10.1, extra_args: --kv-cache-dtype auto}\n",
     "auto", "hf_quant_config.json", None),
    ("sglang-reads-fp8", KV_FP8_LEGACY, "sglang", "", None, "hf_quant_config.json", None),
    ("sglang-nvfp4-kv-note", KV_NVFP4, "sglang", "", None, "config.json", "R221"),
    ("no-kv-cache-quantization", MODELOPT_NVFP4, "vllm", OLD_VLLM, None, None, None),
]


@pytest.mark.parametrize("files,backend,extra,value,where,code", [c[1:] for c in KV_CACHE], ids=[c[0] for c in KV_CACHE])
def test_kv_cache_dtype_only_where_the_server_does_not_read_it(tmp_path, files, backend, extra, value, where, code):
    _ckpt(tmp_path, **files)
    result = compile_text(tmp_path, SPEC.format(backend=backend) + extra)
    tokens = config_of(result)["deployment"]["extra_args"].split()
    assert (tokens[tokens.index("--kv-cache-dtype") + 1] if "--kv-cache-dtype" in tokens else None) == value
    assert tokens.count("--kv-cache-dtype") <= 1
    flag = result.draft.flag_origins.get("--kv-cache-dtype")
    told = " ".join([d.reason for d in result.draft.decisions if d.rule == "R221"] + [d.message for d in result.diagnostics if d.code == "R221"]
                    + ([flag.reason] if flag and flag.rule == "R221" else []))
    assert where is None and "no KV-cache quantization" in told or where is not None and where in told
    assert [d.code for d in result.diagnostics if d.code == "R221"] == ([code] if code else [])


def test_unknown_modelopt_algorithm_warns_without_flag(tmp_path):
    _ckpt(tmp_path, hf_quant_config__json={"quantization": {"quant_algo": "W4A8_AWQ"}})
    result = compile_text(tmp_path, SPEC.format(backend="sglang"))
    assert "--quantization" not in config_of(result)["deployment"]["extra_args"]
    assert any(d.code == "R201" and "W4A8_AWQ" in d.message for d in result.diagnostics)


def test_quantized_checkpoint_gets_benchmark_advice(tmp_path):
    _ckpt(tmp_path, **MODELOPT_NVFP4)
    result = compile_text(tmp_path, SPEC.format(backend="vllm").replace("[ns_mmlu_pro]", "[ns_gpqa]") + "recipes: modelopt-2026.05\n")
    (advice, sets) = [d for d in result.diagnostics if d.code == "R201"]
    assert "MMLU" in advice.message and "GSM8K" in advice.message and "IFEval" in advice.message
    assert "standard quant validation: add MMLU, GSM8K, ARC-Challenge" in sets.message
    assert result.draft.get(QUANTIZATION).algo == "NVFP4"


# (id, the model's window, advised benchmarks, benchmarks left out with the floor they need)
ADVICE_FIT = [
    ("qwen3-40960", 40960, ["GPQA", "HLE"], {"AA-LCR": 196608, "SciCode": 65536}),
    ("128k-window", 131072, ["SciCode", "GPQA"], {"AA-LCR": 196608}),
    ("long-window", 262144, ["AA-LCR", "SciCode", "GPQA"], {}),
]


@pytest.mark.parametrize("window,advised,left_out", [c[1:] for c in ADVICE_FIT], ids=[c[0] for c in ADVICE_FIT])
def test_advice_never_names_a_benchmark_the_model_cannot_hold(tmp_path, window, advised, left_out):
    _ckpt(tmp_path, config__json={"max_position_embeddings": window,
                                  "quantization_config": {"quant_method": "modelopt", "quant_algo": "NVFP4"}})
    result = compile_text(tmp_path, SPEC.format(backend="vllm"))
    assert result.ok
    notes = [d.message for d in result.diagnostics if d.code == "R201"]
    advice = " ".join(m for m in notes if not m.startswith("left out"))
    assert all(f"{name} (" in advice or f" {name}" in advice for name in advised)
    assert not any(name in advice for name in left_out)
    dropped = [m for m in notes if m.startswith("left out")]
    assert len(dropped) == (1 if left_out else 0)
    for name, floor in left_out.items():
        assert f"{name} (needs a context of {floor} tokens; this model has {window} (./ckpt/config.json:max_position_embeddings))" in dropped[0]


# (id, config.json, a benchmark's modality, why it cannot run: None when it can)
MODALITY = [
    ("text-model-image-task", {"max_position_embeddings": 32768}, "image", "needs images; this model reads text only"),
    ("vision-model-image-task", {"vision_config": {}, "text_config": {"max_position_embeddings": 32768}}, "image", None),
    ("text-model-text-task", {"max_position_embeddings": 32768}, "text", None),
    ("unreadable-config", None, "image", None),  # nothing known: nothing left out
]


@pytest.mark.parametrize("config,modality,why", [c[1:] for c in MODALITY], ids=[c[0] for c in MODALITY])
def test_an_image_benchmark_is_not_advised_for_a_text_model(config, modality, why):
    from dataclasses import replace

    from nelc.facts import ModelFacts
    from nelc.knowledge import quantization_advice
    from nelc.rules.detect_quantization import cannot_run

    gpqa = next(b for b in quantization_advice("modelopt-2026.08").sensitive if b.name == "GPQA")
    facts = ModelFacts("checkpoint", "./ckpt", files={"config.json": config} if config is not None else {})
    reason = cannot_run(replace(gpqa, modality=modality), "gpqa", "modelopt-2026.08", facts)
    assert (reason or "").startswith(why or "") and (reason is None) is (why is None)


# (id, config.json, backend, expected length flag)
LENGTHS = [
    ("vllm", {"max_position_embeddings": 131072}, "vllm", "--max-model-len 131072"),
    ("sglang", {"max_position_embeddings": 131072}, "sglang", "--context-length 131072"),
    ("trtllm", {"max_position_embeddings": 8192}, "trtllm", "--max_seq_len 8192"),
    ("vision-language", {"text_config": {"max_position_embeddings": 32000}, "vision_config": {}}, "vllm", "--max-model-len 32000"),
]


@pytest.mark.parametrize("config,backend,flag", [c[1:] for c in LENGTHS], ids=[c[0] for c in LENGTHS])
def test_context_length_from_config(tmp_path, config, backend, flag):
    _ckpt(tmp_path, config__json=config)
    extra = config_of(compile_text(tmp_path, SPEC.format(backend=backend)))["deployment"]["extra_args"]
    assert flag in extra
    assert sum(extra.count(f) for f in ("--max-model-len", "--context-length", "--max_seq_len")) == 1


def test_users_length_wins(tmp_path):
    _ckpt(tmp_path, config__json={"max_position_embeddings": 131072})
    result = compile_text(tmp_path, SPEC.format(backend="vllm") + "deployment: {extra_args: --max-model-len 4096}\n")
    extra_args = config_of(result)["deployment"]["extra_args"].split()
    assert extra_args.count("--max-model-len") == 1 and extra_args[extra_args.index("--max-model-len") + 1] == "4096"
    assert any(d.rule == "R205" and "spec's own" in d.reason for d in result.draft.decisions)


def test_wrong_length_flag_for_backend_warns(tmp_path):
    _ckpt(tmp_path, config__json={"max_position_embeddings": 131072})
    result = compile_text(tmp_path, SPEC.format(backend="sglang") + "deployment: {extra_args: --max-model-len 4096}\n")
    assert any(d.code == "R205" and "--context-length" in d.hint for d in result.diagnostics)


# (id, config.json, backend, path that must hold the trust-free command, expected)
REMOTE = [
    ("vllm-no-auto-map", {"max_position_embeddings": 1}, "vllm", "deployment.base_command", VLLM_BASE_COMMAND),
    ("trtllm-no-auto-map", {"max_position_embeddings": 1}, "trtllm", "deployment.command", TRTLLM_COMMAND),
    ("vllm-auto-map-keeps-nel", {"auto_map": {}}, "vllm", "deployment.base_command", None),
    ("trtllm-auto-map-keeps-nel", {"auto_map": {}}, "trtllm", "deployment.command", None),
]


@pytest.mark.parametrize("config,backend,path,expected", [r[1:] for r in REMOTE], ids=[r[0] for r in REMOTE])
def test_remote_code_only_with_auto_map(tmp_path, config, backend, path, expected):
    _ckpt(tmp_path, config__json=config)
    deployment = config_of(compile_text(tmp_path, SPEC.format(backend=backend)))["deployment"]
    assert deployment.get(path.split(".")[1]) == expected
    if expected:
        assert "trust" not in expected


def test_trust_free_vllm_command_is_nels_command_minus_the_flag():
    """Guard against drift: the emitted command equals NEL 0.2.6's packaged one without the flag."""
    from importlib import resources

    import yaml

    packaged = yaml.safe_load(resources.files("nemo_evaluator_launcher.configs.deployment").joinpath("vllm.yaml").read_text())
    assert " ".join(packaged["base_command"].replace("--trust-remote-code", "").split()) == " ".join(VLLM_BASE_COMMAND.split())
    trt = yaml.safe_load(resources.files("nemo_evaluator_launcher.configs.deployment").joinpath("trtllm.yaml").read_text())
    assert " ".join(trt["command"].replace("--trust_remote_code", "").split()) == " ".join(TRTLLM_COMMAND.split())


def test_explain_shows_each_derived_flag_with_its_file_and_field(tmp_path):
    from nelc.explain import explain
    from nelc.rules import RULES

    _ckpt(tmp_path, **MODELOPT_NVFP4)
    result = compile_text(tmp_path, SPEC.format(backend="sglang"))
    text = explain(result.draft, {r.code: r.name for r in RULES})
    assert "--quantization: R201 detect-quantization" in text and "[./ckpt/config.json:quantization_config.quant_algo]" in text
    assert "--context-length: R205 set-context-length" in text and "[./ckpt/config.json:max_position_embeddings]" in text
    assert "--trust-remote-code" in text  # a decision: no auto_map
    assert "config.json has no auto_map" in text
