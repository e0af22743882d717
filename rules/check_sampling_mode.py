"""L127 check-sampling-mode: sampling matches the reasoning mode the requests ask for.

Why: model cards recommend different sampling with reasoning on and off (Qwen3 hybrids: 0.6 / 0.95
thinking, 0.7 / 0.8 / top_k 20 without; Nemotron Nano v2 and Super 49B v1.5: greedy without).
Scoring a reasoning-off run with reasoning-on sampling (or the reverse) moves the score and breaks
comparison with published numbers, and nothing fails. The mode is read from the effective adapter
switch (chat_template_kwargs or the family's system prompt); the expected values from
recipes/models.yaml (with sources) for the model's family, which needs a readable checkpoint or
handle: compile always knows it, lint knows it for a local checkpoint_path. temperature and top_p are
checked for tasks whose command reads them, top_k and min_p in the request payload. A warning: a
deliberate choice is allowed. Runs in `nelc lint` and on every compiled config.

Example:
>>> from nelc.facts import ModelFacts
>>> from nelc.lint import demo_lint
>>> qwen3 = ModelFacts(kind="hf_handle", reference="Qwen/Qwen3-8B", hf_handle="Qwen/Qwen3-8B")
>>> print(demo_lint("L127", "evaluation:\\n  nemo_evaluator_config:\\n    config: {params: {temperature: 0.6, top_p: 0.95}}\\n"
...                 "    target: {api_endpoint: {adapter_config: {params_to_add: {chat_template_kwargs: {enable_thinking: false}}}}}\\n"
...                 "  tasks:\\n    - name: ns_gpqa\\n", qwen3))
3:23 warning[L127]: ns_gpqa: temperature 0.6 with reasoning off; the qwen3 card recommends 0.7 for reasoning off (recipes/models.yaml:qwen3)
3:41 warning[L127]: ns_gpqa: top_p 0.95 with reasoning off; the qwen3 card recommends 0.8 for reasoning off (recipes/models.yaml:qwen3)
"""

from __future__ import annotations

from typing import Any

from nelc.effective import EffectiveTask
from nelc.knowledge import ModelFamily, match_family
from nelc.nelconfig import dig
from nelc.rulebook import Finding, LintContext

ADAPTER = "target.api_endpoint.adapter_config"


def check_sampling_mode(ctx: LintContext) -> list[Finding]:
    if ctx.facts is None:
        return []
    found = match_family(ctx.facts, str(dig(ctx.config, ("deployment", "checkpoint_path")) or ""))
    if found is None or not found[0].reasoning:
        return []
    entry = found[0]
    out = []
    for task in ctx.effective:
        mode = reasoning_mode(task, entry)
        expected = entry.sampling_off if mode == "off" else _reasoning_on(ctx, entry)
        if mode is None or not expected:
            continue
        for key, wanted in expected.items():
            path_key = f"config.params.{key}" if key in ("temperature", "top_p") else f"{ADAPTER}.params_to_add.{key}"
            if key in ("temperature", "top_p") and (task.task is None or key not in task.task.params):
                continue
            value = task.get(path_key)
            if value is None and key not in ("temperature", "top_p"):
                continue
            if not _same(value, wanted):
                out.append(Finding(task.where(path_key),
                                   f"{task.name}: {key} {value} with reasoning {mode}; the {entry.family} card recommends {wanted} "
                                   f"for reasoning {mode} ({entry.source})",
                                   f"set {key}: {wanted}, or keep it on purpose and say so in the run's notes"))
    return out


def _reasoning_on(ctx: LintContext, entry: ModelFamily) -> dict[str, Any]:
    """The card's reasoning-on sampling, with generation_config.json's values first (as R225 chooses)."""
    generation = ctx.facts.json("generation_config.json") or {}
    if generation.get("do_sample") is False:
        return {}
    out = dict(entry.sampling)
    for key in ("temperature", "top_p", "top_k", "min_p"):
        if isinstance(generation.get(key), (int, float)) and not isinstance(generation.get(key), bool):
            out[key] = generation[key]
    return out


def reasoning_mode(task: EffectiveTask, entry: ModelFamily) -> str | None:
    """on / off as the requests switch it, or None when the family's switch is not in the config."""
    toggle = entry.reasoning.get("toggle")
    if toggle in ("chat_template_kwargs", "chat_template_kwargs_thinking"):
        key = "enable_thinking" if toggle == "chat_template_kwargs" else "thinking"
        value = task.get(f"{ADAPTER}.params_to_add.chat_template_kwargs.{key}")
        return None if value is None else ("on" if value else "off")
    if toggle == "system_prompt":
        prompt = task.get(f"{ADAPTER}.custom_system_prompt") if task.get(f"{ADAPTER}.use_system_prompt") else None
        if prompt and prompt == entry.reasoning.get("off"):
            return "off"
        return "on"
    return "on" if toggle == "always_on" else None


def _same(value: Any, wanted: Any) -> bool:
    try:
        return abs(float(value) - float(wanted)) < 1e-9
    except (TypeError, ValueError):
        return False
