"""Writes tests/runs/: finished-run folders shaped like NEL's (<task>.<idx>/artifacts, logs) for
`nelc verify` and the fake `nel` of the runner tests. Run it after changing a scenario:

    python tests/support/make_run_fixtures.py
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

RUNS = Path(__file__).resolve().parents[1] / "runs"
CLEAN_CLIENT = "INFO Starting evaluation\nINFO Processed all samples\nINFO Evaluation finished\n"
CLEAN_SERVER = "INFO Started server process\nINFO Application startup complete.\n"


def metric(value, count, extra=None):
    scores = {"symbolic_correct": {"value": value, "stats": {"count": count}}}
    scores.update(extra or {})
    return scores


def task(root: Path, name: str, results: dict | None, params: dict, logs: dict[str, str] | None = None,
         outputs: list[dict] | None = None) -> None:
    folder = root / f"{name}.0"
    (folder / "artifacts").mkdir(parents=True)
    (folder / "logs").mkdir()
    (folder / "artifacts" / "run_config.yml").write_text(yaml.safe_dump({"config": {"type": name, "params": params}}))
    if results is not None:
        (folder / "artifacts" / "results.yml").write_text(yaml.safe_dump({"results": results}, sort_keys=False))
    for log, text in (logs or {"client-4242.log": CLEAN_CLIENT, "server-4242-0.log": CLEAN_SERVER}).items():
        (folder / "logs" / log).write_text(text)
    if outputs is not None:
        (folder / "artifacts" / "output-rs0.jsonl").write_text("".join(json.dumps(o) + "\n" for o in outputs))


def avg(n: int) -> str:
    return f"pass@1[avg-of-{n}]"


def all_recipes(root: Path) -> None:
    task(root, "nemo_skills.ns_mmlu_pro", {"groups": {"mmlu_pro": {"metrics": {"pass@1": {"scores": metric(71.3, 12032)}}}}},
         {"extra": {"num_repeats": 1}})
    task(root, "ns_mmmu_pro", {"groups": {"mmmu-pro": {"metrics": {"pass@1": {"scores": metric(48.9, 1730)}}}}}, {"extra": {"num_repeats": 1}})
    task(root, "ns_gpqa", {"groups": {"gpqa": {"metrics": {avg(32): {"scores": metric(
        65.2, 198, {"symbolic_correct_statistics_std_err_across_runs": {"value": 0.012}})}}}}}, {"extra": {"num_repeats": 32}})
    task(root, "ns_aime2025", {"groups": {"aime25": {"metrics": {avg(16): {"scores": metric(
        80.0, 30, {"symbolic_correct_statistics_std_err_across_runs": {"value": 0.021}})}}}}}, {"extra": {"num_repeats": 16}})
    task(root, "ns_livecodebench", {"groups": {"livecodebench": {"metrics": {avg(3): {"scores": {"accuracy": {"value": 55.0}}}}}}},
         {"extra": {"num_repeats": 3}})
    task(root, "ns_ifbench", {"groups": {"ifbench": {"metrics": {avg(8): {"scores": {
        "prompt_loose_accuracy": {"value": 41.5, "stats": {"count": 294}},
        "prompt_statistics_std_err_across_runs": {"value": 0.009}}}}}}}, {"extra": {"num_repeats": 8}})
    task(root, "ns_scicode", {"groups": {"scicode": {"metrics": {avg(3): {"scores": {
        "subtask_accuracy": {"value": 30.2, "stats": {"count": 288}},
        "subtask_accuracy_statistics_std_err_across_runs": {"value": 0.01},
        "num_problems": {"value": 65}, "num_subtasks": {"value": 288}}}}}}}, {"parallelism": 4, "extra": {"num_repeats": 3}})
    task(root, "aa_lcr", {"groups": {"aa_lcr": {"metrics": {"accuracy": {"scores": {
        "accuracy": {"value": 0.42, "stats": {"count": 100, "stderr": 0.031}}}}}}}}, {"extra": {"n_samples": 3}})
    task(root, "ns_hle_aa", {"groups": {"hle": {"metrics": {"pass@1": {"scores": {
        "judge_correct": {"value": 12.5, "stats": {"count": 2158}}, "symbolic_correct": {"value": 9.0}}}}}}}, {"extra": {}})
    task(root, "tau2_bench_telecom", {"groups": {"telecom": {"metrics": {"pass^1": {"scores": {"reward": {"value": 0.61}}}}}}},
         {"extra": {"n_samples": 3}})


def main() -> None:
    shutil.rmtree(RUNS, ignore_errors=True)
    all_recipes(RUNS / "all-recipes-valid")
    slurm_log = ("[2026-11-20 10:00] job 4242 TIMEOUT\n[2026-11-20 10:01] Previous job 4242 ended with TIMEOUT. RESUMING...\n"
                 "[2026-11-20 18:02] evaluation finished\n")
    task(RUNS / "timed-out-then-resumed", "ns_gpqa", {"groups": {"gpqa": {"metrics": {avg(32): {"scores": metric(
        64.9, 198, {"symbolic_correct_statistics_std_err_across_runs": {"value": 0.013}})}}}}}, {"extra": {"num_repeats": 32}},
         {"client-4242.log": CLEAN_CLIENT, "slurm-4242.log": slurm_log, "slurm-4243.log": "[2026-11-20 18:02] COMPLETED\n"})
    task(RUNS / "dropped-samples", "ns_aime2025", {"groups": {"aime25": {"metrics": {avg(16): {"scores": metric(76.7, 27)}}}}},
         {"extra": {"num_repeats": 16}},
         {"client-4242.log": CLEAN_CLIENT + "WARNING sample 12 failed: unknown_request_error after 10 retries\n"})
    task(RUNS / "judge-401", "aa_lcr", {"groups": {"aa_lcr": {"metrics": {"accuracy": {"scores": {
        "accuracy": {"value": 0.0, "stats": {"count": 100, "stderr": 0.0}}}}}}}}, {"extra": {"n_samples": 3}},
         {"client-4242.log": CLEAN_CLIENT + "ERROR judge request failed: openai.AuthenticationError: Error code: 401 - Unauthorized\n"})
    task(RUNS / "missing-repeats", "ns_gpqa", {"groups": {"gpqa": {"metrics": {avg(16): {"scores": metric(66.0, 198)}}}}},
         {"extra": {"num_repeats": 32}})
    outputs = [{"generation": "<think>long thought", "finish_reason": "length"}] * 3 + [{"generation": "<think>a</think>B"}] * 7
    task(RUNS / "truncated-reasoning", "ns_ifbench", {"groups": {"ifbench": {"metrics": {avg(8): {"scores": {
        "prompt_loose_accuracy": {"value": 30.0, "stats": {"count": 294}}}}}}}}, {"extra": {"num_repeats": 8}}, outputs=outputs)
    task(RUNS / "incomplete", "ns_gpqa", None, {"extra": {"num_repeats": 32}},
         {"slurm-4242.log": "[2026-11-20 10:00] Previous job 4241 ended with FAILED. EXIT!\n"})
    # Canary results (10 samples each) for the runner tests' fake `nel info --copy-*`.
    task(RUNS / "canary-plain-ok", "ns_gpqa", {"groups": {"gpqa": {"metrics": {avg(32): {"scores": metric(60.0, 10)}}}}},
         {"limit_samples": 10, "extra": {"num_repeats": 32}})
    task(RUNS / "canary-judge-401", "aa_lcr", {"groups": {"aa_lcr": {"metrics": {"accuracy": {"scores": {
        "accuracy": {"value": 0.0, "stats": {"count": 10}}}}}}}}, {"limit_samples": 10, "extra": {"n_samples": 3}},
         {"client-4242.log": CLEAN_CLIENT + "ERROR judge request failed: 401 Unauthorized\n"})
    task(RUNS / "canary-judge-ok", "aa_lcr", {"groups": {"aa_lcr": {"metrics": {"accuracy": {"scores": {
        "accuracy": {"value": 0.4, "stats": {"count": 10}}}}}}}}, {"limit_samples": 10, "extra": {"n_samples": 3}})


if __name__ == "__main__":
    main()
