"""The emitter writes YAML that NEL (PyYAML, YAML 1.1) and ruamel (YAML 1.2) read back unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from nelc.emit import dump, scalar

ROOT = Path(__file__).resolve().parents[1]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.text(max_size=40),
    st.sampled_from(["12:00:00", "04:00:00", "on", "off", "yes", "No", "null", "~", "1e5", "0x1F", "0o17",
                     "1_000", ".inf", "2026-11-26", "host:HF_TOKEN", "--max-model-len 4096", "${oc.env:USER}",
                     "a: b", "#x", "- x", "", " lead", "trail ", "multi\nline", "tab\there", "\u2028"]),
)
keys = st.text(min_size=1, max_size=12).filter(lambda k: k.strip() == k)
trees = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, trees, min_size=1, max_size=5))
@example({"walltime": "12:00:00", "flag": "on", "x": 1e-05, "y": 1e20})
@example({"\x7f": None})  # shrunk failure: DEL must be escaped, YAML forbids it raw
@example({"0": "\x85", "0\x850": None})  # shrunk failures: NEL (U+0085) is a YAML line break
def test_round_trip_under_yaml_1_1_and_1_2(tree):
    text = dump(tree)
    assert yaml.safe_load(text) == tree
    assert _plain(YAML(typ="safe", pure=True).load(text)) == tree


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def test_time_values_are_quoted():
    assert scalar("12:00:00") == '"12:00:00"'
    assert scalar("host:HF_TOKEN") == "host:HF_TOKEN"


def test_output_is_byte_identical_across_hash_seeds(tmp_path):
    """Compile the same golden spec in fresh interpreters with different PYTHONHASHSEED values."""
    spec = ROOT / "golden" / "slurm-sglang-mlflow" / "spec.yaml"
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path)}
        proc = subprocess.run([sys.executable, "-m", "nelc", "compile", str(spec)], capture_output=True, env=env)
        assert proc.returncode == 0, proc.stderr
        outputs.add(proc.stdout)
    assert len(outputs) == 1
