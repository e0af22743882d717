"""Writes tests/runs/: finished runs exactly as `nel info INV --copy-logs DIR` and `--copy-artifacts
DIR` of NEL 0.2.6 lay them out, for `nelc verify` and the fake `nel` of the runner tests:

    DIR/<invocation>.<idx>/logs/        top-level files of the job's logs/ (exporters/utils.py:474-490)
    DIR/<invocation>.<idx>/artifacts/   the job's /results, minus caches (exporters/utils.py:435-472)

Each job is first written in the local executor's own output layout
(<output_dir>/<YYYYmmdd_HHMMSS>-<inv>/<task>.<idx>/, local/executor.py:102-105,241) with the files
nemo-evaluator writes (run_config.yml with `config.type` = the task without its harness,
nemo_evaluator/core/input.py:517-524; results.yml, evaluate.py:402-414) and the logs run.sh writes
(client_stdout.log, stdout.log, server_stdout.log, stage.exit; local/run.template.sh). Then NEL's real
copy function (`exporters.utils.copy_artifacts`, what `nel info` calls, cli/info.py:387-401) copies it,
once for logs and once for artifacts, as two `nel info` calls would. Run it after changing a scenario:

    python tests/support/make_run_fixtures.py
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import yaml
from nemo_evaluator_launcher.common.execdb import JobData
from nemo_evaluator_launcher.exporters.utils import copy_artifacts

RUNS = Path(__file__).resolve().parents[1] / "runs"
CLEAN_CLIENT = "INFO Starting evaluation\nINFO Processed all samples\nINFO Evaluation finished\n"
CLEAN_SERVER = ("INFO non-default args: {'model': '/checkpoint', 'served_model_name': ['qwen3-8b'], 'port': 8000}\n"
                "INFO Started server process\nINFO Application startup complete.\n")
SERVED = "qwen3-8b"


def metric(value, count, extra=None):
    scores = {"symbolic_correct": {"value": value, "stats": {"count": count}}}
    scores.update(extra or {})
    return scores


def invocation_of(scenario: str) -> str:
    """A fixed 16-hex invocation id per scenario, like NEL's secrets.token_hex(8)."""
    return hashlib.sha256(scenario.encode()).hexdigest()[:16]


