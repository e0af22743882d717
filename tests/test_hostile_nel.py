"""End-to-end proof that what nelc lets through cannot run a command in the scripts NEL writes.

The real `nel run --dry-run` of NEL 0.2.6 writes the local run.sh files, `.secrets.env` and (for
SLURM) prints the sbatch script. Each is parsed with `bash -n` and then run with every external
command on PATH replaced by a stub that only logs its name and arguments. A command named
`nelc_pwned` appearing in the log means an injected command ran.

The positive control shows the harness can fail: the same compiled config with a hostile served
model name written in by hand (as a user would without nelc) makes the stubbed run.sh execute
`nelc_pwned`, and `nelc lint` refuses that config. The nelc-compiled configs carry the same
marker text inside values at the edge of each field class, and it never runs.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from nelc.cli import main
from tests.support.nel_dryrun import dry_run

pytestmark = pytest.mark.nel

MARKER = "nelc_pwned"
STUB = """#!/bin/sh
printf '%s\\n' "${0##*/} $*" >> "$STUB_LOG"
case "${0##*/}" in
  curl) printf 200 ;;
  date) printf '2026-01-01T00:00:00Z' ;;
esac
exit 0
"""
EDGE_SPEC = """\
model: ./ckpt-v1.5+q=8@rev
model_type: chat_reasoning
served_model_name: "org/{m}:v1.5+q@x"
benchmarks: [ns_gpqa]
output_dir: ./out-v1.5+x=y@z
deployment:
  extra_args: "--max-num-seqs 8 --chat-template '{{% if x %}}a;{m} `{m}` $({m}){{% endif %}}'"
  env_vars:
    A: "lit:it's a 'quoted' value; {m} | {m} & {m} > /tmp/x # {m}"
