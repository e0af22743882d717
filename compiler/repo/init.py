"""`nelc init`: the ModelOpt evaluation skill's five questions plus the model, as a spec file.

Every question has a flag. Answers the flags do not give are asked through an injected `ask` (the
CLI prompts on a terminal), and only when earlier answers make them needed. Without a terminal
(`--no-input`, or stdin not a TTY) nothing is asked: a missing required answer is listed by its flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Callable, Sequence

from ..choices import BACKENDS, EXECUTORS, EXPORTS, MODEL_TYPE_ALIASES, MODEL_TYPES
from ..emit import scalar
from ..knowledge import bundles, recipes

DEFAULT_BENCHMARKS = {"chat_reasoning": "core_reasoning", "base": "general_knowledge"}

# ask(question, choices or None, default or None) -> the answer
Ask = Callable[[str, Sequence[str] | None, str | None], str]


@dataclass(frozen=True)
class Question:
    key: str  # "model", or "block.field" for a spec block
    flag: str
    text: str
    choices: tuple[str, ...] | None = None
    default: str | None = None
    ask: bool = True  # False: a flag only (optional settings with a spec default)
    when: Callable[[dict], bool] = lambda answers: True


QUESTIONS: tuple[Question, ...] = (
    Question("model", "--model", "Model (local checkpoint dir or HF handle org/name)"),
    Question("executor", "--execution", "Execution", EXECUTORS, "local"),
    Question("backend", "--deployment", "Deployment (none = an endpoint that already runs)", BACKENDS, "vllm"),
    Question("export", "--export", "Auto-export", EXPORTS, "none"),
    Question("model_type", "--model-type", "Model type (chat and reasoning are the old names of chat_reasoning)",
             (*reversed(MODEL_TYPES), *MODEL_TYPE_ALIASES), "chat_reasoning"),
    Question("benchmarks", "--benchmarks", "Benchmarks, comma-separated ({options}, or NEL task names)"),
    Question("slurm.hostname", "--slurm-hostname", "SLURM hostname", when=lambda a: a["executor"] == "slurm"),
    Question("slurm.account", "--slurm-account", "SLURM account", when=lambda a: a["executor"] == "slurm"),
    Question("slurm.username", "--slurm-username", "SLURM username", when=lambda a: a["executor"] == "slurm"),
    Question("slurm.partition", "--slurm-partition", "SLURM partition", ask=False, when=lambda a: a["executor"] == "slurm"),
    Question("slurm.walltime", "--slurm-walltime", "SLURM walltime", ask=False, when=lambda a: a["executor"] == "slurm"),
    Question("output_dir", "--output-dir", "Output dir (absolute path on the cluster)", when=lambda a: a["executor"] == "slurm"),
    Question("endpoint.url", "--endpoint-url", "Endpoint URL (…/v1/chat/completions)", when=lambda a: a["backend"] == "none"),
    Question("endpoint.model_id", "--endpoint-model-id", "Endpoint model id", when=lambda a: a["backend"] == "none"),
    Question("endpoint.api_key_name", "--endpoint-key-name", "Env var NAME holding the endpoint's key", default="NVIDIA_API_KEY",
             when=lambda a: a["backend"] == "none"),
    Question("deployment.image", "--nim-image", "NIM image (e.g. nvcr.io/nim/meta/llama-3.1-8b-instruct:1.8.6)",
             when=lambda a: a["backend"] == "nim"),
    Question("mlflow.tracking_uri", "--mlflow-uri", "MLflow tracking URI", when=lambda a: a["export"] == "mlflow"),
    Question("mlflow.experiment_name", "--mlflow-experiment", "MLflow experiment", ask=False, when=lambda a: a["export"] == "mlflow"),
    Question("wandb.entity", "--wandb-entity", "W&B entity", when=lambda a: a["export"] == "wandb"),
    Question("wandb.project", "--wandb-project", "W&B project", when=lambda a: a["export"] == "wandb"),
)


def gather_answers(given: dict, ask: Ask | None) -> tuple[dict, list[str]]:
    """(answers, flags still missing): `given` (by question key) first, then `ask` (None: never ask)."""
    answers: dict = {}
    missing: list[str] = []
    for question in QUESTIONS:
        if not question.when(answers):
            continue
        value = given.get(question.key)
        if isinstance(value, str) and not value.strip(" ,"):
            value = None  # an empty flag is no answer
        if value is None and question.ask:
            if ask is not None:
                value = ask(_text(question, answers), question.choices, _default(question, answers))
            elif _default(question, answers) is not None:
                value = _default(question, answers)
            else:
                missing.append(question.flag)
        if question.key == "model_type" and value:
            value = MODEL_TYPE_ALIASES.get(value, value)
        if value not in (None, ""):
            answers[question.key] = value
    if isinstance(answers.get("benchmarks"), str):
        answers["benchmarks"] = [b.strip() for b in answers["benchmarks"].split(",") if b.strip()]
    for question in QUESTIONS:  # an interactive answer left empty is as missing as an absent flag
        if question.ask and question.when(answers) and not answers.get(question.key) and question.flag not in missing:
            missing.append(question.flag)
    return answers, missing


def _default(question: Question, answers: dict) -> str | None:
    if question.key == "benchmarks":
        return DEFAULT_BENCHMARKS[answers.get("model_type", "chat_reasoning")]
    return question.default


def _text(question: Question, answers: dict) -> str:
    if question.key != "benchmarks":
        return question.text
    model_type = answers.get("model_type", "chat_reasoning")
    return question.text.format(options=", ".join([*bundles(model_type), *recipes()]))


def compiled_name(spec_name: str) -> str:
    """Where `nelc compile` should write: NAME.nelc.yaml -> NAME.yaml (the convention `nelc check` follows)."""
    return spec_name[: -len(".nelc.yaml")] + ".yaml" if spec_name.endswith(".nelc.yaml") else "run.yaml"


def schema_path() -> str:
    """The spec schema that ships with this nelc, for the editor modeline (a file that exists)."""
    return str(resources.files("nelc.schemas").joinpath("spec.schema.json"))


def spec_text(answers: dict) -> str:
    """A spec from the answers, with a comment on each choice; only what was answered is written."""
    lines = [f"# yaml-language-server: $schema={schema_path()}",
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
        values = {key.split(".", 1)[1]: value for key, value in answers.items() if key.startswith(block + ".")}
        if values:
            lines.append(f"{block}:")
            lines += [f"  {k}: {_flow(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def _flow(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    return scalar(value)
