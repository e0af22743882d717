"""Benchmarks that print figures (never timed unit tests).

    python bench/bench.py [--runs 7]

Medians over cold processes, measured side by side in the same run:
  1. `nelc compile` (full validation) against `nel run --dry-run` on the same output;
  2. `nelc --version` and `nelc compile` against a bare `python -c pass` start;
  3. `nelc lint` over 1,000 generated configs in one process;
  4. a 400-task spec against a 4-task spec;
plus the malformed-input corpus: the slowest refusal and the largest peak memory; and
  6. ~1 MB of adversarial text in one spec field (long letter runs, "://" and "user:" floods,
     token-shaped runs), compiled or refused (target < 2 s each).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.nel_dryrun import host_variables, nel_executable  # noqa: E402

NELC = [sys.executable, "-m", "nelc"]


def median_seconds(cmd: list[str], runs: int, env: dict, cwd: Path, ok=(0,)) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True)
        times.append(time.perf_counter() - start)
        if proc.returncode not in ok:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr.decode()[-2000:]}")
    return statistics.median(times)


def row(label: str, seconds: float, note: str = "") -> None:
    print(f"  {label:<38} {seconds * 1000:9.1f} ms   {note}")


def compile_vs_dry_run(work: Path, env: dict, runs: int, case: str) -> None:
    shutil.copytree(ROOT / "golden" / case, work / "case")
    spec, out = work / "case" / "spec.yaml", work / "compiled.yaml"
    subprocess.run([*NELC, "compile", str(spec), "-o", str(out)], env=env, check=True, capture_output=True)
    nel_env = {**env, "HOME": str(work / "home"), **{n: f"dummy-{n.lower()}" for n in host_variables(out.read_text())}}
    bare = median_seconds([sys.executable, "-c", "pass"], runs, env, work)
    version = median_seconds([*NELC, "--version"], runs, env, work)
    compile_s = median_seconds([*NELC, "compile", str(spec)], runs, env, work)
    dry = median_seconds([nel_executable(), "run", "--config", str(out), "--dry-run"], runs, nel_env, work)
    print(f"1-2. compile against the dry run and a bare start (case {case})")
    row("python -c pass", bare)
    row("nelc --version", version, f"{version / bare:5.1f}x bare start")
    row("nelc compile", compile_s, f"{compile_s / bare:5.1f}x bare start   (target <= 6x)")
    row("nel run --dry-run (same output)", dry, f"{dry / compile_s:5.1f}x nelc compile  (target >= 30x)")


def lint_many(count: int = 1000) -> None:
    from nelc.lint import lint_bytes

    good = (ROOT / "tests" / "lint" / "good.yaml").read_text()
    bad = (ROOT / "tests" / "lint" / "bad.yaml").read_text()
    tasks = ["ns_gpqa", "ns_ifbench", "simple_evals.mmlu", "mmlu", "ns_aime2025"]
    configs = []
    for i in range(count):
        text = (bad if i % 4 == 0 else good).replace("name: ns_gpqa", f"name: {tasks[i % len(tasks)]}")
        configs.append(text.replace("num_repeats: 4", f"num_repeats: {i % 9 + 1}").encode())
    lint_bytes(configs[0], Path("warm.yaml"), "warm.yaml")  # imports and data loads are not per-config costs
    start = time.perf_counter()
    findings = sum(len(lint_bytes(raw, Path(f"c{i}.yaml"), f"c{i}.yaml").diagnostics) for i, raw in enumerate(configs))
    per = (time.perf_counter() - start) / count
    print(f"3. nelc lint over {count} generated configs in one process ({findings} findings)")
    row("per config", per, "(target <= 3 ms)")


def scale(work: Path, env: dict, runs: int) -> None:
    from nelc.knowledge import all_tasks

    names = sorted(t.qualified for t in all_tasks())[:400]  # harness.task: unambiguous for every task
    tail = ("judge: {url: 'https://j/v1/chat/completions', model_id: q}\n"
            "user_simulator: {url: 'https://u/v1/chat/completions', model_id: q}\n")
    small, large = work / "small.yaml", work / "large.yaml"
    small.write_text(f"model: Qwen/Qwen3-8B\nmodel_type: chat_reasoning\nbenchmarks: {names[:4]}\n{tail}")
    large.write_text(f"model: Qwen/Qwen3-8B\nmodel_type: chat_reasoning\nbenchmarks: {names}\n{tail}")
    t_small = median_seconds([*NELC, "compile", str(small)], runs, env, work, ok=(0, 1))
    t_large = median_seconds([*NELC, "compile", str(large)], runs, env, work, ok=(0, 1))
    print(f"4. {len(names)}-task spec against a 4-task spec")
    row("4 tasks", t_small)
    row(f"{len(names)} tasks", t_large, f"{t_large / t_small:5.1f}x the 4-task time  (target <= 5x)")


def malformed(work: Path, env: dict) -> None:
    corpus = sorted((ROOT / "tests" / "malformed").iterdir())
    big = work / "ten-megabytes.yaml"
    big.write_text("model: a/b\nbenchmarks: [x]\n" + "# padding padding padding padding padding padding\n" * 210_000)
    worst, worst_name, peak = 0.0, "", 0
    for case in [*corpus, big]:
        spec = case / "spec.yaml" if case.is_dir() else case
        start = time.perf_counter()
        subprocess.run([*NELC, "compile", str(spec), "-o", str(work / "never.yaml")], env=env, capture_output=True)
        elapsed = time.perf_counter() - start
        if elapsed > worst:
            worst, worst_name = elapsed, case.name
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(f"5. malformed corpus ({len(corpus) + 1} inputs, cold processes)")
    row(f"slowest refusal ({worst_name})", worst, "(target < 1 s)")
    print(f"  {'largest peak memory of a refusal':<38} {peak / 1024:9.1f} MB")


ADVERSARIAL = {  # the field's text, built to about 990 KB (a spec file is at most 1 MB)
    "letters": "a" * 990_000,
    "scheme-flood": "a://" * 247_000,
    "userinfo-flood": ("a://" + "u:" * 120 + "x") * 4_000,
    "token-run": "A1b2" * 247_000,
    "spaces": "a " * 495_000,
}


def adversarial(work: Path, env: dict) -> None:
    print("6. ~1 MB of adversarial text in one field (cold processes)")
    for name, text in ADVERSARIAL.items():
        for field in ("served_model_name", "output_dir"):
            spec = work / f"adv-{name}-{field}.yaml"
            spec.write_text(f"model: org/m\nbenchmarks: [ns_gpqa]\n{field}: '{text}'\n")
            start = time.perf_counter()
            proc = subprocess.run([*NELC, "compile", str(spec), "-o", str(work / "adv.yaml"), "--force"], env=env, capture_output=True)
            row(f"{name} in {field} (exit {proc.returncode})", time.perf_counter() - start, "(target < 2 s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--case", default="local-vllm-checkpoint")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(work / "hf")}
        compile_vs_dry_run(work, env, args.runs, args.case)
        lint_many()
        scale(work, env, args.runs)
        malformed(work, env)
        adversarial(work, env)


if __name__ == "__main__":
    main()
