"""L113 check-deployment: server settings NEL's defaults leave unsafe, and flags that contradict the checkpoint.

Why: NEL's vLLM and SGLang defaults are an unpinned `:latest` image and tensor parallel 8;
`checkpoint_path` and `hf_model_handle` both set serves the handle but still mounts the
checkpoint; `--max-model-len` is not SGLang's flag (`--context-length` is); NEL's vLLM command
already passes `--trust-remote-code`, and for a checkpoint without `auto_map` it should not run
remote code at all; a `--quantization` flag must agree with a readable ModelOpt checkpoint (vLLM
detects ModelOpt itself and breaks on a mismatched flag).

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L113", "defaults: [{execution: local}, {deployment: sglang}, _self_]\\ndeployment:\\n  image: lmsysorg/sglang:latest\\n  extra_args: --max-model-len 4096\\n"))
3:10 warning[L113]: deployment.image lmsysorg/sglang:latest is not pinned; runs are not reproducible
4:15 error[L113]: --max-model-len is not SGLang's context flag (NEL's SGLang command uses --context-length) [fix: unsafe: use --context-length]
2:1 warning[L113]: deployment.tensor_parallel_size is inherited from NEL's default, 8
"""

from __future__ import annotations

from nelc import flags
from nelc.diagnostics import Severity
from nelc.rulebook import Applicability, Finding, Fix, LintContext
from nelc.nelconfig import deployment_type
from nelc.knowledge import is_pinned, sglang_quantization


def _without(tokens: list[str], flag: str) -> list[str]:
    """`tokens` without `flag` and its value (`--f v` or `--f=v`)."""
    out, skip = [], False
    for token in tokens:
        if skip:
            skip = False
            continue
        name = token.split("=", 1)[0].replace("_", "-")
        if name == flag:
            skip = "=" not in token
            continue
        out.append(token)
    return out


def check_deployment(ctx: LintContext) -> list[Finding]:
    kind = deployment_type(ctx.config)
    deployment = ctx.config.get("deployment") if isinstance(ctx.config.get("deployment"), dict) else {}
    if kind in (None, "none"):
        return []
    out = []
    image = deployment.get("image")
    if image is None and kind in ("vllm", "vllm_ray", "sglang"):
        out.append(Finding(("deployment",), "deployment.image is inherited from NEL's default, an unpinned :latest image",
                           "pin a versioned image", severity=Severity.WARNING))
    elif isinstance(image, str) and not is_pinned(image):
        out.append(Finding(("deployment", "image"), f"deployment.image {image} is not pinned; runs are not reproducible",
                           "use a versioned tag", severity=Severity.WARNING, at_value=True))
    extra = str(deployment.get("extra_args") or "")
    tokens = flags.split(extra) if extra else []
    problem = flags.quoting_problem(extra)
    if problem:
        out.append(Finding(("deployment", "extra_args"), f"deployment.extra_args cannot be read as shell words: {problem.lower()}",
                           "close the quote", at_value=True))
    if kind == "sglang" and flags.has(tokens, "--max-model-len"):
        out.append(Finding(("deployment", "extra_args"), "--max-model-len is not SGLang's context flag (NEL's SGLang command uses --context-length)",
                           "write --context-length N", Fix(Applicability.UNSAFE, "use --context-length",
                                                           (("set", ("deployment", "extra_args"), extra.replace("--max-model-len", "--context-length")),)),
                           at_value=True))
    if kind in ("vllm", "vllm_ray") and flags.has(tokens, "--trust-remote-code") and "base_command" not in deployment:
        cleaned = flags.join([t for t in tokens if t.replace("_", "-") != "--trust-remote-code"])
        out.append(Finding(("deployment", "extra_args"), "--trust-remote-code is already in NEL's vLLM base_command",
                           "remove it from extra_args", Fix(Applicability.SAFE, "remove the duplicate", (("set", ("deployment", "extra_args"), cleaned),)),
                           Severity.WARNING, at_value=True))
    facts = ctx.facts
    config_json = facts.json("config.json") if facts else None
    if kind in ("vllm", "vllm_ray", "trtllm") and config_json is not None and "auto_map" not in config_json \
            and ("base_command" if kind != "trtllm" else "command") not in deployment:
        out.append(Finding(("deployment", "checkpoint_path"), "NEL's command always passes --trust-remote-code, but this checkpoint "
                           "has no auto_map: nothing needs remote code", "override the command without the flag (nelc compile does)",
                           severity=Severity.WARNING))
    quant = facts.modelopt() if facts else None
    given = flags.value_of(tokens, "--quantization")
    if kind in ("vllm", "vllm_ray") and given and given.startswith("modelopt") and not quant:
        cleaned = flags.join(_without(tokens, "--quantization"))
        out.append(Finding(("deployment", "extra_args"), f"--quantization {given} on vLLM: vLLM reads a ModelOpt checkpoint's "
                           "format from its config.json and breaks on a mismatched flag", "drop the flag (the ModelOpt "
                           "evaluation skill passes none to vLLM)", Fix(Applicability.UNSAFE, "remove --quantization",
                                                                        (("set", ("deployment", "extra_args"), cleaned),)),
                           Severity.WARNING, at_value=True))
    if quant and given:
        wanted = sglang_quantization(quant.algo) if kind == "sglang" else None
        if kind in ("vllm", "vllm_ray") or (wanted and given != wanted):
            out.append(Finding(("deployment", "extra_args"), f"--quantization {given} contradicts the checkpoint's ModelOpt {quant.algo} "
                               f"({quant.source})", "vLLM detects ModelOpt itself: drop the flag" if kind != "sglang"
                               else f"use --quantization {wanted}", at_value=True))
    for key in ("tensor_parallel_size",):
        if key not in deployment and kind in ("vllm", "vllm_ray", "sglang", "trtllm"):
            out.append(Finding(("deployment",) if "deployment" in ctx.config else (), f"deployment.{key} is inherited from NEL's default, 8", "write the GPUs your model needs",
                               severity=Severity.WARNING))
    if deployment.get("checkpoint_path") not in (None, "???") and deployment.get("hf_model_handle"):
        out.append(Finding(("deployment", "hf_model_handle"), "both checkpoint_path and hf_model_handle are set: the handle is served, "
                           "the checkpoint only mounted", "keep one", severity=Severity.WARNING))
    return out
