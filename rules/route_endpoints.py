"""R168 route-endpoints: every task's endpoint type must be one the deployment serves.

Why: NEL sends a task to `deployment.endpoints[<type>]`. vlmevalkit tasks declare `vlm`, which no
packaged deployment lists (`Key 'vlm' is not in struct`); nemo-evaluator treats vlm as chat, so
such tasks get `endpoint_type: chat`. Embedding tasks need a server with an embeddings
route (vLLM, NIM). With `backend: none`, NEL sends every task to the one URL, so a task whose type
does not match that URL's path is flagged. (Whether the server parses tool calls is L125's check.)

Example:
>>> from nelc.engine import demo
>>> print(demo("R168", "model: org/m\\nmodel_type: chat_reasoning\\nbenchmarks: [vlmevalkit.ai2d_judge]\\n"))
evaluation.tasks.0.endpoint_type: chat  # R168: vlmevalkit.ai2d_judge declares vlm, which no NEL deployment routes; images go to the chat route (nemo-evaluator maps vlm to chat)
"""

from __future__ import annotations

from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context
from nelc.knowledge import lookup

SERVED = {  # NEL 0.2.6 configs/deployment/<backend>.yaml endpoints
    "vllm": {"chat", "completions", "embedding", "ranking"},
    "sglang": {"chat", "completions"},
    "trtllm": {"chat", "completions"},
    "nim": {"chat", "completions", "embedding", "ranking"},
}
URL_SUFFIX = {"chat": "/chat/completions", "completions": "/completions", "embedding": "/embeddings", "vlm": "/chat/completions"}


def route_endpoints(draft: Draft, ctx: Context) -> Draft:
    backend = ctx.spec.backend
    for index, task in enumerate(draft.get("evaluation.tasks", ())):
        wanted = task.get("endpoint_type") or lookup(task["name"]).task.endpoint_type
        if backend == "none":
            url = ctx.spec.endpoint.url if ctx.spec.endpoint else ""
            if not url.rstrip("/").endswith(URL_SUFFIX.get(wanted, "/" + wanted)) or (wanted == "completions" and url.endswith("/chat/completions")):
                draft = draft.report(Severity.WARNING,
                                     f"{task['name']} sends {wanted} requests, but the endpoint URL is {url}",
                                     f"give the task its own URL: overrides on evaluation.tasks, target.api_endpoint.url ending in {URL_SUFFIX.get(wanted, wanted)}",
                                     **ctx.at("benchmarks"))
            continue
        if wanted in SERVED[backend]:
            continue
        if wanted == "vlm" and "chat" in SERVED[backend]:
            draft = draft.set(f"evaluation.tasks.{index}.endpoint_type", "chat",
                              f"{task['name']} declares vlm, which no NEL deployment routes; images go to the chat route "
                              "(nemo-evaluator maps vlm to chat)")
            continue
        draft = draft.report(Severity.ERROR, f"{task['name']} needs a {wanted} endpoint, which NEL's {backend} deployment does not serve",
                             "pick a backend that serves it (vLLM serves embeddings) or drop the task", **ctx.at("benchmarks"))
    return draft
