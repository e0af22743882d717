"""R170 add-nemo-skills-key: an API-key name for nemo_skills tasks that exists in the container.

Why: the nemo_skills command always passes `++server.api_key_env_var=<api_key_name>`. Against a
server NEL deploys, no real key is needed, but the named variable must exist in the task
container. Top-level `target.api_endpoint.api_key_name` is copied into every task; declaring
`DUMMY_API_KEY: lit:dummy` keeps NEL from demanding it from your shell.

Example:
>>> from nelc.engine import demo
>>> print(demo("R170", "model: org/m\\nbenchmarks: [ns_gpqa]\\n"))
target.api_endpoint.api_key_name: DUMMY_API_KEY  # R170: nemo_skills tasks (ns_gpqa) always pass a key name; a local server ignores the key
evaluation.env_vars.DUMMY_API_KEY: lit:dummy  # R170: declared as a literal so the dry run needs no DUMMY_API_KEY in your shell
"""

from __future__ import annotations

from nelc.diagnostics import Severity
from nelc.draft import Draft
from nelc.facts import Context
from nelc.knowledge import lookup

DUMMY = "DUMMY_API_KEY"


def is_nemo_skills(task_name: str) -> bool:
    found = lookup(task_name).task
    return found.harness == "nemo_skills" if found else task_name.startswith(("ns_", "nemo_skills."))


def add_nemo_skills_key(draft: Draft, ctx: Context) -> Draft:
    tasks = [t["name"] for t in draft.get("evaluation.tasks", ()) if is_nemo_skills(t["name"])]
    if not tasks:
        return draft.decide("target.api_endpoint.api_key_name", "no nemo_skills task: no dummy key needed")
    listed = ", ".join(tasks)
    if ctx.spec.backend == "none":
        if draft.has("target.api_endpoint.api_key_name"):
            return draft.decide("target.api_endpoint.api_key_name",
                                f"nemo_skills tasks ({listed}) use the endpoint's own key name", ctx.source("endpoint", "api_key_name"))
        return draft.report(Severity.ERROR, f"nemo_skills tasks ({listed}) need endpoint.api_key_name",
                            "set endpoint.api_key_name to the env var that holds the endpoint's key, e.g. NVIDIA_API_KEY",
                            **ctx.at("endpoint"))
    return (draft
            .set("target.api_endpoint.api_key_name", DUMMY,
                 f"nemo_skills tasks ({listed}) always pass a key name; a local server ignores the key")
            .set(f"evaluation.env_vars.{DUMMY}", "lit:dummy",
                 f"declared as a literal so the dry run needs no {DUMMY} in your shell"))
