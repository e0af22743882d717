"""Benchmarks that print figures (never timed unit tests).

    python bench/bench.py [--runs 7]

Measured side by side in one run, cold processes each time:
  * `nelc compile` (full validation included) against `nel run --dry-run` on the same output;
  * `nelc --version` and `nelc compile` against a bare `python -c pass` start.
"""

from __future__ import annotations

import argparse
import os
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


def median_seconds(cmd: list[str], runs: int, env: dict, cwd: Path) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr.decode()[-2000:]}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--case", default="local-vllm-checkpoint")
    args = parser.parse_args()
    case = ROOT / "golden" / args.case
    nelc = [sys.executable, "-m", "nelc"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(case, work / "case")
        spec = work / "case" / "spec.yaml"
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(work / "hf")}
        out = work / "compiled.yaml"
        subprocess.run([*nelc, "compile", str(spec), "-o", str(out)], env=env, check=True, capture_output=True)
        nel_env = {**env, "HOME": str(work / "home")}
        nel_env.update({name: f"dummy-{name.lower()}" for name in host_variables(out.read_text())})
        bare = median_seconds([sys.executable, "-c", "pass"], args.runs, env, work)
        version = median_seconds([*nelc, "--version"], args.runs, env, work)
        compile_s = median_seconds([*nelc, "compile", str(spec)], args.runs, env, work)
        dry = median_seconds([nel_executable(), "run", "--config", str(out), "--dry-run"], args.runs, nel_env, work)
    print(f"case {args.case}, median of {args.runs} cold runs")
    print(f"  python -c pass            {bare * 1000:8.1f} ms")
    print(f"  nelc --version            {version * 1000:8.1f} ms   {version / bare:5.1f}x bare start")
    print(f"  nelc compile              {compile_s * 1000:8.1f} ms   {compile_s / bare:5.1f}x bare start (target <= 6x)")
    print(f"  nel run --dry-run         {dry * 1000:8.1f} ms")
    print(f"  dry run / compile         {dry / compile_s:8.1f}x        (target >= 30x)")


if __name__ == "__main__":
    main()
