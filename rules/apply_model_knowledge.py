"""R220 apply-model-knowledge: serve flags, env, image pins and parser plugins a model card asks for.

Why: the ModelOpt evaluation skill's Step 3 has an expert read the model card for a reasoning parser (and its plugin
file), a tool-call parser, documented serve flags and env vars, and an image pin. nelc keeps that
knowledge as data in recipes/models.yaml, one entry per family with its sources, matched by the HF
handle (or checkpoint folder name) and config.json `model_type` / `architectures`. The spec's own
flags, env values and image always win. A parser plugin is fetched by `deployment.pre_cmd` on
SLURM; NEL's local executor does not run pre_cmd, so there it is mounted from the host instead.

Example:
>>> from nelc.engine import demo
>>> print(demo("R220", "model: Qwen/Qwen3-8B\\nmodel_type: chat_reasoning\\nbenchmarks: [ns_gpqa]\\n"))
family: qwen3  # R220: matched recipes/models.yaml entry qwen3 (handle Qwen/Qwen3-8B)
deployment.extra_args += --reasoning-parser qwen3  # R220: qwen3: reasoning parser qwen3
deployment.extra_args += --enable-auto-tool-choice  # R220: qwen3: tool calling
deployment.extra_args += --tool-call-parser hermes  # R220: qwen3: tool-call parser hermes
"""

from __future__ import annotations

import posixpath

from nelc import flags
from nelc.derived import FAMILY, QUANTIZATION
from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context
from nelc.knowledge import ModelFamily, match_family
PLUGIN_DIR = "/nelc-plugins"  # where a parser plugin lives inside the server container


def apply_model_knowledge(draft: Draft, ctx: Context) -> Draft:
    backend = ctx.spec.backend
    if backend not in ("vllm", "sglang"):
        return draft.decide("model knowledge", f"backend {backend}: recipes/models.yaml covers vLLM and SGLang serve flags")
    found = match_family(ctx.facts, ctx.spec.model)
    if found is None:
        return draft.decide("model knowledge", "no recipes/models.yaml entry matches this model: no card-specific flags")
    entry, matched = found
    source = entry.source
    family = entry.family
    draft = draft.set(FAMILY, family, f"matched recipes/models.yaml entry {family} ({matched})", source)
    reasoning = entry.reasoning
    parser = (reasoning.get("parser") or {}).get(backend)
    if parser and ctx.spec.model_type != "base":
        if reasoning.get("plugin_url") and backend == "vllm":
            draft, plugin = _plugin(draft, ctx, reasoning["plugin_url"], source)
            draft = draft.add_flag("--reasoning-parser-plugin", plugin, why=f"{family}: the card's custom reasoning parser", source=source)
        draft = draft.add_flag("--reasoning-parser", parser, why=f"{family}: reasoning parser {parser}", source=source)
    tool_parser = (entry.tool_calling.get("parser") or {}).get(backend)
    if tool_parser and ctx.spec.model_type != "base":
        if backend == "vllm":
            draft = draft.add_flag("--enable-auto-tool-choice", why=f"{family}: tool calling", source=source)
        draft = draft.add_flag("--tool-call-parser", tool_parser, why=f"{family}: tool-call parser {tool_parser}", source=source)
    for flag_tokens in entry.extra_flags.get(backend, []):
        tokens = flags.split(flag_tokens)
        draft = draft.add_flag(tokens[0], *tokens[1:], why=f"{family}: serve flag the card documents", source=source)
    algo = _algo(draft)
    for flag_tokens in (entry.flags_when_quantized.get(backend) or {}).get(algo or "", []):
        tokens = flags.split(flag_tokens)
        draft = draft.add_flag(tokens[0], *tokens[1:], why=f"{family}: serve flag for the {algo} variant", source=source)
    draft = _env(draft, ctx, entry, backend, source)
    return _image(draft, ctx, entry, backend, source)


def _plugin(draft: Draft, ctx: Context, url: str, source: str) -> tuple[Draft, str]:
    filename = posixpath.basename(url)
    in_container = f"{PLUGIN_DIR}/{filename}"
    if ctx.spec.executor == "slurm":
        draft = draft.set("deployment.pre_cmd", f"mkdir -p {PLUGIN_DIR} && curl -fsSL -o {in_container} {url}",
                          "fetch the card's reasoning parser plugin before the server starts (needs NEMO_EVALUATOR_TRUST_PRE_CMD=1)",
                          source)
        return draft.report(Severity.NOTE, "deployment.pre_cmd fetches the reasoning parser plugin",
                            "export NEMO_EVALUATOR_TRUST_PRE_CMD=1 before `nel run`", **ctx.at("model")), in_container
    host = posixpath.join(ctx.spec_dir, "nelc-plugins", filename)
    draft = draft.set(("execution", "mounts", "deployment", host), in_container,
                      "NEL's local executor skips deployment.pre_cmd: the plugin is mounted from the host", source)
    return draft.report(Severity.WARNING, f"the reasoning parser plugin must exist on this host at {host}",
                        f"before `nel run`: mkdir -p {posixpath.dirname(host)} && curl -fsSL -o {host} {url}",
                        **ctx.at("model")), in_container


def _env(draft: Draft, ctx: Context, entry: ModelFamily, backend: str, source: str) -> Draft:
    env = dict(entry.env.get(backend, {}))
    algo = _algo(draft)
    if algo:
        env.update((entry.env_when_quantized.get(backend) or {}).get(algo, {}))
    for name, value in env.items():
        if name in ctx.spec.deployment.env_vars:
            draft = draft.decide(f"deployment.env_vars.{name}", "the spec's own value wins", ctx.source("deployment", "env_vars", name))
        else:
            draft = draft.set(f"deployment.env_vars.{name}", f"lit:{value}",
                              f"{entry.family} card requires it" + (f" for {algo}" if algo else ""), source)
    return draft


def _algo(draft: Draft) -> str | None:
    """The checkpoint's weight quantization (FP8, NVFP4, ...) as R201 detected it."""
    quantization = draft.get(QUANTIZATION)
    return quantization.algo.upper() if quantization and quantization.algo else None


def _image(draft: Draft, ctx: Context, entry: ModelFamily, backend: str, source: str) -> Draft:
    """`image` in models.yaml is the card's minimum; the default pin is raised to it, never lowered."""
    minimum = entry.image.get(backend)
    if not minimum:
        return draft
    if ctx.spec.deployment.image:
        return draft.decide("deployment.image", f"the spec's image wins (the {entry.family} card asks for at least {minimum})",
                            ctx.source("deployment", "image"))
    current = draft.get("deployment.image", "")
    if _version(minimum) <= _version(current):
        return draft.decide("deployment.image", f"{current} meets the {entry.family} card's minimum {minimum}", source)
    return draft.set("deployment.image", minimum, f"the {entry.family} card needs at least this server version", source)


def _version(image: str) -> tuple[int, ...]:
    """`vllm/vllm-openai:v0.12.0` -> (0, 12, 0); unparsable tags sort first."""
    tag = image.rsplit(":", 1)[-1].lstrip("v")
    parts = []
    for piece in tag.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)
