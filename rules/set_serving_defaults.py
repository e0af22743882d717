"""R245 set-serving-defaults: the vLLM flags the ModelOpt evaluation skill always includes, where they apply.

Why: the skill's Step 3 (a2fbac7 SKILL.md:242-255) lists vLLM-backend defaults to include unless
the recipe contradicts them. nelc adopts three (recipes/backends.yaml `serving_defaults`; the two
it rejects, and why, are in recipes/UPSTREAM.md):
- `--enable-chunked-prefill`: long prefills (AA-LCR's ~120K input) interleave with decode instead
  of stalling it; vLLM enables it by default for many models, so it is set to avoid drift;
- `--enable-expert-parallel` for a mixture-of-experts checkpoint (config.json counts its routed
  experts), never for a dense one;
- `--max-num-seqs N` with N = ceil(the largest task parallelism / (data_parallel_size x
  num_instances)): each replica then decodes as many sequences as the client keeps in flight
  (fewer queue; more reserve KV cache for nothing).
It runs after R190, so the final parallelism, replica count and the spec's own flags count: a
flag the spec's extra_args already gives is left as written. Raw `overrides` of
deployment.extra_args are the user's last word and stay exactly as written (R196 checks that text),
and a custom `deployment.command` that does not paste `${deployment.extra_args}` gets none.

Example:
>>> from nelc.engine import demo
>>> print(demo("R245", "model: /ckpt\\nbenchmarks: [simple_evals.mmlu]\\n"
...            "overrides: {evaluation: {nemo_evaluator_config: {config: {params: {parallelism: 40}}}}}\\n"
...            "deployment: {data_parallel_size: 4, extra_args: --max-model-len 8192}\\n"))
deployment.extra_args += --enable-chunked-prefill  # R245: interleave long prefills with decode (the skill's vLLM default)
deployment.extra_args += --max-num-seqs 10  # R245: ceil(largest task parallelism 40 / (4 data-parallel x 1 instance)) = 10
"""

from __future__ import annotations

import math

from nelc.draft import Draft
from nelc.effective import effective_tasks
from nelc.facts import Context
from nelc.knowledge import serving_default


def set_serving_defaults(draft: Draft, ctx: Context) -> Draft:
    if ctx.spec.backend != "vllm":
        return draft.decide("serving defaults", f"backend {ctx.spec.backend}: the skill's serving defaults are vLLM flags")
    if ctx.wrote("overrides", "deployment", "extra_args"):
        return draft.decide("serving defaults", "the spec's overrides give deployment.extra_args verbatim",
                            ctx.source("overrides", "deployment", "extra_args"))
    command = draft.get("deployment.command")
    if isinstance(command, str) and "${deployment.extra_args}" not in command:
        return draft.decide("serving defaults", "deployment.command is the spec's own and does not paste extra_args",
                            ctx.source("overrides", "deployment", "command"))
    chunked = serving_default("vllm", "chunked_prefill")
    draft = draft.add_flag(chunked["flag"], why="interleave long prefills with decode (the skill's vLLM default)", source=chunked["source"])
    draft = _expert_parallel(draft, ctx)
    return _max_num_seqs(draft)


def _expert_parallel(draft: Draft, ctx: Context) -> Draft:
    default = serving_default("vllm", "expert_parallel")
    experts = ctx.facts.routed_experts(tuple(default["moe_fields"]))
    if experts is None:
        why = "config.json counts no routed experts" if ctx.facts.json("config.json") is not None else "config.json could not be read"
        return draft.decide(default["flag"], f"{why}: a dense model gets no expert parallelism", default["source"])
    count, where = experts
    return draft.add_flag(default["flag"], why=f"a mixture-of-experts model ({count} routed experts, {where})",
                          source=default["source"])


def _max_num_seqs(draft: Draft) -> Draft:
    default = serving_default("vllm", "max_num_seqs")
    counts = [p for task in effective_tasks(draft.plain())
              if isinstance(p := task.get("config.params.parallelism"), int) and not isinstance(p, bool) and p > 0]
    replicas = _count(draft.get("deployment.data_parallel_size")), _count(draft.get("execution.num_instances"))
    if not counts:
        return draft.decide(default["flag"], "no task sets a parallelism: vLLM keeps its own default", default["source"])
    seqs = math.ceil(max(counts) / (replicas[0] * replicas[1]))
    instances = f"{replicas[1]} instance" + ("s" if replicas[1] > 1 else "")
    return draft.add_flag(default["flag"], str(seqs), source=default["source"],
                          why=f"ceil(largest task parallelism {max(counts)} / ({replicas[0]} data-parallel x {instances})) = {seqs}")


def _count(value) -> int:
    """A replica count as NEL reads it; anything but a positive integer counts as one."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 1
