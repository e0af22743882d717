from __future__ import annotations

from pathlib import Path

import yaml

from nelc.pipeline import Result, compile_spec


def compile_text(tmp_path: Path, text: str, name: str = "spec.yaml") -> Result:
    spec = tmp_path / name
    spec.write_text(text, encoding="utf-8")
    return compile_spec(spec.read_bytes(), spec, display=name)


def config_of(result: Result) -> dict:
    """The emitted YAML read back the way NEL reads it (PyYAML, YAML 1.1)."""
    assert result.ok, "\n".join(d.render() for d in result.diagnostics)
    return yaml.safe_load(result.yaml)


def codes(result: Result) -> list[str]:
    return [d.code for d in result.diagnostics]
