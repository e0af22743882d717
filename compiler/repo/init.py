"""`nelc init`: the ModelOpt evaluation skill's five questions plus the model, as a spec file.

The questions are asked through an injected `ask` (the CLI prompts; tests script it), only for
answers the flags did not give, and only when the earlier answers make them needed.
"""

from __future__ import annotations

from typing import Callable, Sequence

from ..emit import scalar
from ..knowledge import BACKENDS, EXECUTORS, EXPORTS, MODEL_TYPE_ALIASES, MODEL_TYPES, bundles, recipes

DEFAULT_BENCHMARKS = {"chat_reasoning": "core_reasoning", "base": "general_knowledge"}

# ask(question, choices or None, default or None) -> the answer
Ask = Callable[[str, Sequence[str] | None, str | None], str]


def gather_answers(given: dict, ask: Ask) -> dict:
    """Every answer a spec needs: `given` (from flags) first, the rest from `ask`."""
    def answer(key: str, question: str, choices: Sequence[str] | None = None, default: str | None = None) -> str:
        return given.get(key) or ask(question, choices, default)

    model = answer("model", "Model (local checkpoint dir or HF handle org/name)")
    executor = answer("executor", "Execution", EXECUTORS, "local")
    backend = answer("backend", "Deployment (none = an endpoint that already runs)", BACKENDS, "vllm")
    export = answer("export", "Auto-export", EXPORTS, "none")
    model_type = answer("model_type", "Model type (chat and reasoning are the old names of chat_reasoning)",
                        (*reversed(MODEL_TYPES), *MODEL_TYPE_ALIASES), "chat_reasoning")
    model_type = MODEL_TYPE_ALIASES.get(model_type, model_type)
    options = ", ".join([*bundles(model_type), *recipes()])
    benchmarks = answer("benchmarks", f"Benchmarks, comma-separated ({options}, or NEL task names)", None,
                        DEFAULT_BENCHMARKS[model_type])
    answers = {"model": model, "executor": executor, "backend": backend, "export": export, "model_type": model_type,
               "benchmarks": [b.strip() for b in benchmarks.split(",") if b.strip()]}
    if executor == "slurm":
        answers["slurm"] = {key: ask(f"SLURM {key}", None, None) for key in ("hostname", "account", "username")}
        answers["output_dir"] = ask("Output dir (absolute path on the cluster)", None, None)
    if backend == "none":
        answers["endpoint"] = {"url": ask("Endpoint URL (…/v1/chat/completions)", None, None),
                               "model_id": ask("Endpoint model id", None, None),
                               "api_key_name": ask("Env var NAME holding the endpoint's key", None, "NVIDIA_API_KEY")}
    if backend == "nim":
        answers["deployment"] = {"image": ask("NIM image (e.g. nvcr.io/nim/meta/llama-3.1-8b-instruct:1.8.6)", None, None)}
    if export == "mlflow":
        answers["mlflow"] = {"tracking_uri": ask("MLflow tracking URI", None, None)}
    if export == "wandb":
        answers["wandb"] = {"entity": ask("W&B entity", None, None), "project": ask("W&B project", None, None)}
    return answers


def compiled_name(spec_name: str) -> str:
    """Where `nelc compile` should write: NAME.nelc.yaml -> NAME.yaml (the convention `nelc check` follows)."""
    return spec_name[: -len(".nelc.yaml")] + ".yaml" if spec_name.endswith(".nelc.yaml") else "run.yaml"


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
