"""L125 check-tool-calling: tool-calling tasks run against a server that parses tool calls.

Why: tau2-bench drives the model as a tool-using agent. Without `--enable-auto-tool-choice
--tool-call-parser <parser>` (vLLM; SGLang: `--tool-call-parser`) the server returns tool calls as
plain text, the agent makes none, and the score is a silent 0.0 (ModelOpt evaluation skill,
upstream 49ea3140c: "Tau2 returns reward 0.0 with zero tool calls"). BFCL's native-calling tasks
(extra.native_calling: true, e.g. bfclv3_ast) send tools too: without a parser every request gets
HTTP 400 and the job exits 0 with irrelevance scored 100 (recipes/benchmarks.yaml
`needs_tool_calling`, from the 26.3 wheel and a real run). The parser follows the model's
chat template (recipes/models.yaml names it per family). Runs in `nelc lint` and on every compiled config.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L125", "defaults: [{deployment: vllm}]\\ndeployment: {extra_args: --max-model-len 32768}\\n"
...                 "evaluation:\\n  tasks:\\n    - name: tau2_bench_telecom\\n"))
5:7 error[L125]: tau2_bench_telecom drives the model as a tool-calling agent, but the vllm server has no --enable-auto-tool-choice, --tool-call-parser: it scores 0 with no tool calls
"""

from __future__ import annotations

from nelc.effective import server
from nelc.knowledge import needs_tool_calling
from nelc.rulebook import Finding, LintContext

REQUIRED = {"vllm": ("--enable-auto-tool-choice", "--tool-call-parser"), "vllm_ray": ("--enable-auto-tool-choice", "--tool-call-parser"),
            "sglang": ("--tool-call-parser",)}


def check_tool_calling(ctx: LintContext) -> list[Finding]:
    srv = server(ctx.config)
    missing = [flag for flag in REQUIRED.get(srv.backend or "", ()) if not srv.has(flag)]
    if not missing:
        return []
    return [Finding(("evaluation", "tasks", task.index),
                    f"{task.name} drives the model as a tool-calling agent, but the {srv.backend} server has no {', '.join(missing)}: "
                    "it scores 0 with no tool calls",
                    "add --enable-auto-tool-choice --tool-call-parser <parser> to deployment.extra_args (the model card names the parser)")
            for task in ctx.effective if needs_tool_calling(task.qualified, task.get)]
