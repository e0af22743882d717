"""R207 set-generation-length: max_new_tokens that fit the server's context, one value for every task.

Why: the ModelOpt evaluation skill (a2fbac7, SKILL.md:277-283) sets a single top-level
max_new_tokens, never per task: the model card's highest value, else 65536 for reasoning models and
16384 otherwise (the modelopt-2026.05 recipes strip the cap instead, so nothing is set there). And
a request whose prompt plus max_new_tokens exceeds the server's max length is refused (vLLM answers
HTTP 400) and the task scores nothing. So the value is capped at the context length minus the
set's `prompt_reserve` (at most a quarter of the context); and any task whose effective value (its
own, or a registry default: nelc.effective) does not fit with its prompt (a recipe states AA-LCR's
~120K; RULER fills its prompts to extra.max_seq_length) gets a capped value of its own, with a
warning that says what to raise instead. A harness that always sends its own cap (MT-Bench's 1024,
recipes/benchmarks.yaml `generation_cap_fields`) gets none, with a warning for a reasoning model,
whose answers it cuts off. Base models keep their tasks' own
generation lengths unless they do not fit.

Example:
>>> from nelc.engine import demo
>>> print(demo("R207", "model: org/m\\nmodel_type: chat_reasoning\\nbenchmarks: [ns_gpqa]\\n",
...            files={"config.json": {"max_position_embeddings": 40960}}))
evaluation.nemo_evaluator_config.config.params.max_new_tokens: 36864  # R207: 65536 (reasoning model, ModelOpt evaluation skill at NVIDIA/Model-Optimizer a2fbac7 (2026-08)) capped at the context 40960 minus 4096 for the prompt
"""

from __future__ import annotations

from nelc.derived import FAMILY, MODEL_TYPE, TASKS
from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.effective import effective_tasks, server
from nelc.facts import Context
from nelc.knowledge import family_named, fixed_generation_cap, recipe_knowledge, recipe_set
from nelc.placement import place_param



def set_generation_length(draft: Draft, ctx: Context) -> Draft:
    chosen = recipe_set(ctx.spec.recipes)
    context = server(draft.plain()).max_length or (ctx.facts.context_window() or (None,))[0]
    prompts = {i: (r.input_tokens, r.name) for i, t in enumerate(draft.get(TASKS, ()))
               if (r := recipe_knowledge(t.qualified, t.recipe, ctx.spec.recipes)) and r.input_tokens}
    if chosen.max_new_tokens and draft.get(MODEL_TYPE) == "chat_reasoning":
        entry = family_named(draft.get(FAMILY))
        reasoning = ctx.spec.reasoning != "off" and (entry is None or bool(entry.reasoning))
        wanted = chosen.max_new_tokens["reasoning" if reasoning else "other"]
        why = f"{wanted} ({'reasoning' if reasoning else 'non-reasoning'} model, {chosen.skill})"
        reserve = _reserve(chosen.prompt_reserve, context)
        if context and wanted + reserve > context:  # a task with a longer prompt is capped on its own below
            wanted = context - reserve
            why += f" capped at the context {context} minus {reserve} for the prompt"
        if wanted > 0:
            draft = place_param(draft, "max_new_tokens", wanted, why, chosen.source,
                                takes=lambda task: fixed_generation_cap(task.harness) is None)
        draft = _fixed_caps(draft, ctx, wanted, reasoning)
    elif not chosen.max_new_tokens:
        draft = draft.decide("max_new_tokens", f"the {chosen.name} recipes strip the cap (params_to_remove): none is set")
    return _fit(draft, ctx, context, prompts, _reserve(chosen.prompt_reserve, context)) if context else draft


def _fixed_caps(draft: Draft, ctx: Context, wanted: int, reasoning: bool) -> Draft:
    """A harness that always sends its own cap gets no max_new_tokens (it would change nothing); a
    reasoning model whose answers that cap cuts off is a warning."""
    for task in effective_tasks(draft.plain()):
        fixed = fixed_generation_cap(task.harness)
        if fixed is None:
            continue
        draft = draft.decide(f"evaluation.tasks.{task.index} max_new_tokens",
                             f"{task.harness} always sends max_tokens {fixed[0]}: no max_new_tokens is set", fixed[1])
        if reasoning and fixed[0] < wanted:
            draft = draft.report(Severity.WARNING, f"{task.name}: {task.harness} caps every answer at {fixed[0]} tokens whatever "
                                 f"max_new_tokens says, and a reasoning model's answers are cut off there: its score is not the "
                                 "model's", f"run it with reasoning: off, or leave it out ({fixed[1].split(' (')[0]})",
                                 **ctx.at("benchmarks"))
    return draft


def _reserve(reserve: int, context: int | None) -> int:
    """The prompt margin, at most a quarter of a small context (a 4096-token model keeps 3072 to generate)."""
    return max(1, min(reserve, context // 4)) if context else reserve


def _fit(draft: Draft, ctx: Context, context: int, prompts: dict, reserve: int) -> Draft:
    """Cap, per task, an effective max_new_tokens (often a registry default) that overflows the context."""
    resolved = draft.get(TASKS, ())
    for task in effective_tasks(draft.plain()):
        if task.index < len(resolved) and _spec_sets_it(ctx, resolved[task.index].benchmarks):
            continue  # the spec's own value for this task wins (R190); L122 judges it
        gen = task.values.get("config.params.max_new_tokens")
        if task.task is None or "max_new_tokens" not in task.task.params or task.strips_generation_cap or gen is None or not isinstance(gen.value, int):
            continue
        prompt, prompt_of = prompts.get(task.index, (reserve, "the prompt"))
        fill = task.filled_prompt
        if fill is not None and fill.prompt > 0:
            prompt, prompt_of = fill.prompt, f"prompts filled to {fill.param} {fill.filled} (recipes/benchmarks.yaml prompt_fill)"
        if gen.value + prompt <= context or context - prompt <= 0:
            continue
        capped = context - prompt
        draft = draft.set(f"evaluation.tasks.{task.index}.nemo_evaluator_config.config.params.max_new_tokens", capped,
                          f"max_new_tokens {gen.value} ({gen.describe(task.task)}) plus {prompt} for {prompt_of} overflows "
                          f"the context {context}: capped so no request is refused")
        draft = draft.report(Severity.WARNING, f"{task.name}: max_new_tokens capped from {gen.value} to {capped} to fit the "
                             f"context {context} (with {prompt} tokens for {prompt_of})",
                             "serve a longer context (deployment.extra_args) if answers need the full length", **ctx.at("benchmarks"))
    return draft


def _spec_sets_it(ctx: Context, positions: tuple[int, ...]) -> bool:
    """A benchmarks entry naming the task gives its own max_new_tokens."""
    for position in positions:
        entry = ctx.spec.benchmarks[position]
        if isinstance(entry, str):
            continue
        config = entry.nemo_evaluator_config.get("config")
        params = config.get("params") if isinstance(config, dict) else None
        if "max_new_tokens" in entry.params or (isinstance(params, dict) and "max_new_tokens" in params):
            return True
    return False
