"""R205 set-context-length: the server's context length from config.json, in the backend's grammar.

Why: NEL's templates hard-code 32768, which truncates long-context models and breaks models with
a shorter window. `max_position_embeddings` (or `text_config.max_position_embeddings` for
vision-language configs) wins; 32768 is used only when nothing is known, with a warning. Recipes
with a minimum (scicode 65536, aa_lcr 196608 in the modelopt-2026.08 set) raise the fallback; for a model whose
window is shorter each benchmark that does not fit is an error of its own, all in one compile (not one per
rerun). One length flag only; a length in `deployment.extra_args` wins.

Example:
>>> from nelc.engine import demo
>>> print(demo("R205", "model: ./ckpt\\nmodel_type: base\\nbackend: sglang\\nbenchmarks: [x]\\n",
...            files={"config.json": {"max_position_embeddings": 131072}}))
context_length: 131072  # R205: config.json:max_position_embeddings
deployment.extra_args += --context-length 131072  # R205: context length 131072 from config.json:max_position_embeddings
>>> print(demo("R205", "model: ./ckpt\\nmodel_type: chat_reasoning\\nbenchmarks: [aa_lcr, scicode, gpqa]\\n",
...            files={"config.json": {"max_position_embeddings": 40960}}))
error[R205]: aa_lcr needs a context of 196608 tokens; this model has 40960 (config.json:max_position_embeddings)
error[R205]: scicode needs a context of 65536 tokens; this model has 40960 (config.json:max_position_embeddings)
"""

from __future__ import annotations

from nelc import flags
from nelc.derived import CONTEXT_LENGTH, TASKS
from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context
from nelc.knowledge import backend as backend_named, context_minimums, recipe_knowledge

FALLBACK = 32768
LENGTH_FLAGS = ("--max-model-len", "--context-length", "--max-seq-len")  # compared with _ and - unified


def set_context_length(draft: Draft, ctx: Context) -> Draft:
    backend = ctx.spec.backend
    known_backend = backend_named(backend)
    flag = known_backend.context_flag if known_backend else None
    if flag is None:
        return draft.decide("deployment.extra_args (context length)", f"backend {backend}: the server picks its own context length")
    tokens = flags.split(draft.get("deployment.extra_args", ""))
    minimum, needers = recipe_minimum(draft, ctx.spec.recipes)
    present = [f for f in LENGTH_FLAGS if flags.has(tokens, f)]
    if present:
        given = flags.token_count(flags.value_of(tokens, flag))
        if given is not None and given < minimum:
            draft = draft.report(Severity.WARNING, f"{flag} {given} is below the {minimum} that {needers} need",
                                 f"raise it to at least {minimum}", **ctx.at("deployment", "extra_args"))
        if flags.has(tokens, flag):
            return draft.decide("deployment.extra_args (context length)", f"the spec's own {flag} wins",
                                ctx.source("deployment", "extra_args"))
        return draft.report(Severity.WARNING, f"{present[0]} is not {backend}'s context-length flag",
                            f"write {flag} N for {backend}", **ctx.at("deployment", "extra_args"))
    known = ctx.facts.context_window()
    if known is None:
        length = max(FALLBACK, minimum)
        why = (f"{needers} need{'s' if ',' not in needers else ''} at least {minimum} (the model's own limit is unknown)"
               if minimum > FALLBACK else f"fallback context length {FALLBACK}: nothing is known about the model")
        draft = draft.set(CONTEXT_LENGTH, length, why)
        draft = draft.report(Severity.WARNING,
                             f"context length unknown (no readable config.json); using {length}",
                             f"compile where config.json is readable, or add {flag} N to deployment.extra_args",
                             **ctx.at("model"))
        return draft.add_flag(flag, str(length), why=why)
    length, source = known
    too_long = [need for need in recipe_needs(draft, ctx.spec.recipes) if need[0] > length]
    for tokens, name, positions in too_long:  # every benchmark that does not fit, so one compile names them all
        draft = draft.report(Severity.ERROR, f"{name} needs a context of {tokens} tokens; this model has {length} ({source})",
                             f"drop {name} from benchmarks, or evaluate a model with a longer context window",
                             **ctx.at("benchmarks", *positions[:1]))
    if too_long:
        return draft
    draft = draft.set(CONTEXT_LENGTH, length, source, source)
    return draft.add_flag(flag, str(length), why=f"context length {length} from {source}", source=source)


def recipe_needs(draft: Draft, recipe_set: str | None = None) -> list[tuple[int, str, tuple[int, ...]]]:
    """Each selected task's minimum context (scicode 65536, aa_lcr 196608, ruler-Nk), its name, and the
    positions in the spec's `benchmarks` that ask for it."""
    needs = []
    for task in draft.get(TASKS, ()):
        recipe = recipe_knowledge(task.qualified, task.recipe, recipe_set)
        if recipe is not None and recipe.min_context:
            needs.append((recipe.min_context, recipe.name, task.benchmarks))
        needs += [(tokens, task.qualified.split(".", 1)[1], task.benchmarks) for tokens in context_minimums(task.qualified)]
    return needs


def recipe_minimum(draft: Draft, recipe_set: str | None = None) -> tuple[int, str]:
    """The largest minimum context among the selected tasks and the tasks that need more than the rest would."""
    needs = recipe_needs(draft, recipe_set)
    if not needs:
        return 0, ""
    top = max(n for n, _, _ in needs)
    return top, ", ".join(name for n, name, _ in needs if n == top)
