"""Lint rules: each has a failing and a passing example; fixes are safe, keep comments and converge."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from nelc.cli import main
from nelc.lint import lint_bytes
from nelc.rules import LINT_RULES

HERE = Path(__file__).parent / "lint"
GOOD = (HERE / "good.yaml").read_text()


def _lint(tmp_path, text, name="run.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return lint_bytes(text.encode(), path, name)


def _edit(mutate) -> str:
    """The good config with one change, re-serialized."""
    config = yaml.safe_load(GOOD)
    mutate(config)
    return yaml.safe_dump(config, sort_keys=False).replace("walltime: '12:00:00'", 'walltime: "12:00:00"')


def _adapter(c):
    return c["evaluation"]["nemo_evaluator_config"]["target"]["api_endpoint"]["adapter_config"]


# (code, how to break the good config) -- one failing example per rule; the good config is the passing one.
FAILING = {
    "L101": lambda c: c.setdefault("target", {}).setdefault("api_endpoint", {}).update(adapter_config={"use_caching": True}),
    "L102": lambda c: _adapter(c).update(use_request_loging=True),
    "L104": lambda c: c["deployment"].update(served_model_name="???"),
    "L105": lambda c: c["evaluation"]["env_vars"].update(HF_TOKEN="HF_TOKEN"),
    "L106": lambda c: c["target"]["api_endpoint"].update(url="http://x"),
    "L107": lambda c: c["evaluation"]["tasks"].append({"name": "mmlu"}),
    "L108": lambda c: c["evaluation"]["tasks"][0]["nemo_evaluator_config"]["config"]["params"]["extra"].update(num_repeat=3),
    "L109": lambda c: c["execution"].update(walltime=43200),
    "L110": lambda c: c["execution"].pop("username"),
    "L111": lambda c: c.update(export={"mlflow": {"tracking_uri": "http://m"}}),
    "L112": lambda c: c["deployment"].update(pre_cmd="pip install x"),
    "L113": lambda c: c["deployment"].update(image="vllm/vllm-openai:latest"),
    "L115": lambda c: c.pop("target"),
    "L117": lambda c: c.update(evalution={}),
    "L118": lambda c: c["deployment"].update(served_model_name="m; touch /tmp/x #"),
    "L119": lambda c: c["evaluation"]["env_vars"].update(HF_TOKEN="lit:hf_" + "aB3" * 8),
    "L120": lambda c: c["evaluation"]["tasks"][0].update(config={"params": {"parallelism": 2}}),
    # run-time truth (nelc.effective): what the containers will run with
    "L121": lambda c: c["evaluation"]["tasks"].append({"name": "ns_hle_aa", "nemo_evaluator_config": {"config": {"params": {
        "extra": {"judge": {"url": "https://judge.example.com/v1/chat/completions", "model_id": "m", "api_key": "K"}}}}}}),
    "L122": lambda c: c["evaluation"]["nemo_evaluator_config"].update(config={"params": {"max_new_tokens": 65536}}),
    "L123": lambda c: c["evaluation"]["tasks"].append({"name": "aa_lcr"}),
    "L124": lambda c: c["deployment"].update(extra_args="--max-model-len 40960 --served-model-name other"),
    "L125": lambda c: c["evaluation"]["tasks"].append({"name": "tau2_bench_telecom"}),
    "L126": lambda c: c["evaluation"]["tasks"].append({"name": "adlr_gsm8k_cot_8_shot"}),
    "L127": lambda c: (c["deployment"].update(checkpoint_path=str(HERE / "Qwen3-8B"), hf_model_handle=None),
                       _adapter(c).update(params_to_add={"chat_template_kwargs": {"enable_thinking": False}}),
                       c["evaluation"]["nemo_evaluator_config"].update(config={"params": {"temperature": 0.6, "top_p": 0.95}})),
    "L128": lambda c: c["evaluation"]["tasks"].append({"name": "ruler-4k-completions", "nemo_evaluator_config": {"config": {
        "params": {"extra": {"tokenizer": "org/m", "tokenizer_backend": "huggingface"}}}}}),
    "L129": lambda c: _no_env_on_local(c),
    "L130": lambda c: c["evaluation"]["tasks"].append({"name": "simple_evals.AIME_2025"}),
    "L131": lambda c: c["evaluation"]["tasks"].append({"name": "hle.hle"}),
    "L132": lambda c: c["evaluation"]["tasks"].append({"name": "ns_hle_aa", "nemo_evaluator_config": {"config": {"params": {
        "extra": {"judge": {"url": "https://j.example.com/v1", "model_id": "openai/o3", "api_key": "K", "top_p": 1.0}}}}}}),
    "L133": lambda c: c["evaluation"]["tasks"].append({"name": "mtbench", "nemo_evaluator_config": {"config": {"params": {
        "request_timeout": 3600}}}}),
    "L134": lambda c: c["evaluation"]["tasks"].append({"name": "ruler-4k-completions", "nemo_evaluator_config": {"config": {
        "params": {"extra": {"tokenizer": "org/m", "tokenizer_backend": "hf"}}}}}),
    "L135": lambda c: c["evaluation"]["tasks"].append({"name": "mtbench", "nemo_evaluator_config": {"config": {"params": {
        "extra": {"judge": {"model_id": "my-judge"}}}}}}),
    "L136": lambda c: c["evaluation"]["tasks"].append({"name": "mtbench", "nemo_evaluator_config": {"config": {"params": {
        "max_new_tokens": 16384}}}}),
    "L137": lambda c: c["evaluation"]["nemo_evaluator_config"].setdefault("target", {}).setdefault("api_endpoint", {}).setdefault(
        "adapter_config", {}).update(params_to_add={"user": "${oc.env:HF_TOKEN}"}),
    "L138": lambda c: c["defaults"].insert(-1, {"tuning@deployment": "fast"}),
    "L139": lambda c: c["deployment"].update(checkpoint_path=str(HERE / "Qwen3-8B"), hf_model_handle=None, tensor_parallel_size=3),
    "L140": lambda c: c["execution"].update(gres="gpu:8"),
}


def _no_env_on_local(c):
    c["defaults"] = [{"execution": "local"}, {"deployment": c["deployment"].get("type", "vllm")}, "_self_"]
    for section in (c, c.get("deployment", {}), c["evaluation"], c.get("export") or {}):
        section.pop("env_vars", None)
    for task in c["evaluation"]["tasks"]:
        task.pop("env_vars", None)
    c.get("target", {}).get("api_endpoint", {}).pop("api_key_name", None)


def test_every_lint_rule_has_a_failing_example():
    assert set(FAILING) == {rule.code for rule in LINT_RULES}


def test_good_config_passes_every_rule(tmp_path):
    result = _lint(tmp_path, GOOD)
    assert [d.render() for d in result.diagnostics] == []


@pytest.mark.parametrize("code", sorted(FAILING))
def test_failing_example(tmp_path, code):
    result = _lint(tmp_path, _edit(FAILING[code]))
    found = [d for d in result.diagnostics if d.code == code]
    assert found, [d.render() for d in result.diagnostics]
    assert all(d.line > 0 and d.hint for d in found)


def test_bad_file_findings_point_at_lines(tmp_path):
    result = _lint(tmp_path, (HERE / "bad.yaml").read_text(), "bad.yaml")
    where = {(d.code, d.line) for d in result.diagnostics}
    assert ("L109", 10) in where and ("L106", 22) in where and ("L105", 27) in where and ("L117", 41) in where


def test_fix_keeps_comments_and_converges(tmp_path):
    target = tmp_path / "bad.yaml"
    shutil.copy(HERE / "bad.yaml", target)
    runner = CliRunner()
    first = runner.invoke(main, ["lint", str(target), "--fix", "--format", "json"])
    fixed = target.read_text()
    assert "# our account" in fixed and "# A hand-written config" in fixed
    assert 'walltime: "12:00:00"' in fixed and "${oc.env" not in fixed
    second = runner.invoke(main, ["lint", str(target), "--fix", "--format", "json"])
    assert target.read_text() == fixed  # nothing left to fix: fixes converged
    assert json.loads(first.stdout) == json.loads(second.stdout)
    remaining = _lint(tmp_path, fixed, "bad.yaml")
    assert not [fix for _, fix in remaining.fixes if fix.applicability == "safe"]


def test_unsafe_fixes_only_when_asked(tmp_path):
    target = tmp_path / "bad.yaml"
    shutil.copy(HERE / "bad.yaml", target)
    CliRunner().invoke(main, ["lint", str(target), "--fix"])
    assert "--max-model-len 8192" in target.read_text()
    CliRunner().invoke(main, ["lint", str(target), "--unsafe-fixes"])
    assert "--context-length 8192" in target.read_text()


def test_exit_codes(tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(GOOD)
    shutil.copy(HERE / "bad.yaml", bad)
    runner = CliRunner()
    assert runner.invoke(main, ["lint", str(good)]).exit_code == 0
    assert runner.invoke(main, ["lint", str(bad)]).exit_code == 1
    assert runner.invoke(main, ["lint", str(tmp_path / "missing.yaml")]).exit_code == 2
    assert runner.invoke(main, ["lint", str(good), "--format", "xml"]).exit_code == 2


def test_unrelated_yaml_is_skipped(tmp_path):
    result = _lint(tmp_path, "on: [push]\njobs: {}\n", "ci.yml")
    assert [(d.code, d.severity.value) for d in result.diagnostics] == [("L100", "note")]


def test_specs_are_linted_by_compiling(tmp_path):
    result = _lint(tmp_path, "model: org/m\nbenchmarks: [ns_gpqaa]\n", "x.nelc.yaml")
    assert any(d.code == "R165" for d in result.diagnostics)


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_format_goldens(fmt, update_goldens, monkeypatch):
    monkeypatch.chdir(HERE)
    result = CliRunner().invoke(main, ["lint", "bad.yaml", "--format", fmt])
    golden = HERE / f"bad.{fmt}.golden"
    if update_goldens:
        golden.write_text(result.stdout)
    assert result.stdout == golden.read_text()
    if fmt == "sarif":
        assert json.loads(result.stdout)["version"] == "2.1.0"


def test_auto_format_is_github_under_actions(monkeypatch, tmp_path):
    (tmp_path / "bad.yaml").write_text((HERE / "bad.yaml").read_text())
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    out = CliRunner().invoke(main, ["lint", str(tmp_path / "bad.yaml")]).stdout
    assert out.startswith("::")


def test_compiled_goldens_lint_clean():
    """What nelc emits passes nelc's own lint (errors and warnings)."""
    root = Path(__file__).resolve().parents[1] / "golden"
    for expected in sorted(root.glob("*/expected.yaml")):
        result = lint_bytes(expected.read_bytes(), expected, str(expected))
        bad = [d.render() for d in result.diagnostics if d.severity.value in ("error", "warning")]
        assert bad == [], expected.parent.name


