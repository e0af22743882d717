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
    assert not {"temperature", "top_p", "max_new_tokens"} & set(_get(config, PARAMS) or {})


def test_users_flag_wins_over_the_card(tmp_path):
    config = config_of(_compile(tmp_path, "Qwen/Qwen3-8B", "deployment: {extra_args: --reasoning-parser deepseek_r1}\n"))
    assert config["deployment"]["extra_args"].count("--reasoning-parser") == 1
    assert "--reasoning-parser deepseek_r1" in config["deployment"]["extra_args"]


# (id, model, reasoning, adapter keys expected)
SWITCHES = [
    # Qwen3's card sampling adds top_k / min_p to the same payload (R225); the switch is still one key
    ("payload-on", "Qwen/Qwen3-8B", None, {"params_to_add": {"top_k": 20, "min_p": 0, "chat_template_kwargs": {"enable_thinking": True}},
                                          "use_system_prompt": False, "process_reasoning_traces": True}),
    ("payload-off", "Qwen/Qwen3-8B", "off", {"params_to_add": {"top_k": 20, "min_p": 0, "chat_template_kwargs": {"enable_thinking": False}},
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
    params = _get(config, PARAMS)
    assert (params["temperature"], params["top_p"]) == (0.7, 0.95)  # temperature from the file, top_p from the card


@pytest.mark.parametrize("model,expected", [
    ("Qwen/Qwen3-8B", {"temperature": 0.7, "top_p": 0.8, "top_k": 20, "min_p": 0}),  # card: non-thinking mode
    ("nvidia/NVIDIA-Nemotron-Nano-9B-v2", {"temperature": 0.0, "top_p": 1.0}),      # card: greedy with /no_think
    ("nvidia/Llama-3_3-Nemotron-Super-49B-v1_5", {"temperature": 0.0, "top_p": 1.0}),  # card: greedy for reasoning off
])
def test_reasoning_off_uses_the_cards_reasoning_off_sampling(tmp_path, model, expected):
    config = config_of(_compile(tmp_path, model, "reasoning: 'off'\n"))
    params, payload = _get(config, PARAMS), _get(config, ADAPTER).get("params_to_add") or {}
    got = {k: params[k] for k in ("temperature", "top_p")} | {k: payload[k] for k in ("top_k", "min_p") if k in payload}
    assert got == expected


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


@pytest.mark.parametrize("folder,model_type,marlin", [("NVIDIA-Nemotron-3-Super-120B-A12B-NVFP4", "nemotron_h", True),
                                                     ("Llama-3_3-Nemotron-Super-49B-v1_5-NVFP4", "nemotron-nas", False)])
def test_nvfp4_marlin_only_for_the_super_whose_source_says_so(tmp_path, folder, model_type, marlin):
    """The ModelOpt skill's "marlin for Nemotron Super" note concerns Nemotron 3 Super 120B; the 49B v1.5 card has none."""
    ckpt = tmp_path / folder
    ckpt.mkdir()
    (ckpt / "config.json").write_text(json.dumps({"model_type": model_type, "auto_map": {},
                                                  "quantization_config": {"quant_method": "modelopt", "quant_algo": "NVFP4"}}))
    config = config_of(compile_text(tmp_path, f"model: ./{ckpt.name}\nmodel_type: chat_reasoning\nbenchmarks: [ns_gpqa]\n"))
    assert (config["deployment"]["env_vars"].get("VLLM_NVFP4_GEMM_BACKEND") == "lit:marlin") is marlin


@pytest.mark.parametrize("algo,flags,env", [
    ("FP8", ["--kv-cache-dtype fp8", "--mamba-ssm-cache-dtype float32"],
     {"VLLM_USE_FLASHINFER_MOE_FP8": "lit:1", "VLLM_FLASHINFER_MOE_BACKEND": "lit:throughput"}),
    ("NVFP4", ["--mamba-ssm-cache-dtype float32"],
     {"VLLM_USE_FLASHINFER_MOE_FP4": "lit:1", "VLLM_FLASHINFER_MOE_BACKEND": "lit:throughput"}),
])
def test_nemotron_3_nano_quantized_variants_get_their_serving_settings(tmp_path, algo, flags, env):
    ckpt = tmp_path / f"NVIDIA-Nemotron-3-Nano-30B-A3B-{algo}"
    ckpt.mkdir()
    (ckpt / "config.json").write_text(json.dumps({"model_type": "nemotron_h", "architectures": ["NemotronHForCausalLM"], "auto_map": {},
                                                  "quantization_config": {"quant_method": "modelopt", "quant_algo": algo}}))
    config = config_of(compile_text(tmp_path, f"model: ./{ckpt.name}\nmodel_type: chat_reasoning\nbenchmarks: [ns_gpqa]\n"))
    assert all(flag in config["deployment"]["extra_args"] for flag in flags)
    assert ("--kv-cache-dtype" in config["deployment"]["extra_args"]) is (algo == "FP8")
    assert env.items() <= config["deployment"]["env_vars"].items()


def test_llama3_is_recognised_from_config_json_without_a_name(tmp_path):
    """A Llama 3.1 checkpoint in a folder named `m`: rope_type llama3 + vocab 128256 give the family, so tau2 has a parser."""
    ckpt = tmp_path / "m"
    ckpt.mkdir()
    (ckpt / "config.json").write_text(json.dumps({"model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": 128256,
                                                  "rope_scaling": {"rope_type": "llama3", "factor": 8.0}, "max_position_embeddings": 131072}))
    (ckpt / "tokenizer_config.json").write_text(json.dumps({"chat_template": "{{ messages }}"}))
    spec = ("model: ./m\nmodel_type: chat_reasoning\nbenchmarks: [tau2_bench_telecom]\n"
            "user_simulator: {url: 'https://u.example/v1', model_id: q}\n")
    result = compile_text(tmp_path, spec)
    assert result.ok, [d.render() for d in result.diagnostics]
    assert "--tool-call-parser llama3_json" in config_of(result)["deployment"]["extra_args"]
    assert result.draft.get("nelc.family") == "llama3"
    llama2 = tmp_path / "l2"
    llama2.mkdir()
    (llama2 / "config.json").write_text(json.dumps({"model_type": "llama", "vocab_size": 32000}))
    assert not compile_text(tmp_path, spec.replace("./m", "./l2")).ok  # no family: no parser, L125 refuses


def test_every_family_names_sources_and_known_keys():
    from nelc.knowledge.files import data_file as recipe

    allowed = {"family", "match", "reasoning", "tool_calling", "extra_flags", "env", "env_when_quantized", "sampling",
               "sampling_off", "flags_when_quantized", "image", "sources", "remote_code"}
    toggles = {"chat_template_kwargs", "chat_template_kwargs_thinking", "system_prompt", "always_on", "reasoning_effort"}
    for entry in recipe("models"):
        assert set(entry) <= allowed, entry["family"]
        assert entry["sources"], entry["family"]
        assert entry["match"].get("handle") or entry["match"].get("model_type")
        if entry.get("reasoning"):
            assert entry["reasoning"]["toggle"] in toggles
            if entry["reasoning"]["toggle"] == "system_prompt":
                assert "on" in entry["reasoning"] and "off" in entry["reasoning"]
