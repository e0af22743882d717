"""Bad input gets a coded diagnostic with file:line:col and a hint; never a traceback or a secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nelc.diagnostics import CompileError
from nelc.spec import spec_json_schema
from tests.helpers import compile_text

ROOT = Path(__file__).resolve().parents[1]

# (id, spec text, code, line, col, text that must appear in message or hint)
CASES = [
    ("yaml-syntax", "model: [unclosed\nbenchmarks: [a]\n", "Y001", 2, None, "YAML syntax"),
    ("duplicate-key", "model: a/b\nmodel: c/d\nbenchmarks: [x]\n", "Y002", 2, 1, "model"),
    ("empty", "", "S001", 1, 1, "empty"),
    ("list-at-top", "- model\n", "S002", 1, 1, "mapping"),
    ("unknown-key", "model: a/b\nbenchmarks: [x]\nexecuter: slurm\n", "S003", 3, 1, "did you mean 'executor'"),
    ("unknown-nested", "model: a/b\nbenchmarks: [x]\nslurm:\n  acount: a\n", "S003", 4, 3, "did you mean 'account'"),
    ("missing-required", "benchmarks: [x]\n", "S004", 1, 1, "model"),
    ("bad-literal", "model: a/b\nbenchmarks: [x]\nbackend: sglan\n", "S005", 3, 1, "did you mean 'sglang'"),
    ("unquoted-walltime-int", "model: a/b\nbenchmarks: [x]\nslurm:\n  walltime: 43200\n", "S008", 4, 3, "quote"),
    ("bad-walltime", "model: a/b\nbenchmarks: [x]\nslurm:\n  walltime: 4h\n", "S006", 4, 3, "04:00:00"),
    ("env-without-prefix", "model: a/b\nbenchmarks: [x]\ndeployment:\n  env_vars:\n    HF_TOKEN: HF_TOKEN\n", "S006", 5, 5, "host:HF_TOKEN"),
    ("empty-benchmarks", "model: a/b\nbenchmarks: []\n", "S009", 2, 1, "at least 1"),
    ("wrong-type-list", "model: a/b\nbenchmarks: ns_gpqa\n", "S008", 2, 1, "list"),
]


@pytest.mark.parametrize("text,code,line,col,needle", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_diagnostics(tmp_path, text, code, line, col, needle):
    result = compile_text(tmp_path, text)
    assert not result.ok
    matching = [d for d in result.diagnostics if d.code == code]
    assert matching, [d.render() for d in result.diagnostics]
    diag = matching[0]
    assert diag.file == "spec.yaml" and diag.line == line
    if col is not None:
        assert diag.col == col
    assert needle in diag.message + diag.hint
    assert diag.hint


SECRETS = ["nvapi-AbCdEf0123456789xyz", "hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345", "sk-proj-0123456789abcdef"]


@pytest.mark.parametrize("secret", SECRETS)
def test_secret_where_a_name_belongs_is_refused_and_never_echoed(tmp_path, secret):
    result = compile_text(tmp_path, f"model: a/b\nbenchmarks: [x]\njudge: {{url: u, model_id: m, api_key_name: {secret}}}\n")
    assert "S007" in [d.code for d in result.diagnostics]
    assert all(secret not in d.render() for d in result.diagnostics)


def test_secret_in_env_value_is_not_echoed(tmp_path):
    secret = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345"
    result = compile_text(tmp_path, f"model: a/b\nbenchmarks: [x]\ndeployment: {{env_vars: {{HF_TOKEN: {secret}}}}}\n")
    assert not result.ok
    assert all(secret not in d.render() for d in result.diagnostics)


def test_old_model_type_names_map_with_a_note(tmp_path):
    result = compile_text(tmp_path, "model: a/b\nmodel_type: reasoning\nbenchmarks: [ns_gpqa]\n")
    assert result.ok
    assert [d.code for d in result.diagnostics if d.code == "S010"] == ["S010"]


def test_alias_bomb_is_refused(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join(['*a%d' % (i - 1)] * 10)}]" for i in range(1, 8)]
    result = compile_text(tmp_path, "\n".join(lines) + "\nmodel: a/b\nbenchmarks: [x]\n")
    assert "Y003" in [d.code for d in result.diagnostics]


def test_non_utf8_is_refused(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(b"model: a/b\nbenchmarks: [\xff]\n")
    from nelc.pipeline import compile_spec
    result = compile_spec(spec.read_bytes(), spec, "spec.yaml")
    assert [(d.code, d.line) for d in result.diagnostics] == [("Y006", 2)]


def test_committed_spec_schema_is_current():
    committed = json.loads((ROOT / "schemas" / "spec.schema.json").read_text())
    assert committed == spec_json_schema(), "regenerate with: nelc schema > schemas/spec.schema.json"


def test_spec_schema_accepts_every_golden_spec():
    import jsonschema
    import yaml

    validator = jsonschema.Draft202012Validator(spec_json_schema())
    for spec in sorted((ROOT / "golden").glob("*/spec.yaml")):
        if spec.parent.name.startswith("error-"):
            continue
        data = yaml.safe_load(spec.read_text())
        data["model_type"] = {"chat": "chat_reasoning"}.get(data.get("model_type"), data.get("model_type"))
        data = {k: v for k, v in data.items() if v is not None or k == "model_type"}
        if data["model_type"] is None:
            del data["model_type"]
        assert not list(validator.iter_errors(data)), spec


def test_a_document_over_the_node_budget_is_refused_before_a_graph_is_built(monkeypatch):
    """The budget is counted on the parser's events (issue 22 route 6): compose is never reached."""
    import ruamel.yaml

    from nelc.load import MAX_NODES, load_yaml

    composed = []
    monkeypatch.setattr(ruamel.yaml.YAML, "compose", lambda self, text: composed.append(1))
    with pytest.raises(CompileError) as refused:
        load_yaml("- 1\n" * (MAX_NODES + 10), "results.yml")
    assert refused.value.diagnostics[0].code == "Y003" and composed == []
