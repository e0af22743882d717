"""The end-to-end case table: clean canaries that must pass, and broken variants that `nelc run`
must refuse, each with the words its refusal must name. test_e2e.py runs them; so can a person:

    python -m tests.e2e.cases                  # list the cases
    python -m tests.e2e.cases aa_lcr-clean     # run one; prints its result as JSON
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from .harness import Case, Result, launch, prepare

AIME = "simple_evals.AIME_2025_aa_v2"
# A failing endpoint is retried with backoff (simple-evals: --max_retries 10 per request, x 640
# requests; AA-LCR sleeps between tries): one try keeps a refused canary to seconds, as a user would set it to fail fast.
FAIL_FAST = {"evaluation.nemo_evaluator_config.config.params.max_retries": 1}


@dataclass(frozen=True)
class Expectation:
    case: Case
    passes: bool  # the canary passes (and the declined full run is the only thing left)
    reason: str = ""  # a regular expression the refusal (nelc run's output) must match (lookaheads: several causes)


CASES: tuple[Expectation, ...] = (
    Expectation(Case("aime-clean", "aime2025.yaml", AIME), True),
    Expectation(Case("aa_lcr-clean", "aa-lcr.yaml", "aa_lcr"), True),
    Expectation(Case("tau2-clean", "tau2-telecom.yaml", "tau2_bench_telecom"), True),
    Expectation(Case("lm_eval-arc-clean", "lm-eval-base.yaml", "arc_challenge"), True),
    Expectation(Case("lm_eval-gsm8k-clean", "lm-eval-base.yaml", "gsm8k"), True),
    Expectation(Case("ruler-clean", "ruler-base.yaml", "ruler-4k-completions"), True),
    Expectation(Case("mtbench-clean", "mtbench.yaml", "mtbench"), True),
    Expectation(Case("bfcl-clean", "bfcl.yaml", "bfclv3_ast"), True),
    # vLLM answers 400 to a request longer than --max-model-len; the stand-in does the same.
    Expectation(Case("aa_lcr-context-overflow", "aa-lcr.yaml", "aa_lcr",
                     edits={**FAIL_FAST, "deployment.extra_args": "--max-model-len 8192 --reasoning-parser qwen3"},
                     lint_ignore=("L122",)), False,
                r"context length|HTTP 400|400 Bad Request"),
    # The client asks for a model name the server does not serve: vLLM answers 404.
    Expectation(Case("aime-wrong-model-id", "aime2025.yaml", AIME,
                     edits=FAIL_FAST,
                     text_edits={"--served-model-name ${deployment.served_model_name}": "--served-model-name another-model"},
                     lint_ignore=("L124",)),
                False,
                r"served|404|does not exist"),
    # The judge wants a key the run does not send: every judge call is a 401.
    Expectation(Case("aa_lcr-judge-401", "aa-lcr.yaml", "aa_lcr", edits=FAIL_FAST, judge_api_key="the-right-key"), False,
                r"judge"),
    # The judge answers text AA-LCR cannot parse: the replies are left out of the mean.
    # AA-LCR's mean over no parsed judgement is NaN (a real NaN score).
    Expectation(Case("aa_lcr-judge-garbage", "aa-lcr.yaml", "aa_lcr", edits=FAIL_FAST, judge_env={"NELC_E2E_FAULT": "garbage"}), False,
                r"(?s)(?=.*judge)(?=.*not a finite number \(nan\))"),
    # The model server dies after a few requests.
    Expectation(Case("aime-server-died", "aime2025.yaml", AIME, edits=FAIL_FAST, env={"NELC_E2E_FAULT": "die-after:5"}), False,
                r"died|connection|exit|samples"),
    # RULER downloads NLTK's punkt data at start-up; an offline evaluation container without it fails the essay tasks.
    Expectation(Case("ruler-no-nltk-data", "ruler-base.yaml", "ruler-4k-completions", no_datasets=True), False,
                r"(?s)(?=.*NLTK data missing)(?=.*exited with code 1 \(logs/stage\.exit\))"),
    # The user simulator fails half its calls: tau2 skips those simulations, and the canary scores fewer samples.
    Expectation(Case("tau2-user-flaky", "tau2-telecom.yaml", "tau2_bench_telecom", edits=FAIL_FAST,
                     judge_env={"NELC_E2E_FAULT": "fail-share:0.5"}), False,
                r"of 10 samples were scored"),
    # NEL's offline refusal of a pinned image whose task list it cannot fetch.
    Expectation(Case("aime-untrusted-offline", "aime2025.yaml", AIME, trust_unlisted=False), False,
                r"NEMO_EVALUATOR_TRUST_UNLISTED_TASKS=1"),
)


def by_name(name: str) -> Expectation:
    for expectation in CASES:
        if expectation.case.name == name:
            return expectation
    raise KeyError(name)


def run_case(case: Case, work: Path, nelc: str) -> Result:
    return launch(case, prepare(case, work, nelc), work)


def main(argv: list[str]) -> int:
    if not argv:
        for expectation in CASES:
            print(f"{expectation.case.name:28} {'passes' if expectation.passes else 'refused: ' + expectation.reason}")
        return 0
    work_root = Path(os.environ.get("NELC_E2E_WORK") or tempfile.mkdtemp(prefix="nelc-e2e-"))
    nelc = str(Path(sys.executable).with_name("nelc"))
    for name in argv:
        result = run_case(by_name(name).case, work_root / name, nelc)
        print(json.dumps(asdict(result), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
