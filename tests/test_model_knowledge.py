"""Model knowledge (recipes/models.yaml) through the compiler: family matching, flags, sampling, reasoning."""

from __future__ import annotations

import json

import pytest

from nelc.derived import FAMILY
from tests.helpers import compile_text, config_of

ADAPTER = ("evaluation", "nemo_evaluator_config", "target", "api_endpoint", "adapter_config")
PARAMS = ("evaluation", "nemo_evaluator_config", "config", "params")


def _get(config, path, default=None):
    for key in path:
        if not isinstance(config, dict) or key not in config:
            return default
        config = config[key]
    return config


def _compile(tmp_path, model, extra=""):
    return compile_text(tmp_path, f"model: {model}\nmodel_type: chat_reasoning\nbenchmarks: [ns_gpqa]\n{extra}")


# (id, model handle, extra spec, family expected)
FAMILIES = [
    ("qwen3-hybrid", "Qwen/Qwen3-8B", "", "qwen3"),
    ("qwen3-thinking-2507", "Qwen/Qwen3-30B-A3B-Thinking-2507", "", "qwen3_thinking_2507"),
    ("r1-distill-not-r1", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "", "deepseek_r1_distill"),
    ("r1", "deepseek-ai/DeepSeek-R1", "", "deepseek_r1"),
    ("v3.1", "deepseek-ai/DeepSeek-V3.1", "", "deepseek_v3_1"),
    ("gpt-oss", "openai/gpt-oss-120b", "", "gpt_oss"),
    ("nemotron-3-nano", "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-FP8", "", "nemotron3_nano"),
    ("llama-3.1", "meta-llama/Llama-3.1-8B-Instruct", "", "llama3"),
    ("unknown", "acme/frontier-1", "", None),
]


@pytest.mark.parametrize("model,extra,family", [f[1:] for f in FAMILIES], ids=[f[0] for f in FAMILIES])
def test_family_matching(tmp_path, model, extra, family):
    assert _compile(tmp_path, model, extra).draft.get(FAMILY) == family


def test_shared_model_type_does_not_pick_a_sibling_family(tmp_path):
    """deepseek_v3 is R1's, V3's and V3.1's model_type: an anonymous folder gets no parser at all."""
    ckpt = tmp_path / "my-finetune"
    ckpt.mkdir()
    (ckpt / "config.json").write_text(json.dumps({"model_type": "deepseek_v3", "architectures": ["DeepseekV3ForCausalLM"]}))
    result = compile_text(tmp_path, "model: ./my-finetune\nmodel_type: chat_reasoning\nbenchmarks: [ns_gpqa]\n")
    assert result.draft.get(FAMILY) is None
    assert "--reasoning-parser" not in config_of(result)["deployment"]["extra_args"]


def test_model_type_fallback_for_a_unique_family(tmp_path):
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "config.json").write_text(json.dumps({"model_type": "gpt_oss", "architectures": ["GptOssForCausalLM"]}))
    result = compile_text(tmp_path, "model: ./ckpt\nmodel_type: chat_reasoning\nbenchmarks: [ns_gpqa]\n")
    assert result.draft.get(FAMILY) == "gpt_oss"


@pytest.mark.parametrize("backend,parser,tool", [("vllm", "--reasoning-parser qwen3", "--enable-auto-tool-choice --tool-call-parser hermes"),
                                                 ("sglang", "--reasoning-parser qwen3", "--tool-call-parser qwen25")])
def test_parsers_per_backend(tmp_path, backend, parser, tool):
    extra = config_of(_compile(tmp_path, "Qwen/Qwen3-8B", f"backend: {backend}\n"))["deployment"]["extra_args"]
    assert parser in extra and tool in extra
    if backend == "sglang":
        assert "--enable-auto-tool-choice" not in extra


def test_base_model_gets_no_parsers_or_sampling(tmp_path):
    result = compile_text(tmp_path, "model: Qwen/Qwen3-8B-Base\nmodel_type: base\nbenchmarks: [simple_evals.mmlu]\n")
    config = config_of(result)
    assert "--reasoning-parser" not in config["deployment"]["extra_args"]
    assert _get(config, PARAMS) is None


def test_users_flag_wins_over_the_card(tmp_path):
    config = config_of(_compile(tmp_path, "Qwen/Qwen3-8B", "deployment: {extra_args: --reasoning-parser deepseek_r1}\n"))
    assert config["deployment"]["extra_args"].count("--reasoning-parser") == 1
    assert "--reasoning-parser deepseek_r1" in config["deployment"]["extra_args"]


