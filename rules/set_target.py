"""R140 set-target: `target.api_endpoint` for an external endpoint; nothing NEL forbids otherwise.

Why: with `deployment: none` NEL needs url and model_id at the top level (and `default.yaml` is not
loaded, so the section must be written); with a deployment, even `url: null` fails the dry run.

Example:
>>> from nelc.engine import demo
>>> spec = "model: m\\nbenchmarks: [ns_gpqa]\\nbackend: none\\nendpoint: {url: 'https://e/v1/chat/completions', model_id: m, api_key_name: NVIDIA_API_KEY}\\n"
>>> print(demo("R140", spec))
target.api_endpoint.url: https://e/v1/chat/completions  # R140: the spec's endpoint (backend none)
target.api_endpoint.model_id: m  # R140: the spec's endpoint (backend none)
target.api_endpoint.api_key_name: NVIDIA_API_KEY  # R140: NEL passes host:NVIDIA_API_KEY into every task
"""

from __future__ import annotations

from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context


def set_target(draft: Draft, ctx: Context) -> Draft:
    endpoint = ctx.spec.endpoint
    if ctx.spec.backend != "none":
        if endpoint is not None:
            draft = draft.report(Severity.ERROR, f"endpoint is only for backend: none (this spec deploys {ctx.spec.backend})",
                                 "remove the endpoint block, or set backend: none to evaluate an existing endpoint",
                                 **ctx.at("endpoint"))
        return draft.decide("target.api_endpoint", "a deployment serves the model; NEL forbids url and model_id here")
    if endpoint is None:
        return draft.report(Severity.ERROR, "backend: none needs an endpoint block",
                            "add endpoint: {url: https://.../v1/chat/completions, model_id: ..., api_key_name: NVIDIA_API_KEY}",
                            **ctx.at("backend"))
    draft = (draft
             .set("target.api_endpoint.url", endpoint.url, "the spec's endpoint (backend none)", ctx.source("endpoint", "url"))
             .set("target.api_endpoint.model_id", endpoint.model_id, "the spec's endpoint (backend none)",
                  ctx.source("endpoint", "model_id")))
    if endpoint.api_key_name:
        draft = draft.set("target.api_endpoint.api_key_name", endpoint.api_key_name,
                          f"NEL passes host:{endpoint.api_key_name} into every task", ctx.source("endpoint", "api_key_name"))
    return draft
