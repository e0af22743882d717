#!/usr/bin/env python3
"""A stand-in `nel` for the runner tests, put first on PATH by the test.

It appends its arguments to $FAKE_NEL_LOG, hands `run --dry-run` to the real nel ($REAL_NEL), and
plays the rest back from the JSON scenario in $FAKE_NEL_SCENARIO:
  {"submissions": {"<task or 'full'>": "<invocation id>"},
   "statuses": {"<id>": ["running", "success"]},          # one per `status` call, last one repeats
   "copies": {"<id>": "<fixture run folder>"}}             # what `info --copy-logs/--copy-artifacts` copies
As `ssh` it prints $FAKE_SSH_CREDENTIALS, the cluster's enroot credentials.
"""

import json
import os
import shutil
import sys
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
        counter = Path(os.environ["FAKE_NEL_LOG"] + f".{args[1]}.calls")
        calls = int(counter.read_text()) if counter.exists() else 0
        counter.write_text(str(calls + 1))
        sequence = scenario["statuses"][args[1]]
        status = sequence[min(calls, len(sequence) - 1)]
        print(json.dumps([{"invocation": args[1], "job_id": f"{args[1]}.0", "status": status, "data": {}}]))
        return 0
    if args[:1] == ["info"] and ("--copy-logs" in args or "--copy-artifacts" in args):
        target = Path(args[args.index("--copy-logs" if "--copy-logs" in args else "--copy-artifacts") + 1])
        source = scenario["copies"].get(args[1])
        if source:
            shutil.copytree(source, target, dirs_exist_ok=True)
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