# ----- the lint policy: errors fail, warnings only with --strict; select, ignore, inline, config -----
WARN_ONLY = GOOD.replace("image: vllm/vllm-openai:v0.12.0", "image: vllm/vllm-openai:latest")


def _invoke(tmp_path, text: str, *args: str, name: str = "run.yaml"):
    target = tmp_path / name
    target.write_text(text)
    return CliRunner().invoke(main, ["lint", str(target), "--format", "json", *args])


def _codes(result) -> list[str]:
    return [d["code"] for d in json.loads(result.stdout)]


def test_warnings_alone_pass_unless_strict(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _invoke(tmp_path, WARN_ONLY)
    assert _codes(result) == ["L113"] and result.exit_code == 0
    assert _invoke(tmp_path, WARN_ONLY, "--strict").exit_code == 1


@pytest.mark.parametrize("args,expected", [(("--ignore", "L113"), []), (("--ignore", "L1"), []), (("--select", "L109"), []),
                                            (("--select", "L113,L109"), ["L113"])])
def test_select_and_ignore(tmp_path, monkeypatch, args, expected):
    monkeypatch.chdir(tmp_path)
    assert _codes(_invoke(tmp_path, WARN_ONLY, *args)) == expected


@pytest.mark.parametrize("comment,silenced", [("  # nelc: ignore[L113]", True), ("  # nelc: ignore", True),
                                              ("  # nelc: ignore[L109]", False), ("", False)])
def test_inline_ignore_on_the_line(tmp_path, monkeypatch, comment, silenced):
    monkeypatch.chdir(tmp_path)
    text = WARN_ONLY.replace("image: vllm/vllm-openai:latest", "image: vllm/vllm-openai:latest" + comment)
    assert (_codes(_invoke(tmp_path, text)) == []) is silenced


def test_inline_ignore_on_the_line_above(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = WARN_ONLY.replace("  image: vllm/vllm-openai:latest", "  # nelc: ignore[L113] -- pinned by the cluster admins\n"
                                                                 "  image: vllm/vllm-openai:latest")
    assert _codes(_invoke(tmp_path, text)) == []


@pytest.mark.parametrize("name,body", [("pyproject.toml", "[tool.nelc]\nignore = [\"L113\"]\n"), (".nelc.toml", "ignore = [\"L113\"]\n")])
def test_defaults_from_the_nearest_config_file(tmp_path, monkeypatch, name, body):
    (tmp_path / name).write_text(body)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert _codes(_invoke(tmp_path, WARN_ONLY)) == []


def test_strict_from_pyproject(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[tool.nelc]\nstrict = true\n")
    monkeypatch.chdir(tmp_path)
    assert _invoke(tmp_path, WARN_ONLY).exit_code == 1


@pytest.mark.parametrize("body", ["[tool.nelc]\nignore = \"L113 R1\"\n", "[tool.nelc]\nstrict = \"yes\"\n", "[tool.nelc]\nselct = []\n",
                                  "[tool.nelc\n"])
def test_bad_settings_are_f009(tmp_path, monkeypatch, body):
    (tmp_path / "pyproject.toml").write_text(body)
    monkeypatch.chdir(tmp_path)
    result = _invoke(tmp_path, WARN_ONLY)
    assert result.exit_code == 2 and "error[F009]" in result.stderr


def test_a_spec_ignores_its_own_codes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = "model: org/m\nmodel_type: chat_reasoning\nbenchmarks: [ns_gpqa]\n"
    assert "R205" in _codes(_invoke(tmp_path, spec, name="s.nelc.yaml"))  # context length unknown: a warning
    quiet = _invoke(tmp_path, spec + "lint: {ignore: [R205, P003, R101, R210]}\n", name="s.nelc.yaml")
    assert _codes(quiet) == [] and quiet.exit_code == 0


# ----- mistakes the dry run or the container would catch hours later ------------------------------
def _fixed(tmp_path, text: str, *flags: str) -> str:
    target = tmp_path / "run.yaml"
    target.write_text(text)
    CliRunner().invoke(main, ["lint", str(target), *flags])
    return target.read_text()


def test_task_level_config_moves_under_nemo_evaluator_config(tmp_path):
    config = yaml.safe_load(GOOD)
    config["evaluation"]["tasks"][0] = {"name": "ns_gpqa", "config": {"params": {"parallelism": 2}}}
    task = yaml.safe_load(_fixed(tmp_path, yaml.safe_dump(config, sort_keys=False), "--fix"))["evaluation"]["tasks"][0]
    assert "config" not in task and task["nemo_evaluator_config"]["config"]["params"]["parallelism"] == 2


def test_a_misspelled_task_key_gets_a_did_you_mean(tmp_path):
    config = yaml.safe_load(GOOD)
    config["evaluation"]["tasks"][0]["nemo_evaluator_confg"] = {}
    result = _lint(tmp_path, yaml.safe_dump(config, sort_keys=False))
    assert any(d.code == "L120" and "nemo_evaluator_config" in d.hint for d in result.diagnostics)


def test_an_undeclared_dummy_key_is_declared_by_the_safe_fix(tmp_path):
    text = GOOD.replace("    DUMMY_API_KEY: lit:dummy\n", "")
    assert any(d.code == "L115" and "never declared" in d.message for d in _lint(tmp_path, text).diagnostics)
    fixed = yaml.safe_load(_fixed(tmp_path, text, "--fix"))
    assert fixed["evaluation"]["env_vars"]["DUMMY_API_KEY"] == "lit:dummy"


def test_a_dummy_key_declared_by_every_task_is_declared(tmp_path):
    config = yaml.safe_load(GOOD.replace("    DUMMY_API_KEY: lit:dummy\n", ""))
    tasks = config["evaluation"]["tasks"]
    tasks.append({**tasks[0]})
    for task in tasks:
        task["env_vars"] = {"DUMMY_API_KEY": "lit:dummy"}
    never = lambda cfg: [d for d in _lint(tmp_path, yaml.safe_dump(cfg, sort_keys=False)).diagnostics
                         if d.code == "L115" and "never declared" in d.message]
    assert never(config) == []
    del tasks[1]["env_vars"]  # one task without it: NEL reads it from the shell for that task
    assert len(never(config)) == 1


def test_modelopt_quantization_flag_on_vllm_without_a_readable_checkpoint(tmp_path):
    text = GOOD.replace("extra_args: --max-model-len 40960", "extra_args: --max-model-len 40960 --quantization modelopt_fp4")
    found = [d for d in _lint(tmp_path, text).diagnostics if d.code == "L113" and "--quantization" in d.message]
    assert found and "vLLM reads a ModelOpt checkpoint's format" in found[0].message
    assert "--quantization" not in yaml.safe_load(_fixed(tmp_path, text, "--unsafe-fixes"))["deployment"]["extra_args"]


def test_max_saved_is_renamed_even_beside_a_max_logged(tmp_path):
    config = yaml.safe_load(GOOD)
    adapter = _adapter(config)
    adapter.pop("max_logged_requests", None)
    adapter.update(use_request_logging=True, use_response_logging=True, max_saved_requests=5, max_logged_responses=5)
    text = yaml.safe_dump(config, sort_keys=False)
    assert any(d.code == "L102" and "max_saved_requests" in d.message for d in _lint(tmp_path, text).diagnostics)
    fixed = _adapter(yaml.safe_load(_fixed(tmp_path, text, "--fix")))
    assert fixed["max_logged_requests"] == 5 and "max_saved_requests" not in fixed


def test_fixes_never_half_apply_or_crash(tmp_path):
    config = yaml.safe_load(GOOD)
    config["evaluation"]["env_vars"] = []  # NEL cannot merge a list; the DUMMY fix cannot go there
    text = yaml.safe_dump(config, sort_keys=False)
    target = tmp_path / "run.yaml"
    target.write_text(text)
    fixed = CliRunner().invoke(main, ["lint", str(target), "--fix"])
    assert fixed.exception is None or isinstance(fixed.exception, SystemExit)
    assert "must be a mapping" in fixed.output and target.read_text() == text
    config = yaml.safe_load(GOOD)
    config["evaluation"]["tasks"][0] = {"name": "ns_gpqa", "nemo_evaluator_config": None, "config": {"params": {"parallelism": 8}}}
    text = yaml.safe_dump(config, sort_keys=False)
    assert "parallelism: 8" in _fixed(tmp_path, text, "--fix")  # no safe move into a null section: nothing is lost


def test_max_saved_with_caching_is_the_cache_size(tmp_path):
    config = yaml.safe_load(GOOD)
    _adapter(config).update(use_caching=True, save_requests=True, max_saved_requests=2000)
    assert not any(d.code == "L102" for d in _lint(tmp_path, yaml.safe_dump(config, sort_keys=False)).diagnostics)


def test_odd_pyproject_and_spec_prefixes(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("tool = 5\n")
    monkeypatch.chdir(tmp_path)
    assert _invoke(tmp_path, WARN_ONLY).exit_code == 0
    spec = "model: org/m\nmodel_type: chat_reasoning\nbenchmarks: [ns_gpqa]\nlint: {ignore: [P, R2, R1]}\n"
    assert _codes(_invoke(tmp_path, spec, name="s.nelc.yaml")) == []


def test_who_you_are_is_not_a_secret_and_env_blocks_are_l105s(tmp_path):
    config = yaml.safe_load(GOOD)
    config["execution"]["username"] = "${oc.env:USER}"  # NEL 0.2.6's own SLURM default
    config["evaluation"]["env_vars"]["MODE"] = "${oc.env:MODE}"
    codes = [d.code for d in _lint(tmp_path, yaml.safe_dump(config, sort_keys=False)).diagnostics]
    assert "L137" not in codes and "L105" in codes
    config["execution"]["account"] = "acct-${oc.env:HF_TOKEN}"
    found = [d for d in _lint(tmp_path, yaml.safe_dump(config, sort_keys=False)).diagnostics if d.code == "L137"]
    assert len(found) == 1 and "HF_TOKEN" in found[0].message and found[0].path == "execution.account"
