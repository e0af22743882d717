"""L122 check-context-fit: each task's prompt plus generation fits the server's max length.

Why: vLLM refuses a request whose prompt plus max_tokens exceeds --max-model-len (HTTP 400), and
the task ends with no score; the dry run never sees it. The ModelOpt evaluation skill learned it on
AA-LCR (upstream ed8a9ab): a 131072 floor overflowed with ~120K input plus generation. The check
reads each task's effective max_new_tokens (nelc.effective; a task that strips it with
params_to_remove lets the server use what is left) and the longest prompt its recipe states, against
the context flag in the server command (else config.json's max_position_embeddings for a readable
checkpoint); a harness that always sends its own cap (MT-Bench: 1024) is checked with that. RULER fills each prompt to extra.max_seq_length less its own generation budget, and a
max_new_tokens replaces that budget (recipes/benchmarks.yaml `prompt_fill`): over the server's
length each request gets 400 and RULER retries it forever. A recipe's own floor (`min_context`)
above the server's length is a warning. Runs in `nelc lint` and on every compiled config.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L122", "defaults: [{deployment: vllm}]\\ndeployment: {extra_args: --max-model-len 131072}\\n"
...                 "evaluation:\\n  tasks:\\n    - name: aa_lcr\\n"))
5:7 error[L122]: aa_lcr: a 120000-token prompt plus max_new_tokens 16384 (NEL 0.2.6 registry default of AA-LCR.aa_lcr) is 136384 tokens, above the server's max length 131072: the server answers HTTP 400 and the task scores nothing
"""

from __future__ import annotations

from nelc.effective import FilledPrompt, server
from nelc.diagnostics import Severity
from nelc.knowledge import fixed_generation_cap, recipe_for_task
from nelc.rulebook import Finding, LintContext



def check_context_fit(ctx: LintContext) -> list[Finding]:
    length = server(ctx.config).max_length
    source = "the server's max length"
    if length is None and ctx.facts is not None and ctx.facts.context_window():
        length, where = ctx.facts.context_window()
        source = f"the model's context ({where})"
    if length is None:
        return []
    out = []
    for task in ctx.effective:
        recipe = recipe_for_task(task.qualified)
        gen = task.values.get("config.params.max_new_tokens")
        reads = task.task is not None and "max_new_tokens" in task.task.params
        prompt = recipe.input_tokens if recipe and recipe.input_tokens else 0
        fill = task.filled_prompt
        if fill is not None:
            out.extend(_filled_prompt(task, fill, gen.value if reads and gen is not None else None, length, source))
        elif reads and not task.strips_generation_cap and gen is not None and isinstance(gen.value, int) and not isinstance(gen.value, bool):
            fixed = fixed_generation_cap(task.harness)  # what the harness really sends (MT-Bench: always 1024)
            cap, origin = (fixed[0], f"what {task.harness} always sends, {fixed[1].split(' (')[0]}") if fixed \
                else (gen.value, gen.describe(task.task))
            if cap + max(prompt, 1) > length:  # every prompt has at least one token
                what = f"a {prompt}-token prompt plus max_new_tokens {cap}" if prompt else f"max_new_tokens {cap}"
                total = f" is {cap + prompt} tokens," if prompt else ""
                out.append(Finding(task.where("config.params.max_new_tokens"),
                                   f"{task.name}: {what} ({origin}){total} above {source} {length}: the server answers HTTP 400 "
                                   "and the task scores nothing",
                                   f"lower max_new_tokens to at most {length - max(prompt, 1) - 1}, or serve a longer context"
                                   if length - max(prompt, 1) > 1 else "serve a longer context"))
        if recipe and recipe.min_context and recipe.min_context > length:
            out.append(Finding(("evaluation", "tasks", task.index),
                               f"{task.name}: recipe {recipe.name} ({recipe.recipe_set}) asks for a context of at least "
                               f"{recipe.min_context}; {source} is {length}",
                               "serve that context, the same for the baseline and the candidate", severity=Severity.WARNING))
    return out


def _filled_prompt(task, fill: FilledPrompt, cap, length: int, source: str) -> list[Finding]:
    """RULER builds each prompt to fill extra.max_seq_length less its own generation budget; a
    max_new_tokens replaces that budget on every request (recipes/benchmarks.yaml `prompt_fill`)."""
    param, key = fill.param, fill.key
    if isinstance(cap, int) and not isinstance(cap, bool) and not task.strips_generation_cap:
        longest = fill.prompt + cap
        what = f"prompts filled to {param} {fill.filled} less its {fill.smallest_budget}-token budget, plus max_new_tokens {cap},"
        at = "config.params.max_new_tokens"
    else:
        longest, what, at = fill.filled, f"prompts filled to {param} {fill.filled} (generation included)", key
    if longest <= length:
        return []
    return [Finding(task.where(at), f"{task.name}: {what} reach {longest} tokens, above {source} {length}: every such "
                    "request gets HTTP 400 and RULER retries it forever, until the walltime",
                    f"serve at least {longest} tokens, or lower {param}" + (" or drop max_new_tokens" if at != key else "")
                    + f" ({fill.source.split(' (')[0]})")]
