"""L139 check-tensor-parallel: the tensor-parallel size must split the model's attention heads as vLLM requires.

Why: vLLM refuses to start when `--tensor-parallel-size` does not divide config.json's
`num_attention_heads` (vllm/config/model.py ModelConfig.verify_with_parallel_config: "Total number of
attention heads (32) must be divisible by tensor parallel size (3)"), and its attention layers assert
that the KV heads split evenly too: `num_key_value_heads % TP == 0` when there are at least TP KV
heads, else `TP % num_key_value_heads == 0`, each KV head then replicated on TP / KV GPUs
(vllm/model_executor/models/llama.py LlamaAttention; recipes/backends.yaml `head_split`). So TP 16 on
32 heads and 8 KV heads starts (two GPUs hold each KV head), TP 3 or 6 does not. The job fails at
start-up, after the queue wait, and the dry run never sees it. A config that writes no size gets NEL's
packaged 8. Runs in `nelc lint` (for a readable local checkpoint) and on every compiled config.

Example:
>>> from nelc.facts import ModelFacts
>>> from nelc.lint import demo_lint
>>> facts = ModelFacts("checkpoint", "/ckpt", files={"config.json": {"num_attention_heads": 32, "num_key_value_heads": 8}})
>>> print(demo_lint("L139", "defaults: [{deployment: vllm}]\\ndeployment: {tensor_parallel_size: 3}\\n", facts))
2:14 error[L139]: deployment.tensor_parallel_size 3 does not divide the model's 32 attention heads (config.json:num_attention_heads): vLLM refuses to start
>>> print(demo_lint("L139", "defaults: [{deployment: vllm}]\\ndeployment: {tensor_parallel_size: 16}\\n", facts))
(no findings)
"""

from __future__ import annotations

from nelc.knowledge import backend_fact
from nelc.nelconfig import deployment_type, dig
from nelc.rulebook import Finding, LintContext

SERVERS = ("vllm", "vllm_ray")  # the backends whose check is read in their source (recipes/backends.yaml head_split)


def check_tensor_parallel(ctx: LintContext) -> list[Finding]:
    option = deployment_type(ctx.config)
    heads = ctx.facts.attention_heads() if ctx.facts is not None else None
    if option not in SERVERS or heads is None:
        return []
    written = dig(ctx.config, ("deployment", "tensor_parallel_size"))
    defaults = backend_fact(option, "parallel_defaults")
    tp = written if written is not None else defaults["tensor_parallel_size"]
    if not isinstance(tp, int) or isinstance(tp, bool) or tp < 1:
        return []  # not a size: the schema reports it
    total, kv, where, kv_where = heads
    path = ("deployment", "tensor_parallel_size") if written is not None else ("deployment",)
    given = f"deployment.tensor_parallel_size {tp}" + ("" if written is not None else f" (NEL's default, {defaults['source']})")
    hint = f"use a tensor-parallel size in {', '.join(map(str, fitting(total, kv)))}"
    source = backend_fact(option, "head_split")
    if total % tp:
        return [Finding(path, f"{given} does not divide the model's {total} attention heads ({where}): vLLM refuses to start",
                        f"{hint} ({source['attention_heads'].split(':')[0]})")]
    if (kv >= tp and kv % tp) or (kv < tp and tp % kv):
        return [Finding(path, f"{given} does not split the model's {kv} KV heads ({kv_where}) evenly: vLLM's attention layers "
                              "refuse it at start-up (more KV heads than TP must divide by it; fewer must divide TP)",
                        f"{hint} ({source['kv_heads'].split(' (')[0]})")]
    return []


def fitting(heads: int, kv: int, most: int = 16) -> list[int]:
    """The tensor-parallel sizes up to `most` that vLLM accepts for these heads.

    >>> fitting(32, 8), fitting(40, 8)
    ([1, 2, 4, 8, 16], [1, 2, 4, 8])
    """
    return [tp for tp in range(1, most + 1) if heads % tp == 0 and (kv % tp == 0 if kv >= tp else tp % kv == 0)]