""".format(m=MARKER)


def _stubs(root: Path) -> tuple[Path, Path]:
    """A PATH on which every external command (all of /bin and /usr/bin, plus the cluster and
    container tools) is the logging stub."""
    folder, log = root / "stubs", root / "stub.log"
    folder.mkdir(parents=True)
    stub = folder / "_stub"
    stub.write_text(STUB)
    stub.chmod(0o755)
    names = {MARKER, "docker", "srun", "sbatch", "scontrol", "squeue", "nvidia-smi", "enroot"}
    for system in ("/bin", "/usr/bin"):
        names |= set(os.listdir(system)) if os.path.isdir(system) else set()
    for name in names - {"_stub"}:
        if "/" not in name:
            (folder / name).symlink_to(stub)
    log.write_text("")
    return folder, log


def _run_stubbed(script: Path, root: Path, timeout: float = 60) -> list[str]:
    folder, log = _stubs(root)
    task_dir = re.search(r'^TASK_DIR="([^"]+)"', script.read_text(), re.MULTILINE)
    base = Path(task_dir.group(1)) if task_dir else script.parent
    for sub in ("logs", "artifacts"):  # mkdir is a stub too; the script's own redirects need these
        (base / sub).mkdir(parents=True, exist_ok=True)
    env = {"PATH": str(folder), "STUB_LOG": str(log), "HOME": str(root), "HF_TOKEN": "dummy"}
    try:
        subprocess.run(["/bin/bash", str(script)], cwd=script.parent, env=env, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pass  # a script still waiting on its (stubbed) server is fine: the log says what it ran
    return [line.split(" ", 1)[0] for line in log.read_text().splitlines()]


def _bash_n(script: Path) -> None:
    check = subprocess.run(["/bin/bash", "-n", str(script)], capture_output=True, text=True)
    assert check.returncode == 0, f"{script.name} does not parse: {check.stderr}"


def _compiled(tmp_path: Path, spec_text: str) -> Path:
    (tmp_path / "ckpt-v1.5+q=8@rev").mkdir()
    (tmp_path / "ckpt-v1.5+q=8@rev" / "config.json").write_text('{"max_position_embeddings": 8192}')
    spec = tmp_path / "spec.nelc.yaml"
    spec.write_text(spec_text)
    out = tmp_path / "run.yaml"
    result = CliRunner().invoke(main, ["compile", str(spec), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    return out


def test_positive_control_the_harness_sees_an_injection(tmp_path):
    config = yaml.safe_load(_compiled(tmp_path, EDGE_SPEC).read_text())
    config["deployment"]["served_model_name"] = f"m;{MARKER};#"
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(yaml.safe_dump(config, sort_keys=False))
    assert "error[L118]" in CliRunner().invoke(main, ["lint", str(hostile)]).output
    result = dry_run(hostile, tmp_path / "run")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    (script,) = (tmp_path / "run").rglob("run.sh")
    assert MARKER in _run_stubbed(script, tmp_path / "stubbed"), "the stubbed run should have executed the injected command"


def test_local_scripts_from_nelc_run_no_injected_command(tmp_path):
    result = dry_run(_compiled(tmp_path, EDGE_SPEC), tmp_path / "run")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    scripts = sorted((tmp_path / "run").rglob("*.sh")) + sorted((tmp_path / "run").rglob(".secrets.env"))
    assert any(s.name == "run.sh" for s in scripts) and any(s.name == ".secrets.env" for s in scripts)
    for script in scripts:
        _bash_n(script)
        assert MARKER in script.read_text(), f"{script.name}: the marker values did reach the script"
    for script in (s for s in scripts if s.name == "run.sh"):
        ran = _run_stubbed(script, tmp_path / f"stubbed-{script.parent.name}")
        assert "docker" in ran, f"the stubbed run never reached docker: {ran}"
        assert MARKER not in ran


SLURM = "slurm: {hostname: login.example.com, account: acct.x-1, username: me_2, partition: batch:x, gres: 'gpu:8'}\n"


def _slurm_spec(tmp_path: Path) -> str:
    out = tmp_path / "out-v1.5+x=y@z"
    return EDGE_SPEC.replace("output_dir: ./out-v1.5+x=y@z\n", f"output_dir: {out}\nexecutor: slurm\n") + SLURM


def _run_sbatch(config: Path, tmp_path: Path) -> list[str]:
    """Dry-run a SLURM config, check the printed sbatch script and .secrets.env parse, run the script stubbed."""
    result = dry_run(config, tmp_path / "run")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    match = re.search(r"^#!/bin/bash\n.*?(?=^-{5,} Secrets)", result.stdout, re.MULTILINE | re.DOTALL)
    assert match, "the dry run printed no sbatch script"
    script = tmp_path / "run.sub"
    script.write_text(match.group(0))
    _bash_n(script)
    # The dry run prints .secrets.env (host: values redacted, lit: values as written) instead of
    # writing it; put it where the script sources it, so the lit: values are sourced too.
    task_dir = Path(re.search(r'^TASK_DIR="([^"]+)"', script.read_text(), re.MULTILINE).group(1))
    task_dir.mkdir(parents=True)
    secrets = re.search(r"^-{5,} Secrets \(redacted\) \| Task 0 / \.secrets\.env -+\n(.*?)(?:\n\n|\Z)", result.stdout,
                        re.MULTILINE | re.DOTALL)
    assert secrets, "the dry run printed no .secrets.env"
    (task_dir / ".secrets.env").write_text(secrets.group(1).strip() + "\n")
    _bash_n(task_dir / ".secrets.env")
    ran = _run_stubbed(script, tmp_path / "stubbed", timeout=30)
    assert "srun" in ran, f"the stubbed sbatch script never reached srun: {ran}"
    return ran


def test_positive_control_on_slurm_a_newline_in_the_account_runs(tmp_path):
    config = yaml.safe_load(_compiled(tmp_path, _slurm_spec(tmp_path)).read_text())
    config["execution"]["account"] = f"acct\n{MARKER}"
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text(yaml.safe_dump(config, sort_keys=False))
    assert "error[L118]" in CliRunner().invoke(main, ["lint", str(hostile)]).output
    assert MARKER in _run_sbatch(hostile, tmp_path)


def test_slurm_script_from_nelc_runs_no_injected_command(tmp_path):
    config = _compiled(tmp_path, _slurm_spec(tmp_path))
    assert MARKER in config.read_text()
    assert MARKER not in _run_sbatch(config, tmp_path)


def test_a_binary_tag_is_refused_because_nel_runs_what_it_decodes_to(tmp_path):
    """`!!binary` text is harmless base64 to a YAML 1.2 reader; NEL's OmegaConf decodes it to bytes and
    writes their repr into run.sh; with a quote inside, Python's repr double-quotes it and the `$(...)` runs."""
    import base64

    config = yaml.safe_load(_compiled(tmp_path, EDGE_SPEC).read_text())
    payload = base64.b64encode(f"m' $({MARKER})".encode()).decode()
    text = yaml.safe_dump(config, sort_keys=False).replace(
        f"served_model_name: {config['deployment']['served_model_name']}", f"served_model_name: !!binary {payload}", 1)
    hostile = tmp_path / "binary.yaml"
    hostile.write_text(text)
    assert f"!!binary {payload}" in text
    linted = CliRunner().invoke(main, ["lint", str(hostile)])
    assert linted.exit_code == 1 and "error[Y008]" in linted.output and "!!binary" in linted.output
    result = dry_run(hostile, tmp_path / "run")
    (script,) = (tmp_path / "run").rglob("run.sh")
    assert f"b\"m' $({MARKER})\"" in script.read_text(), "NEL wrote something other than the bytes' repr"
    assert MARKER in _run_stubbed(script, tmp_path / "stubbed"), "the decoded command should have run"


