"""L126 check-tokenizer: every task that tokenizes in the evaluation container can load its tokenizer.

Why: log-probability and completions tasks (lm-evaluation-harness `adlr_*`), RULER and genai-perf
tokenize on the client side, in the evaluation container. That container never sees the server's
/checkpoint: a tokenizer path is loadable only where the config mounts it there (local executor:
`execution.extra_docker_args` `-v HOST:PATH`, which NEL 0.2.6 passes to the client's docker run;
SLURM: `execution.mounts.evaluation`). Otherwise give an HF handle. An unset tokenizer, or a path
nothing mounts, fails inside the container after the server has started. Whether the backend loads
it is L128. Runs in `nelc lint` and on every compiled config.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L126", "defaults: [{execution: local}, {deployment: vllm}]\\nevaluation:\\n  tasks:\\n    - name: adlr_gsm8k_cot_8_shot\\n"
...                 "      nemo_evaluator_config: {config: {params: {extra: {tokenizer: /checkpoint, tokenizer_backend: huggingface}}}}\\n"))
5:68 error[L126]: adlr_gsm8k_cot_8_shot loads its tokenizer from /checkpoint, which nothing mounts into the evaluation container (/checkpoint is the server's)
"""

from __future__ import annotations

import posixpath

from nelc import flags

from nelc.nelconfig import dig, execution_type
from nelc.rulebook import Finding, LintContext


def check_tokenizer(ctx: LintContext) -> list[Finding]:
    mounted = evaluation_mounts(ctx.config)
    out = []
    for task in ctx.effective:
        known = task.task
        if known is None or "tokenizer" not in known.extra_params:
            continue
        tokenizer = task.get("config.params.extra.tokenizer")
        if not known.tokenizes_client_side and tokenizer is None:
            continue
        where = task.where("config.params.extra.tokenizer")
        if tokenizer in (None, "???", ""):
            out.append(Finding(where, f"{task.name} tokenizes in the evaluation container but has no extra.tokenizer",
                               "set extra.tokenizer to the model's HF handle, or to a path mounted into the evaluation container"))
            continue
        if isinstance(tokenizer, str) and (tokenizer.startswith(("/", ".", "~"))):
            path = posixpath.normpath(tokenizer)
            if not any(path == m or path.startswith(m.rstrip("/") + "/") for m in mounted):
                server_own = " (/checkpoint is the server's)" if path.startswith("/checkpoint") else ""
                out.append(Finding(where, f"{task.name} loads its tokenizer from {tokenizer}, which nothing mounts into the evaluation "
                                   f"container{server_own}",
                                   "mount it (local: execution.extra_docker_args '-v HOST:PATH:ro'; SLURM: execution.mounts.evaluation "
                                   "{HOST: PATH}), or use the model's HF handle", at_value=True))
    return out


def evaluation_mounts(config) -> list[str]:
    """Container paths mounted into the evaluation (client) container.

    >>> evaluation_mounts({"defaults": [{"execution": "local"}], "execution": {"extra_docker_args":
    ...                    "-v /a:/tok:ro --volume=/b:/c -v/d:/e --mount type=volume,target=/f --mount type=bind,src=/g,target=/h"}})
    ['/tok', '/c', '/e', '/h']
    """
    if str(execution_type(config) or "").startswith("slurm"):
        mounts = dig(config, ("execution", "mounts", "evaluation"))
        return [str(v).split(":", 1)[0] for v in mounts.values()] if isinstance(mounts, dict) else []
    tokens = flags.split(dig(config, ("execution", "extra_docker_args")) or "")
    out = []
    for index, token in enumerate(tokens):
        spec = None
        if token in ("-v", "--volume", "--mount") and index + 1 < len(tokens):
            spec = (token, tokens[index + 1])
        elif token.startswith(("--volume=", "--mount=")):
            spec = tuple(token.split("=", 1))
        elif token.startswith("-v") and not token.startswith("--") and len(token) > 2:
            spec = ("-v", token[2:])  # docker takes `-v/host:/ctr` joined
        if spec is None:
            continue
        kind, value = spec
        if kind == "--mount":
            fields = dict(part.split("=", 1) for part in value.split(",") if "=" in part)
            if fields.get("type", "volume") != "bind":  # docker's default type is a fresh, empty volume
                continue
            target = fields.get("target") or fields.get("dst") or fields.get("destination")
        else:
            parts = value.split(":")
            target = parts[1] if len(parts) > 1 else None
        if target:
            out.append(posixpath.normpath(target))
    return out