# (id, model, reasoning, adapter keys expected)
SWITCHES = [
    ("payload-on", "Qwen/Qwen3-8B", None, {"params_to_add": {"chat_template_kwargs": {"enable_thinking": True}},
                                          "use_system_prompt": False, "process_reasoning_traces": True}),
    ("payload-off", "Qwen/Qwen3-8B", "off", {"params_to_add": {"chat_template_kwargs": {"enable_thinking": False}},
                                            "use_system_prompt": False}),
    ("thinking-key", "deepseek-ai/DeepSeek-V3.1", None, {"params_to_add": {"chat_template_kwargs": {"thinking": True}},
                                                         "use_system_prompt": False, "process_reasoning_traces": True}),
    ("system-prompt-off", "nvidia/NVIDIA-Nemotron-Nano-9B-v2", "off", {"custom_system_prompt": "/no_think", "use_system_prompt": True}),
    ("system-prompt-on", "nvidia/Llama-3_3-Nemotron-Super-49B-v1", None, {"custom_system_prompt": "detailed thinking on",
                                                                         "use_system_prompt": True, "process_reasoning_traces": True}),
    ("default-on-needs-no-prompt", "nvidia/Llama-3_3-Nemotron-Super-49B-v1_5", None, {"process_reasoning_traces": True}),
    ("effort", "openai/gpt-oss-20b", None, {"params_to_add": {"reasoning_effort": "high"}, "process_reasoning_traces": True}),
    ("always-on", "deepseek-ai/DeepSeek-R1", None, {"process_reasoning_traces": True}),
    ("not-reasoning", "meta-llama/Llama-3.1-8B-Instruct", None, None),
]


@pytest.mark.parametrize("model,reasoning,expected", [s[1:] for s in SWITCHES], ids=[s[0] for s in SWITCHES])
def test_exactly_one_reasoning_switch(tmp_path, model, reasoning, expected):
    extra = f"reasoning: '{reasoning}'\n" if reasoning else ""
    assert _get(config_of(_compile(tmp_path, model, extra)), ADAPTER) == expected


def test_reasoning_off_where_impossible_warns(tmp_path):
    result = _compile(tmp_path, "deepseek-ai/DeepSeek-R1", "reasoning: 'off'\n")
    assert any(d.code == "R230" and "always reasons" in d.message for d in result.diagnostics)


def test_sampling_generation_config_wins_over_card(tmp_path):
    ckpt = tmp_path / "Qwen3-8B"
    ckpt.mkdir()
    (ckpt / "config.json").write_text(json.dumps({"model_type": "qwen3", "architectures": ["Qwen3ForCausalLM"]}))
    (ckpt / "generation_config.json").write_text(json.dumps({"do_sample": True, "temperature": 0.7}))
    config = config_of(compile_text(tmp_path, "model: ./Qwen3-8B\nmodel_type: chat_reasoning\nbenchmarks: [ns_gpqa]\n"))
    assert _get(config, PARAMS) == {"temperature": 0.7, "top_p": 0.95}  # temperature from the file, top_p from the card


def test_card_image_minimum_raises_but_never_lowers(tmp_path):
    from nelc.knowledge.files import data_file as recipe
    default = recipe("backends")["vllm"]["image"]
    # Qwen3's card asks for >= v0.8.5: the newer default pin stays.
    assert config_of(_compile(tmp_path, "Qwen/Qwen3-8B"))["deployment"]["image"] == default


def test_plugin_on_slurm_uses_pre_cmd(tmp_path):
    result = _compile(tmp_path, "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16",
                      "executor: slurm\noutput_dir: /o\nslurm: {hostname: h, account: a, username: u}\n")
    deployment = config_of(result)["deployment"]
    assert deployment["pre_cmd"].startswith("mkdir -p /nelc-plugins && curl -fsSL -o /nelc-plugins/nano_v3_reasoning_parser.py https://")
    assert "--reasoning-parser-plugin /nelc-plugins/nano_v3_reasoning_parser.py --reasoning-parser nano_v3" in deployment["extra_args"]


def test_nvfp4_nemotron_super_gets_the_cards_env(tmp_path):
    ckpt = tmp_path / "Llama-3_3-Nemotron-Super-49B-v1_5-NVFP4"
    ckpt.mkdir()
    (ckpt / "config.json").write_text(json.dumps({"model_type": "nemotron-nas", "auto_map": {},
                                                  "quantization_config": {"quant_method": "modelopt", "quant_algo": "NVFP4"}}))
    config = config_of(compile_text(tmp_path, f"model: ./{ckpt.name}\nmodel_type: chat_reasoning\nbenchmarks: [ns_gpqa]\n"))
    assert config["deployment"]["env_vars"]["VLLM_NVFP4_GEMM_BACKEND"] == "lit:marlin"


def test_every_family_names_sources_and_known_keys():
    from nelc.knowledge.files import data_file as recipe

    allowed = {"family", "match", "reasoning", "tool_calling", "extra_flags", "env", "env_when_quantized", "sampling",
               "image", "sources", "remote_code"}
    toggles = {"chat_template_kwargs", "chat_template_kwargs_thinking", "system_prompt", "always_on", "reasoning_effort"}
    for entry in recipe("models"):
        assert set(entry) <= allowed, entry["family"]
        assert entry["sources"], entry["family"]
        assert entry["match"].get("handle") or entry["match"].get("model_type")
        if entry.get("reasoning"):
            assert entry["reasoning"]["toggle"] in toggles
            if entry["reasoning"]["toggle"] == "system_prompt":
                assert "on" in entry["reasoning"] and "off" in entry["reasoning"]
