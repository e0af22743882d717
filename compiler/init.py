"""`nelc init`: the seed's five questions plus the model, as a spec file."""

from __future__ import annotations

from .emit import scalar

EXECUTIONS = ("local", "slurm")
BACKENDS = ("vllm", "sglang", "nim", "trtllm", "none")
EXPORTS = ("none", "mlflow", "wandb")
MODEL_TYPES = ("chat_reasoning", "base")
DEFAULT_BENCHMARKS = {"chat_reasoning": "core_reasoning", "base": "general_knowledge"}


def spec_text(answers: dict) -> str:
    """A spec from the answers, with a comment on each choice; only what was answered is written."""
    lines = ["# yaml-language-server: $schema=https://nelc.dev/schemas/spec.schema.json",
             "# Written by `nelc init`. Compile with: nelc compile THIS_FILE -o run.yaml"]

    def put(key: str, value, comment: str = "") -> None:
        lines.append(f"{key}: {_flow(value)}" + (f"  # {comment}" if comment else ""))

    put("model", answers["model"], "local checkpoint dir or HF handle org/name")
    put("model_type", answers["model_type"])
    put("backend", answers["backend"], "vllm | sglang | nim | trtllm | none")
    put("executor", answers["executor"])
    put("benchmarks", answers["benchmarks"], "recipes, bundles or NEL task names")
    put("export", answers["export"])
    if answers.get("output_dir"):
        put("output_dir", answers["output_dir"])
    for block in ("slurm", "endpoint", "deployment", "mlflow", "wandb"):
        values = {k: v for k, v in (answers.get(block) or {}).items() if v not in (None, "")}
        if values:
            lines.append(f"{block}:")
            lines += [f"  {k}: {_flow(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def _flow(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    return scalar(value)