def task(root: Path, name: str, results: dict | None, params: dict, logs: dict[str, str] | None = None,
         outputs: list[dict] | None = None, metrics: dict | None = None, served: str = SERVED, launcher: str = "0.2.6") -> None:
    """One job of scenario `root` (the next index), written as NEL's local executor lays it out, then
    copied by NEL's own code."""
    invocation = invocation_of(root.name)
    index = len(list(root.iterdir())) if root.exists() else 0
    with tempfile.TemporaryDirectory() as scratch:
        job_dir = Path(scratch) / f"20261120_100000-{invocation}" / f"{name}.{index}"
        artifacts, log_dir = job_dir / "artifacts", job_dir / "logs"
        artifacts.mkdir(parents=True)
        log_dir.mkdir()
        run_config = {"command": "…", "framework_name": name.split(".")[0], "pkg_name": "fixture",
                      "config": {"output_dir": "/results", "params": params, "type": name.split(".")[-1]},
                      "target": {"api_endpoint": {"model_id": served, "type": "chat",
                                                  "url": "http://127.0.0.1:8000/v1/chat/completions"}}}
        (artifacts / "run_config.yml").write_text(yaml.safe_dump(run_config, sort_keys=True))
        versioning = {"nemo_evaluator_launcher": launcher, "nemo_evaluator": "0.2.8"}  # NEL helpers.py:254-271
        (artifacts / "metadata.yaml").write_text(yaml.safe_dump({"versioning": versioning}, sort_keys=True))
        if results is not None:
            (artifacts / "results.yml").write_text(yaml.safe_dump({"results": results}, sort_keys=False))
        if metrics is not None:
            (artifacts / "eval_factory_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
        if outputs is not None:
            (artifacts / "output-rs0.jsonl").write_text("".join(json.dumps(o) + "\n" for o in outputs))
        written = logs or {"client_stdout.log": CLEAN_CLIENT, "server_stdout.log": CLEAN_SERVER.replace(f"'{SERVED}'", f"'{served}'")}
        for log, text in {"stdout.log": "", "stage.exit": f"2026-11-20T18:00:00Z {0 if results is not None else 1}\n",
                          **written}.items():
            (log_dir / log).write_text(text)
        job = JobData(invocation_id=invocation, job_id=f"{invocation}.{index}", timestamp=0.0, executor="local",
                      data={"output_dir": str(job_dir)}, config={"evaluation": {"tasks": [{"name": name}]}})
        for flags in ({"copy_logs": True, "copy_artifacts": False}, {"copy_logs": False, "copy_artifacts": True}):
            fresh = dataclasses.replace(job, data=copy.deepcopy(job.data))  # copy_artifacts rewrites data["output_dir"]
            copy_artifacts([fresh], root, copy_local=True, only_required=False, **flags)


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
    task(root, "ns_livecodebench", {"groups": {"livecodebench": {"metrics": {avg(3): {"scores": {"accuracy": {"value": 55.0, "stats": {"count": 1055}}}}}}}},
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
    task(root, "tau2_bench_telecom", {"groups": {"telecom": {"metrics": {"pass^1": {"scores": {"reward": {"value": 0.61, "stats": {"count": 114}}}}}}}},
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
    outputs = [{"generation": "<think>long thought", "finish_reason": "length"}] * 3 + [{"generation": "B"}] * 7
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
    # Run-validation checklist cases (the ModelOpt evaluation skill, references/run-validation.md).
    task(RUNS / "canary-3-of-10", "ns_gpqa", {"groups": {"gpqa": {"metrics": {avg(32): {"scores": metric(60.0, 3)}}}}},
         {"limit_samples": 10, "extra": {"num_repeats": 32}})
    task(RUNS / "nan-score", "ns_gpqa", {"groups": {"gpqa": {"metrics": {avg(32): {"scores": metric(float("nan"), 198)}}}}},
         {"extra": {"num_repeats": 32}})
    task(RUNS / "bad-repeats", "ns_gpqa", {"groups": {"gpqa": {"metrics": {avg(32): {"scores": metric(60.0, 198)}}}}},
         {"extra": {"num_repeats": "abc"}})
    task(RUNS / "unknown-repeats", "ns_gpqa", {"groups": {"gpqa": {"metrics": {
        "pass@1[avg-of-4]": {"scores": metric(61.0, 198)}, avg(8): {"scores": metric(62.0, 198)}}}}}, {"extra": {}})
    task(RUNS / "wrong-served-model", "ns_gpqa", {"groups": {"gpqa": {"metrics": {avg(32): {"scores": metric(60.0, 198)}}}}},
         {"extra": {"num_repeats": 32}},
         {"client_stdout.log": CLEAN_CLIENT, "server_stdout.log": CLEAN_SERVER.replace("'qwen3-8b'", "'llama-8b'")})
    task(RUNS / "max-context-400", "aa_lcr", {"groups": {"aa_lcr": {"metrics": {"accuracy": {"scores": {
        "accuracy": {"value": 0.3, "stats": {"count": 100}}}}}}}}, {"extra": {"n_samples": 3}},
         {"client_stdout.log": CLEAN_CLIENT, "server_stdout.log": CLEAN_SERVER + "ERROR 400 Bad Request: This model's maximum "
          "context length is 131072 tokens. However, you requested 140210 tokens\n"})
    task(RUNS / "reasoning-disabled", "ns_gpqa", {"groups": {"gpqa": {"metrics": {avg(32): {"scores": metric(40.0, 198)}}}}},
         {"extra": {"num_repeats": 32}}, metrics={"reasoning": {"total_responses": 6336, "responses_with_reasoning": 0,
                                                               "reasoning_unfinished_count": 0}})
    outputs = [{"generation": "<think>a</think>B"}] * 10
    task(RUNS / "reasoning-leaked", "ns_ifbench", {"groups": {"ifbench": {"metrics": {avg(8): {"scores": {
        "prompt_loose_accuracy": {"value": 30.0, "stats": {"count": 294}}}}}}}}, {"extra": {"num_repeats": 8}}, outputs=outputs)
    task(RUNS / "other-launcher", "ns_gpqa", {"groups": {"gpqa": {"metrics": {avg(32): {"scores": metric(60.0, 198)}}}}},
         {"extra": {"num_repeats": 32}}, launcher="0.4.0")
    task(RUNS / "canary-judge-ok", "aa_lcr", {"groups": {"aa_lcr": {"metrics": {"accuracy": {"scores": {
        "accuracy": {"value": 0.4, "stats": {"count": 10}}}}}}}}, {"limit_samples": 10, "extra": {"n_samples": 3}})

    # A BF16 baseline and an NVFP4 candidate for `nelc compare` (issue 15): the same tasks and settings,
    # other scores and another served model; and a candidate with more GPQA repeats (not comparable).
    for scenario, served, gpqa, ifbench, repeats in (("compare-bf16-baseline", "qwen3-8b", (65.2, 0.012), 41.5, 32),
                                                     ("compare-nvfp4-candidate", "qwen3-8b-nvfp4", (63.9, 0.013), 40.8, 32),
                                                     ("compare-nvfp4-more-repeats", "qwen3-8b-nvfp4", (64.4, 0.009), 40.8, 64)):
        task(RUNS / scenario, "ns_gpqa", {"groups": {"gpqa": {"metrics": {avg(repeats): {"scores": metric(
            gpqa[0], 198, {"symbolic_correct_statistics_std_err_across_runs": {"value": gpqa[1]}})}}}}},
             {"extra": {"num_repeats": repeats}}, served=served)
        task(RUNS / scenario, "ns_ifbench", {"groups": {"ifbench": {"metrics": {avg(8): {"scores": {
            "prompt_loose_accuracy": {"value": ifbench, "stats": {"count": 294}},
            "prompt_statistics_std_err_across_runs": {"value": 0.009}}}}}}}, {"extra": {"num_repeats": 8}}, served=served)


if __name__ == "__main__":
    main()