def test_an_env_interpolation_outside_env_vars_puts_the_secret_in_the_request_config(tmp_path):
    """NEL resolves `${oc.env:HF_TOKEN}` anywhere: in params_to_add it becomes part of every request body
    nemo-evaluator sends (issue 22 route 1). nelc lint refuses it (L137); compile refuses any `${` (S012)."""
    config = yaml.safe_load(_compiled(tmp_path, EDGE_SPEC).read_text())
    shared = config["evaluation"].setdefault("nemo_evaluator_config", {})
    shared.setdefault("target", {}).setdefault("api_endpoint", {}).setdefault("adapter_config", {})["params_to_add"] = {
        "user": "${oc.env:HF_TOKEN}"}
    config["evaluation"].setdefault("env_vars", {})["HF_TOKEN"] = "host:HF_TOKEN"
    hostile = tmp_path / "exfiltrate.yaml"
    hostile.write_text(yaml.safe_dump(config, sort_keys=False))
    linted = CliRunner().invoke(main, ["lint", str(hostile)])
    assert linted.exit_code == 1 and "error[L137]" in linted.output and "HF_TOKEN" in linted.output
    result = dry_run(hostile, tmp_path / "run")  # HF_TOKEN is set to a dummy only in the dry run's environment
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    (config_ef,) = result.config_efs.values()
    sent = config_ef["target"]["api_endpoint"]["adapter_config"]["params_to_add"]["user"]
    assert sent == "dummy-hf_token", "NEL should have written the resolved secret into the task's config"
    spec = tmp_path / "spec.yaml"
    spec.write_text("model: org/m\nbenchmarks: [ns_gpqa]\ninterceptors: {params_to_add: {user: '${oc.env:HF_TOKEN}'}}\n")
    assert "error[S012]" in CliRunner().invoke(main, ["compile", str(spec)]).output


def test_a_group_file_beside_the_config_is_composed_by_nel_and_refused_by_lint(tmp_path):
    """Hydra searches the config's own folder first (NEL 0.2.6 api/types.py:70-90): deployment/vllm.yaml beside a
    compiled, untouched config replaces NEL's and its command runs (issue 20, issue 22 route 2). L138 names it, and
    a defaults entry that is not NEL's option, and `nelc run` (which lints first) refuses both."""
    config = _compiled(tmp_path, EDGE_SPEC)
    assert "error[" not in CliRunner().invoke(main, ["lint", str(config)]).output
    sibling = config.parent / "deployment" / "vllm.yaml"
    sibling.parent.mkdir()
    packaged = Path(str(__import__("importlib").resources.files("nemo_evaluator_launcher") / "configs" / "deployment" / "vllm.yaml"))
    original = yaml.safe_load(packaged.read_text())
    sibling.write_text(yaml.safe_dump({**original, "command": "${deployment.base_command} ; " + MARKER}))
    linted = CliRunner().invoke(main, ["lint", str(config)])
    assert linted.exit_code == 1 and "error[L138]" in linted.output and "deployment/vllm.yaml" in linted.output
    beside_copy = tmp_path / "run" / "deployment"  # dry_run() runs a copy of the config in tmp_path/run
    beside_copy.mkdir(parents=True)
    (beside_copy / "vllm.yaml").write_text(sibling.read_text())
    result = dry_run(config, tmp_path / "run")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    (script,) = (tmp_path / "run").rglob("run.sh")
    assert MARKER in _run_stubbed(script, tmp_path / "stubbed"), "NEL composed the folder's deployment/vllm.yaml: its command ran"
    refused = CliRunner().invoke(main, ["run", str(config), "--yes"])
    assert refused.exit_code == 1 and "error[L138]" in refused.output and "error[X009]" in refused.output
