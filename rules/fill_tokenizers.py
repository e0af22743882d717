"""R167 fill-tokenizers: a tokenizer for every task whose command reads `extra.tokenizer`.

Why: completions and log-probability tasks (lm-evaluation-harness `adlr_*`) and long-context
ruler tasks tokenize in the evaluation container, which cannot see the server's /checkpoint;
NEL's templates leave `tokenizer: ???`. nelc fills it with the model's HF handle (or the handle a
checkpoint's config.json `_name_or_path` names) only on those tasks, so no other task gets an
unused parameter, and sets `tokenizer_backend` where the command reads it, by the name that harness
loads a Hugging Face tokenizer with (recipes/benchmarks.yaml `tokenizer_backends`: lm-eval
`huggingface`, RULER `hf`; RULER raises "Unknown tokenizer_type huggingface"). A local checkpoint with
no known handle (the ModelOpt skill's own FP8 Llama at ./path on MMLU and GSM8K) is mounted into the
evaluation container read-only at /nelc-checkpoint and its own tokenizer used: local executor via
`execution.extra_docker_args` (NEL passes them to the client's docker run too), SLURM via
`execution.mounts.evaluation`.

Example:
>>> from nelc.engine import demo
>>> print(demo("R167", "model: meta-llama/Llama-3.1-8B\\nmodel_type: base\\nbenchmarks: [adlr_gsm8k_cot_8_shot]\\n"))
evaluation.tasks.0.nemo_evaluator_config.config.params.extra.tokenizer: meta-llama/Llama-3.1-8B  # R167: adlr_gsm8k_cot_8_shot tokenizes in the evaluation container: the model's HF handle
evaluation.tasks.0.nemo_evaluator_config.config.params.extra.tokenizer_backend: huggingface  # R167: the command reads tokenizer_backend; huggingface is lm-evaluation-harness's name for a Hugging Face tokenizer (nvidia-lm-eval==26.3 lm_eval/models/api_models.py:141-183)
"""

from __future__ import annotations

import re

from nelc import flags
from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context
from nelc.nelconfig import dig
from nelc.knowledge import lookup, tokenizer_backends

MOUNTED = "/nelc-checkpoint"  # where the checkpoint appears in the evaluation container
_HANDLE = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
OVERRIDE = ("evaluation", "nemo_evaluator_config", "config", "params", "extra", "tokenizer")


def tokenizer_for(ctx: Context) -> tuple[str, str] | None:
    facts = ctx.facts
    if ctx.spec.tokenizer:
        return ctx.spec.tokenizer, "set in the spec"
    if facts.hf_handle:
        return facts.hf_handle, "the model's HF handle"
    for name, key in (("config.json", "_name_or_path"), ("tokenizer_config.json", "name_or_path")):
        value = (facts.json(name) or {}).get(key)
        if isinstance(value, str) and _HANDLE.match(value) and not value.startswith(("/", ".")):
            return value, f"{facts.where(name, key)} names the original model"
    return None


def fill_tokenizers(draft: Draft, ctx: Context) -> Draft:
    user_value = dig(ctx.spec.overrides, OVERRIDE)
    for index, task in enumerate(draft.get("evaluation.tasks", ())):
        registered = lookup(task["name"]).task
        base = f"evaluation.tasks.{index}.nemo_evaluator_config.config.params.extra"
        extra = draft.get(base, {}) or {}
        needed = extra.get("tokenizer") == "???" or registered.tokenizes_client_side
        if needed and "tokenizer" in registered.extra_params and extra.get("tokenizer") in (None, "???"):
            found = tokenizer_for(ctx)
            if user_value:
                draft = draft.delete(f"{base}.tokenizer", "the spec's overrides give the tokenizer") if "tokenizer" in extra else draft
            elif found is None and _mountable(ctx):
                draft = _mount_checkpoint(draft, ctx)
                draft = draft.set(f"{base}.tokenizer", MOUNTED, f"{task['name']} tokenizes in the evaluation container: "
                                  "the checkpoint's own tokenizer, mounted there read-only", ctx.source("model"))
            elif found is None:
                draft = draft.report(Severity.ERROR, f"{task['name']} needs a tokenizer the evaluation container can load, and "
                                     "none is known for this model (no HF handle, and no readable local checkpoint with a tokenizer to mount)",
                                     "set `tokenizer: org/name` in the spec (the model's original HF handle)", **ctx.at("benchmarks"))
            else:
                draft = draft.set(f"{base}.tokenizer", found[0], f"{task['name']} tokenizes in the evaluation container: {found[1]}",
                                  ctx.source("tokenizer") if ctx.spec.tokenizer else ctx.source("model"))
        if needed and "tokenizer_backend" in registered.extra_params and "tokenizer_backend" not in extra:
            known = tokenizer_backends(registered.harness)
            if known is not None:
                draft = draft.set(f"{base}.tokenizer_backend", known[0],
                                  f"the command reads tokenizer_backend; {known[0]} is {registered.harness}'s name for a Hugging Face "
                                  f"tokenizer ({known[2].split(' (')[0]})")
            else:
                draft = draft.set(f"{base}.tokenizer_backend", "huggingface",
                                  "the command reads tokenizer_backend; NEL's templates use huggingface")
    return draft


def _mountable(ctx: Context) -> bool:
    """A local checkpoint nelc could read, with a tokenizer in it, on an executor that can mount it."""
    return (ctx.facts.checkpoint_path is not None and ctx.facts.json("tokenizer_config.json") is not None
            and ctx.spec.executor in ("local", "slurm"))


def _mount_checkpoint(draft: Draft, ctx: Context) -> Draft:
    """NEL 0.2.6 mounts into the evaluation container: local, `execution.extra_docker_args`, which
    run.template.sh passes to the client's `docker run` as well as the server's; SLURM,
    `execution.mounts.evaluation` (slurm/executor.py adds it to the client's --container-mounts)."""
    host = ctx.facts.checkpoint_path
    why = "the evaluation container needs the checkpoint's tokenizer (NEL never mounts the checkpoint there)"
    if ctx.spec.executor == "slurm":
        return draft.set(("execution", "mounts", "evaluation", host), MOUNTED, why, ctx.source("model"))
    current = draft.get("execution.extra_docker_args", "") or ""
    mount = f"-v {flags.join([f'{host}:{MOUNTED}:ro'])}"
    if mount in current:
        return draft
    return draft.set("execution.extra_docker_args", f"{current} {mount}".strip(), why + "; NEL passes these to the client's docker run too",
                     ctx.source("model"))
