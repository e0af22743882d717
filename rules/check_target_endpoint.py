"""L106 check-target-endpoint: `target.api_endpoint` url/model_id exactly when nothing is deployed.

Why: with a deployment NEL computes the URL and model id itself and fails when either key is
present (even as null); with `deployment: none` both are required. Anything else under the
top-level `target` (adapter_config, type, stream) is silently dropped.

Example:
>>> from nelc.lint import demo_lint
>>> print(demo_lint("L106", "defaults: [{execution: local}, {deployment: vllm}, _self_]\\ntarget:\\n  api_endpoint:\\n    url: http://x\\n"))
4:5 error[L106]: target.api_endpoint.url is forbidden with a deployment (NEL: url field should not exist) [fix: safe: remove it]
"""

from __future__ import annotations

from nelc.rulebook import Applicability, Finding, Fix, LintContext
from nelc.nelconfig import deployment_type, dig


def check_target_endpoint(ctx: LintContext) -> list[Finding]:
    deployment = deployment_type(ctx.config)
    endpoint = dig(ctx.config, ("target", "api_endpoint"))
    endpoint = endpoint if isinstance(endpoint, dict) else {}
    out = []
    for key in ("url", "model_id"):
        path = ("target", "api_endpoint", key)
        if deployment not in (None, "none") and key in endpoint:
            out.append(Finding(path, f"target.api_endpoint.{key} is forbidden with a deployment (NEL: {key} field should not exist)",
                               "remove it: NEL computes it from the deployment", Fix(Applicability.SAFE, "remove it", (("delete", path),))))
        if deployment == "none" and not endpoint.get(key):
            out.append(Finding(("target",) if "target" in ctx.config else (), f"deployment none needs target.api_endpoint.{key}",
                               f"set target.api_endpoint.{key}"))
    for key in (k for k in endpoint if k not in ("url", "model_id", "api_key_name", "adapter_config")):
        out.append(Finding(("target", "api_endpoint", key), f"target.api_endpoint.{key} is silently dropped by NEL",
                           "set it per task under nemo_evaluator_config.target.api_endpoint"))
    return out
