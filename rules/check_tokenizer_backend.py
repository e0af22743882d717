"""L128 check-tokenizer-backend: a task that needs a tokenizer names a backend its harness loads one with.

Why: `extra.tokenizer_backend` is pasted into the harness command as given, and each harness knows
its own names (recipes/benchmarks.yaml `tokenizer_backends`, from the 26.3 wheels): lm-eval loads a
Hugging Face tokenizer with `huggingface` and none with `None`, its registry default, so a
log-probability task silently runs untokenized; RULER takes `hf` and raises "Unknown
tokenizer_type huggingface" at start-up, after the server has loaded. Runs in `nelc lint` and on
every compiled config.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L128", "defaults: [{execution: local}, {deployment: vllm}]\\nevaluation:\\n  tasks:\\n    - name: ruler-4k-completions\\n"
...                 "      nemo_evaluator_config: {config: {params: {extra: {tokenizer: org/model, tokenizer_backend: huggingface}}}}\\n"))
5:98 error[L128]: ruler-4k-completions: tokenizer_backend 'huggingface' is not a name ruler accepts (nemo, hf, openai, gemini)
"""

from __future__ import annotations

from nelc.knowledge import tokenizer_backends
from nelc.rulebook import Finding, LintContext

KEY = "config.params.extra.tokenizer_backend"


def check_tokenizer_backend(ctx: LintContext) -> list[Finding]:
    out = []
    for task in ctx.effective:
        known = task.task
        if known is None or "tokenizer_backend" not in known.extra_params:
            continue
        backend = task.get(KEY)
        names = tokenizer_backends(known.harness)
        if names is not None and str(backend) not in names[1]:
            out.append(Finding(task.where(KEY), f"{task.name}: tokenizer_backend {backend!r} is not a name {known.harness} accepts "
                               f"({', '.join(names[1])})", f"set extra.tokenizer_backend: {names[0]} ({names[2]})", at_value=True))
        elif backend in (None, "None", "none") and "logprobs" in known.capabilities:
            hf = names[0] if names else "huggingface"
            out.append(Finding(task.where(KEY), f"{task.name}: tokenizer_backend is {backend!r} (the registry default): the tokenizer "
                               "is not loaded", f"set extra.tokenizer_backend: {hf}"))
    return out
