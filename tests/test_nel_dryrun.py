"""Proof by the real client: every golden expected.yaml passes `nel run --dry-run` of
nemo-evaluator-launcher 0.2.6, and each task's config_ef.yaml it writes passes the checks the
evaluation container runs (nemo-evaluator's own models; see tests/support/container_check.py)."""

from __future__ import annotations

import pytest

from tests.golden import cases
from tests.support.container_check import check_config_ef
from tests.support.nel_dryrun import dry_run

pytestmark = pytest.mark.nel

COMPILED = [case for case in cases() if (case / "expected.yaml").exists()]
# Every compiled golden file: the configs and the baselines compiled beside them.
OUTPUTS = [case / name for case in COMPILED for name in ("expected.yaml", "expected.baseline.yaml") if (case / name).exists()]


@pytest.mark.parametrize("output", OUTPUTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden_passes_nel_dry_run_and_container_checks(output, golden_dry_run):
    case = output.parent
    result = golden_dry_run(output)
    assert result.returncode == 0, f"nel dry run failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert "Job submission failed" not in result.stdout
    assert result.config_efs, "the dry run wrote no config_ef.yaml"
    for where, config_ef in result.config_efs.items():
        assert check_config_ef(config_ef) == [], f"{case.name} {where}: the container would reject config_ef.yaml"


def test_dry_run_harness_can_fail(tmp_path):
    """The dry-run harness reports NEL's own errors (here: a leftover ??? value)."""
    bad = tmp_path / "bad.yaml"
    bad.write_text((COMPILED[0] / "expected.yaml").read_text().replace("tasks:", "tasks:\n    - name: ns_gpqa\n      container: ???", 1))
    result = dry_run(bad, tmp_path / "run")
    assert result.returncode != 0


def test_container_check_can_fail():
    """The container-side check rejects what the container would: an unknown params key."""
    config_ef = {"config": {"type": "ns_gpqa", "output_dir": "/results", "params": {"max_tokens": 5}},
                 "target": {"api_endpoint": {"url": "http://127.0.0.1:8000/v1/chat/completions", "model_id": "m", "type": "chat"}}}
    errors = check_config_ef(config_ef)
    assert any("Invalid parameter 'max_tokens'" in e for e in errors)


@pytest.fixture(scope="module")
def fuzzed_configs(tmp_path_factory) -> list[str]:
    """Compiled outputs of specs drawn from the spec model (tests/test_properties.py), derandomized."""
    import os

    from hypothesis import HealthCheck, given, settings

    from tests.test_properties import _compile, specs

    os.environ["HF_HUB_OFFLINE"] = "1"
    root = tmp_path_factory.mktemp("fuzzed")
    compiled: list[str] = []

    @settings(max_examples=400, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(spec=specs)
    def collect(spec):
        work = root / f"s{len(compiled)}"
        (work / "ckpt").mkdir(parents=True, exist_ok=True)
        (work / "ckpt" / "config.json").write_text('{"max_position_embeddings": 8192, "model_type": "llama"}')
        _, result = _compile(work, spec)
        if result.ok:
            compiled.append(result.yaml)

    collect()
    return compiled


@pytest.mark.parametrize("seed", range(12))
def test_fuzzed_specs_pass_nel_dry_run_and_container_checks(seed, fuzzed_configs, tmp_path):
    """Not only the goldens: specs that compile pass the real dry run and the container-side checks."""
    import random

    text = random.Random(seed).choice(fuzzed_configs)
    config = tmp_path / "fuzzed.yaml"
    config.write_text(text)
    result = dry_run(config, tmp_path / "run")
    assert result.returncode == 0, text + result.stdout[-2000:] + result.stderr[-2000:]
    for where, config_ef in result.config_efs.items():
        assert check_config_ef(config_ef) == [], f"{where}\n{text}"


# Where env vars are declared -> (does NEL 0.2.6's local dry run crash, by the real code).
# L129 models executors/local/executor.py:175-270; each row holds that model against the real dry run.
ENV_PLACES = [
    ("nowhere", {}, True),
    ("deployment.env_vars", {"deployment": {"env_vars": {"A": "lit:1"}}}, False),
    ("evaluation.env_vars", {"evaluation": {"env_vars": {"A": "lit:1"}}}, False),
    ("top-level env_vars", {"env_vars": {"A": "lit:1"}}, False),
    ("the first task's env_vars", {"task0": {"A": "lit:1"}}, False),
    ("only the second task's env_vars", {"task1": {"A": "lit:1"}}, True),
    ("target api_key_name", {"target": {"api_endpoint": {"api_key_name": "SOME_KEY"}}}, False),
]


@pytest.mark.parametrize("where,patch,crashes", ENV_PLACES, ids=[row[0] for row in ENV_PLACES])
def test_l129_matches_nels_local_dry_run(where, patch, crashes, tmp_path):
    import yaml

    from nelc.lint import lint_bytes

    config = yaml.safe_load((COMPILED[0].parent / "local-vllm-checkpoint" / "expected.yaml").read_text())
    config.pop("target", None)
    config["deployment"]["env_vars"] = {}
    config["evaluation"].pop("env_vars", None)
    config["evaluation"]["tasks"] = [{"name": "simple_evals.mmlu"}, {"name": "simple_evals.mmlu_pro"}]
    for key, value in patch.items():
        if key.startswith("task"):
            config["evaluation"]["tasks"][int(key[-1])]["env_vars"] = value
        elif isinstance(value, dict) and isinstance(config.get(key), dict):
            config[key].update(value)
        else:
            config[key] = value
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    result = dry_run(path, tmp_path / "run")
    assert ("UnboundLocalError" in result.stderr + result.stdout) is crashes, result.stderr[-2000:]
    assert (result.returncode != 0) is crashes
    found = [d for d in lint_bytes(path.read_bytes(), path, "run.yaml").diagnostics if d.code == "L129"]
    assert bool(found) is crashes, where
