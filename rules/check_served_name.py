"""L124 check-served-name: the server answers to the model name the evaluation container asks for.

Why: NEL sends every request with `model: <model_id>` (deployment.served_model_name, unless a task
sets its own). vLLM and SGLang register the model under `--served-model-name`, or under its path
when the flag is missing, and answer 404 "The model ... does not exist" to any other name. The
ModelOpt evaluation skill hit this (upstream 862ed5ed7: a template command without the flag). NEL's
packaged base_command passes the flag; a custom `deployment.command`, a second flag in extra_args or
a task-level model_id can break it. Runs in `nelc lint` and on every compiled config.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L124", "defaults: [{deployment: vllm}]\\ndeployment:\\n  served_model_name: m\\n  command: vllm serve /checkpoint --port 8000\\n"
...                 "evaluation:\\n  tasks:\\n    - name: ns_gpqa\\n"))
4:3 error[L124]: the vllm server command has no --served-model-name: the server registers the model under its path, and requests for 'm' get 404
"""

from __future__ import annotations

from nelc import flags
from nelc.effective import server
from nelc.rulebook import Finding, LintContext

NAMING_BACKENDS = ("vllm", "sglang", "vllm_ray")


def check_served_name(ctx: LintContext) -> list[Finding]:
    srv = server(ctx.config)
    if srv.backend not in NAMING_BACKENDS or srv.served_name is None:
        return []
    occurrences = served_names(srv.tokens)
    deployment = ctx.config.get("deployment") if isinstance(ctx.config.get("deployment"), dict) else {}
    where = ("deployment", "command") if isinstance(deployment.get("command"), str) else ("deployment", "extra_args")
    if not occurrences:
        return [Finding(where, f"the {srv.backend} server command has no --served-model-name: the server registers the model under "
                        f"its path, and requests for '{srv.served_name}' get 404",
                        "add --served-model-name ${deployment.served_model_name} to the command")]
    registered = occurrences[-1]  # argparse keeps the last occurrence; each of its names is served
    if any("$" in name for name in registered):
        return []  # resolved only when the server starts
    out = []
    if srv.served_name not in registered and len(occurrences) > 1:
        out.append(Finding(("deployment", "extra_args"), f"--served-model-name is given twice; the server keeps "
                           f"{', '.join(registered)}, not deployment.served_model_name '{srv.served_name}'",
                           "remove --served-model-name from extra_args"))
    for task in ctx.effective:
        model_id = task.get("target.api_endpoint.model_id")
        if isinstance(model_id, str) and "$" not in model_id and model_id not in registered:
            out.append(Finding(task.where("target.api_endpoint.model_id"),
                               f"{task.name} asks for model '{model_id}', but the server registers {', '.join(registered)}: "
                               "every request gets 404", "remove the task's model_id, or make the names equal"))
    return out


def served_names(tokens: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Each --served-model-name occurrence in command-line order, with its names (vLLM takes several).

    >>> served_names(("--served-model-name=a", "--port", "1", "--served-model-name", "b", "c", "--x"))
    [('a',), ('b', 'c')]
    """
    out = []
    for index, token in enumerate(tokens):
        name, sep, inline = token.partition("=")
        if name.replace("_", "-") != "--served-model-name":
            continue
        if sep:
            out.append((inline,))
            continue
        values = []
        for value in tokens[index + 1:]:
            if value.startswith("-"):
                break
            values.append(value)
        out.append(tuple(values))
    return [names for names in out if names]
