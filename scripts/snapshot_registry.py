"""Snapshot the nemo-evaluator-launcher 0.2.6 task registry into recipes/tasks_registry.json.

Why: nelc is a pure compiler. It checks task names, harness ambiguity, endpoint types and which
``config.params`` / ``config.params.extra`` keys a task's command consumes *offline*, without
importing NEL at compile time. Only this script reads the installed package; the compiler reads
the committed JSON. Consumed params come from nemo-evaluator's own ``extract_params_from_command``.

Usage:
    python scripts/snapshot_registry.py          # (re)write recipes/tasks_registry.json
    python scripts/snapshot_registry.py --check  # write nothing; exit 1 if the file is stale
"""

from __future__ import annotations

import argparse
import difflib
import importlib.metadata
import importlib.resources
import json
import sys
from pathlib import Path

import yaml

NEL_VERSION = "0.2.6"
OUT = Path(__file__).resolve().parents[1] / "recipes" / "tasks_registry.json"


def load_registry() -> dict:
    """The packaged IR file of the installed nemo-evaluator-launcher (metadata, harnesses, tasks)."""
    res = importlib.resources.files("nemo_evaluator_launcher") / "resources" / "all_tasks_irs.yaml"
    return yaml.safe_load(res.read_text(encoding="utf-8"))


def _endpoint(d: dict) -> dict:
    return {"url": d.get("url"), "model_id": d.get("model_id"), "api_key": d.get("api_key")}


def _judge(harness: str, extra: dict) -> dict | None:
    judge = extra.get("judge")
    if not isinstance(judge, dict):
        return None
    if harness == "nemo_skills":  # nemo_skills always carries a judge block; judge_support says if it is used
        return _endpoint(judge) if extra.get("judge_support") is True else None
    return None if judge.get("enabled") is False else _endpoint(judge)


def task_entry(task: dict, containers: dict[str, str]) -> dict:
    from nemo_evaluator.core.utils import extract_params_from_command

    d = task["defaults"]
    cfg = d.get("config") or {}
    params = cfg.get("params") or {}
    extra = params.get("extra") or {}
    std, ext = extract_params_from_command(d["command"])
    repeats = extra["num_repeats"] if extra.get("num_repeats") is not None else extra.get("n_samples")
    return {
        "name": task["name"],
        "harness": task["harness"],
        "container": containers[task["harness"]],
        "endpoint_types": list(cfg.get("supported_endpoint_types") or []),
        "capabilities": list(cfg.get("required_capabilities") or []),
        "params": sorted(std),
        "extra_params": sorted(ext),
        "defaults": {
            "parallelism": params.get("parallelism"),
            "repeats": repeats,
            "use_sandbox": extra.get("use_sandbox") or False,
            "judge": _judge(task["harness"], extra),
            "user": _endpoint(extra["user"]) if isinstance(extra.get("user"), dict) else None,
            "limit_samples": params.get("limit_samples"),
            "target_stream": ((d.get("target") or {}).get("api_endpoint") or {}).get("stream"),
        },
        # What the container starts from before any config layer (nelc.effective): every
        # config.params default but the harness's own task id, and the endpoint defaults.
        "param_defaults": {k: v for k, v in params.items() if k != "task"},
        "endpoint_defaults": (d.get("target") or {}).get("api_endpoint") or {},
    }


def build_snapshot(registry: dict | None = None) -> dict:
    registry = registry if registry is not None else load_registry()
    containers = {h["name"]: h["container"] for h in registry["harnesses"]}
    tasks = sorted((task_entry(t, containers) for t in registry["tasks"]),
                   key=lambda t: (t["harness"], t["name"]))
    return {
        "nel_version": importlib.metadata.version("nemo-evaluator-launcher"),
        "mapping_toml_checksum": registry["metadata"]["mapping_toml_checksum"],
        "num_tasks": len(tasks),
        "tasks": tasks,
    }


def render(snapshot: dict) -> str:
    """Sorted keys; header on the first line, then one compact task object per line."""
    dump = lambda o: json.dumps(o, sort_keys=True, ensure_ascii=False, default=str)  # noqa: E731 - dates (e.g. LiveCodeBench cut-offs) as ISO text
    head = {k: v for k, v in snapshot.items() if k != "tasks"}
    lines = [dump(head)[:-1] + ', "tasks": [']
    lines += [dump(t) + ("," if i < len(snapshot["tasks"]) - 1 else "") for i, t in enumerate(snapshot["tasks"])]
    return "\n".join(lines) + "\n]}\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if the committed file is stale")
    args = ap.parse_args(argv)
    snap = build_snapshot()
    if snap["nel_version"] != NEL_VERSION:
        print(f"warning: installed nemo-evaluator-launcher {snap['nel_version']}, nelc targets {NEL_VERSION}", file=sys.stderr)
    text = render(snap)
    if not args.check:
        OUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUT} ({snap['num_tasks']} tasks)")
        return 0
    old = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
    if old == text:
        return 0
    diff = list(difflib.unified_diff(old.splitlines(), text.splitlines(), "committed", "generated", n=0, lineterm=""))
    print(f"{OUT.name} is stale ({sum(l[:1] in '+-' for l in diff[2:])} changed lines); first lines of the diff:")
    print("\n".join(diff[:20]))
    print("run: python scripts/snapshot_registry.py")
    return 1


if __name__ == "__main__":
    sys.exit(main())
