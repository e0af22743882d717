"""Regenerate tests/runs/real-<case>/: each listed case runs end to end (tests/e2e/cases.py: the
real nel, nemo-evaluator and harness wheel), and the job folder its canary copied (`nel info
--copy-logs/--copy-artifacts`) is kept, trimmed. Then run tests/support/make_run_fixtures.py,
which builds the verify and runner scenarios from these folders.

    python -m tests.e2e.regenerate            # run the cases and rewrite the fixtures (~5 min)
    python -m tests.e2e.regenerate --from DIR # reuse the case folders of an earlier run (NELC_E2E_WORK)

Only size is cut, never a field added: files verify does not read and that are large are left out
(report.html, tau2's full simulation dump), long string values are cut to 300 characters, logs keep
their first and last 400 lines. tests/runs/real.json records each fixture's case, verdict, the
seconds its run took and what was cut; tests/test_fixture_fields.py holds every fixture to the
fields real code writes.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from nelc.runner.verify import verdict, verify_run

from .cases import by_name, run_case

ROOT = Path(__file__).resolve().parents[2]
RUNS = ROOT / "tests" / "runs"
MANIFEST = RUNS / "real.json"
# The cases whose canary job becomes tests/runs/real-<case>/<job>/; tests/support/make_run_fixtures.py
# builds scenarios from these folders (a real job as one task of a run, or with one documented change).
CASES = ("aime-clean", "aa_lcr-clean", "tau2-clean", "aa_lcr-context-overflow", "aa_lcr-judge-401", "aa_lcr-judge-garbage",
         "aime-wrong-model-id", "aime-server-died", "lm_eval-arc-clean", "lm_eval-gsm8k-clean", "ruler-clean",
         "ruler-no-nltk-data", "tau2-user-flaky", "mtbench-clean", "bfcl-clean")
LEFT_OUT = ("report.html", "*_telecom_*_user-model.json", "*_results.json")  # large, never read by verify
MAX_STRING = 300
LOG_LINES = 400


def cut(value):
    if isinstance(value, str) and len(value) > MAX_STRING:
        return value[:MAX_STRING] + "[cut]"
    if isinstance(value, dict):
        return {k: cut(v) for k, v in value.items()}
    if isinstance(value, list):
        return [cut(v) for v in value]
    return value


def trimmed(path: Path) -> str | None:
    """The file's text with only its size cut, or None to leave it out."""
    if any(path.match(pattern) for pattern in LEFT_OUT):
        return None
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".json" and len(text) > 64 * 1024:
        return json.dumps(cut(json.loads(text)), indent=1) + "\n"
    if path.suffix == ".csv":
        csv.field_size_limit(1 << 30)
        rows = list(csv.reader(io.StringIO(text)))
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([[cut(cell) for cell in row] for row in rows])
        return out.getvalue()
    if path.suffix == ".log":
        lines = text.splitlines()
        if len(lines) > 2 * LOG_LINES:
            lines = lines[:LOG_LINES] + [f"[{len(lines) - 2 * LOG_LINES} lines cut]"] + lines[-LOG_LINES:]
        return "\n".join(line[:2000] for line in lines) + "\n"
    return text


def install(job: Path, dest: Path) -> list[str]:
    """Replace `dest` with the trimmed copy of `job`; what was left out."""
    shutil.rmtree(dest, ignore_errors=True)
    left = []
    for source in sorted(p for p in job.rglob("*") if p.is_file()):
        text = trimmed(source)
        if text is None:
            left.append(str(source.relative_to(job)))
            continue
        target = dest / source.relative_to(job)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return left


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="reuse", type=Path, help="case folders of an earlier run to reuse")
    parser.add_argument("cases", nargs="*", help="only these cases (default: every case in CASES)")
    args = parser.parse_args(argv)
    work = args.reuse or Path(os.environ.get("NELC_E2E_WORK") or tempfile.mkdtemp(prefix="nelc-e2e-"))
    manifest = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}
    nelc = str(Path(sys.executable).with_name("nelc"))
    for name in args.cases or list(CASES):
        folder = work / name
        if args.reuse is None or not (folder / "result.json").exists():
            run_case(by_name(name).case, folder, nelc)
        result = json.loads((folder / "result.json").read_text())
        canaries = sorted((folder / "config.yaml.nelc-run").glob("canary-*"))
        jobs = [p for p in sorted(canaries[-1].iterdir()) if p.is_dir()] if canaries else []
        if len(jobs) != 1:
            raise SystemExit(f"{name}: expected one copied job folder, found {len(jobs)}")
        for dest in [f"real-{name}/{jobs[0].name}"]:
            shutil.rmtree(RUNS / f"real-{name}", ignore_errors=True)
            left = install(jobs[0], RUNS / dest)
            manifest[dest] = {"case": name, "nelc_run_exit": result["exit_code"], "seconds": result["seconds"],
                              "verdict": verdict(verify_run(RUNS / dest)), "left_out": left,
                              "cut": f"strings over {MAX_STRING} characters in large JSON and CSV files, logs beyond "
                                     f"their first and last {LOG_LINES} lines"}
            print(f"{dest} <- {name} ({result['seconds']} s)")
    MANIFEST.write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
