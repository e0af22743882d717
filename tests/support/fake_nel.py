#!/usr/bin/env python3
"""A stand-in `nel` for the runner tests, put first on PATH by the test.

It appends its arguments to $FAKE_NEL_LOG, hands `run --dry-run` to the real nel ($REAL_NEL), and
plays the rest back from the JSON scenario in $FAKE_NEL_SCENARIO, printing what NEL 0.2.6 prints:
  {"version": "nemo_evaluator_launcher: 0.2.6",               # `nel --version` (cli/version.py:51-55)
   "submissions": {"<task or 'full'>": "<16-hex invocation>"},  # `Invocation ID: ...` (cli/run.py:317)
   "statuses": {"<id>": ["running", "success"]},               # one per `status` call, last one repeats
   "status_raw": {"<id>": "<text>"},                           # printed instead of a well-formed status
   "sleep": {"status": 5},                                     # seconds a command hangs before answering
   "copies": {"<id>": "<fixture run folder>"}}                 # the jobs `info --copy-*` copies
`info --copy-logs DIR` copies only each job's logs/ and `--copy-artifacts DIR` only its artifacts/,
into DIR/<invocation>.<idx>/ (exporters/utils.py:435-490), and exits 0 even when nothing is copied.
As `ssh` it prints $FAKE_SSH_CREDENTIALS, the cluster's enroot credentials.
"""

import json
import os
import shutil
import sys
import time
from pathlib import Path


def main() -> int:
    args = sys.argv[1:]
    name = os.environ.get("FAKE_NEL_AS") or Path(sys.argv[0]).name  # the PATH wrapper says which tool it plays
    with open(os.environ["FAKE_NEL_LOG"], "a") as log:
        log.write(json.dumps([name, *args]) + "\n")
    if name == "ssh":
        print(os.environ.get("FAKE_SSH_CREDENTIALS", ""))
        return 0
    scenario = json.loads(Path(os.environ["FAKE_NEL_SCENARIO"]).read_text())
    command = args[0] if args else ""
    time.sleep(scenario.get("sleep", {}).get(command, 0))
    if args[:1] == ["--version"]:
        print(scenario.get("version", "nemo_evaluator_launcher: 0.2.6"))
        return 0
    if args[:1] == ["run"] and "--dry-run" in args:
        os.execv(os.environ["REAL_NEL"], [os.environ["REAL_NEL"], *args])
    if args[:1] == ["run"]:
        key = args[args.index("-t") + 1] if "-t" in args and any("limit_samples" in a for a in args) else "full"
        invocation = scenario["submissions"].get(key)
        if invocation is None:
            print("✗ Job submission failed, see logs | Error: scenario has no submission for " + key)
            return 1
        print(f"✓ Job submission successful | Invocation ID: {invocation}")
        return 0
    if args[:1] == ["status"]:
        if args[1] in scenario.get("status_raw", {}):
            print(scenario["status_raw"][args[1]])
            return 0
        counter = Path(os.environ["FAKE_NEL_LOG"] + f".{args[1]}.calls")
        calls = int(counter.read_text()) if counter.exists() else 0
        counter.write_text(str(calls + 1))
        sequence = scenario["statuses"][args[1]]
        status = sequence[min(calls, len(sequence) - 1)]
        print(json.dumps([{"invocation": args[1], "job_id": f"{args[1]}.0", "status": status, "progress": {"progress": None},
                           "data": {}}], indent=2))
        return 0
    if args[:1] == ["info"] and ("--copy-logs" in args or "--copy-artifacts" in args):
        print("nemo_evaluator_launcher: 0.2.6")  # every `nel info` prints the version first (cli/info.py:127-128)
        flag = "--copy-logs" if "--copy-logs" in args else "--copy-artifacts"
        target, part = Path(args[args.index(flag) + 1]), "logs" if flag == "--copy-logs" else "artifacts"
        source = scenario["copies"].get(args[1])
        for job in sorted(Path(source).iterdir()) if source else []:
            if (job / part).is_dir():
                shutil.copytree(job / part, target / job.name / part, dirs_exist_ok=True)
        return 0
    return 0

if __name__ == "__main__":
    sys.exit(main())
