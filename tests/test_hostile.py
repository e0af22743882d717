"""Hostile input: nothing in a spec or a config runs a command, leaks a secret, loses a file, hangs
or crashes nelc.

tests/hostile/ holds the static cases, each with `# expect: CODE` (and `# secret: TOKEN` for the
value that must never be echoed): `*.nelc.yaml` specs are compiled, `*.run.yaml` NEL configs are
linted. The cases that need the file system itself (links, FIFOs, permissions, write collisions,
`--fix` metadata) are built here. The shell payloads are proven end to end against the scripts the
real `nel run --dry-run` writes in tests/test_hostile_nel.py.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nelc.cli import main

HERE = Path(__file__).parent / "hostile"
CASES = sorted(HERE.glob("*.yaml"))
SPEC = "model: org/m\nmodel_type: base\nbenchmarks: [ns_gpqa]\n"


def _header(case: Path, key: str) -> str | None:
    match = re.search(rf"^# {key}: (\S+)$", case.read_text(encoding="utf-8"), re.MULTILINE)
    return match.group(1) if match else None


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40
    assert all(_header(case, "expect") for case in CASES), "every case names the code it expects"


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_hostile_case_is_refused_with_its_code(case, tmp_path):
    expected, secret = _header(case, "expect"), _header(case, "secret")
    work = tmp_path / "work"
    work.mkdir()
    if case.name.endswith(".nelc.yaml"):
        spec = work / case.name
        spec.write_bytes(case.read_bytes())
        result = CliRunner().invoke(main, ["compile", str(spec), "-o", str(work / "out.yaml"), "--env-example", str(work / "out.env")])
        assert sorted(p.name for p in work.iterdir()) == [case.name], "nothing is written for a refused spec"
    else:
        result = CliRunner().invoke(main, ["lint", str(case), "--format", "json"])
        text = CliRunner().invoke(main, ["lint", str(case), "--format", "text"]).output
        assert secret is None or secret not in text
    output = result.stdout + result.stderr
    assert result.exit_code == 1, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert f'"{expected}"' in output if case.name.endswith(".run.yaml") else f"error[{expected}]" in output, output
    assert "Traceback" not in output
    if secret:
        assert secret not in output, "a secret was echoed"
    assert "\x1b" not in output and "\u202e" not in output, "control or bidi characters reached the terminal"


def _compile(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(cwd / "hf-home")}
    return subprocess.run([sys.executable, "-m", "nelc", "compile", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


# ----- the probe -----------------------------------------------------------------------------
def test_symlink_loop_as_model_is_p013(tmp_path):
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "s.yaml").write_text(SPEC.replace("org/m", "./loop"))
    result = _compile("s.yaml", cwd=tmp_path)
    assert result.returncode == 1 and "error[P013]" in result.stderr and "Traceback" not in result.stderr


def test_fifo_in_a_checkpoint_is_skipped_not_waited_on(tmp_path):
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "config.json").write_text('{"max_position_embeddings": 4096}')
    os.mkfifo(ckpt / "README.md")
    (tmp_path / "s.yaml").write_text(SPEC.replace("org/m", "./ckpt"))
    result = _compile("s.yaml", cwd=tmp_path)  # a blocking open would hang until the timeout
    assert result.returncode == 0, result.stderr
    assert "warning[P015]" in result.stderr


@pytest.mark.parametrize("where", ["folder", "file"])
def test_unreadable_checkpoint_is_p014(tmp_path, monkeypatch, where):
    from nelc import probe, safeio
    from tests.helpers import compile_text

    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "config.json").write_text("{}")
    real_open, real_listdir = os.open, os.listdir

    def deny_open(path, *args, **kwargs):  # root reads anything, so the denial is simulated
        if str(path).endswith("config.json"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    def deny_listdir(path):
        if Path(path) == ckpt:
            raise PermissionError(13, "Permission denied", str(path))
        return real_listdir(path)

    if where == "file":
        monkeypatch.setattr(safeio.os, "open", deny_open)
    else:
        monkeypatch.setattr(probe.os, "listdir", deny_listdir)
    result = compile_text(tmp_path, SPEC.replace("org/m", "./ckpt"))
    assert [d.code for d in result.diagnostics if d.is_error] == ["P014"]


def test_huge_model_card_is_read_up_to_the_cap(tmp_path):
    """A 2 GB README.md (sparse: no disk used) costs the cap, not 2 GB of memory."""
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "config.json").write_text('{"max_position_embeddings": 4096}')
    with open(ckpt / "README.md", "wb") as card:
        card.truncate(2 * 1024**3)
    (tmp_path / "s.yaml").write_text(SPEC.replace("org/m", "./ckpt"))
    code = ("import resource, sys; from nelc.cli import main; sys.argv = ['nelc', 'compile', 's.yaml', '-o', 'o.yaml']\n"
            "try:\n    main()\nexcept SystemExit as e:\n    rc = e.code\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, rc)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})
    peak_kib, rc = proc.stdout.split()
    assert rc == "0", proc.stderr
    assert int(peak_kib) < 400 * 1024, f"peak RSS {int(peak_kib) // 1024} MiB"


# ----- nelc check ----------------------------------------------------------------------------
def _check(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nelc", "check", str(folder)], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "HF_HUB_OFFLINE": "1"})


def test_check_refuses_a_link_to_the_process_environment(tmp_path):
    (tmp_path / "a.nelc.yaml").write_text(SPEC)
    (tmp_path / "a.yaml").symlink_to("/proc/self/environ")
    result = subprocess.run([sys.executable, "-m", "nelc", "check", str(tmp_path)], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "HF_HUB_OFFLINE": "1", "NELC_CANARY_SECRET": "canary-value-42"})
    assert result.returncode == 1 and "error[F004]" in result.stderr
    assert "canary-value-42" not in result.stdout + result.stderr


def test_check_refuses_a_linked_spec(tmp_path):
    (tmp_path / "real.txt").write_text(SPEC)
    (tmp_path / "a.nelc.yaml").symlink_to(tmp_path / "real.txt")
    result = _check(tmp_path)
    assert result.returncode == 1 and "error[F004]" in result.stderr


def test_check_does_not_hang_on_a_fifo(tmp_path):
    os.mkfifo(tmp_path / "a.nelc.yaml")
    result = _check(tmp_path)  # subprocess timeout: a blocking read fails the test instead of hanging it
    assert result.returncode == 1 and "error[F005]" in result.stderr


def test_check_refuses_a_folder_where_the_output_belongs(tmp_path):
    (tmp_path / "a.nelc.yaml").write_text(SPEC)
    (tmp_path / "a.yaml").mkdir()
    result = _check(tmp_path)
    assert result.returncode == 1 and "error[F005]" in result.stderr


def test_check_refuses_non_utf8(tmp_path):
    (tmp_path / "a.nelc.yaml").write_bytes(b"model: \xff\xfe\n")
    result = _check(tmp_path)
    assert result.returncode == 1 and "error[F006]" in result.stderr and "Traceback" not in result.stderr


def test_check_reports_an_unreadable_file(tmp_path, monkeypatch):
    from nelc import safeio
    from nelc.repo.check import Pair, check_pair

    (tmp_path / "a.nelc.yaml").write_text(SPEC)

    def deny(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(safeio.os, "open", deny)
    outcome = check_pair(Pair(tmp_path / "a.nelc.yaml", tmp_path / "a.yaml"), None)
    assert outcome.fresh is None and [d.code for d in outcome.diagnostics] == ["F001"]


def test_check_does_not_walk_into_linked_folders(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.nelc.yaml").write_text(SPEC)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "link").symlink_to(outside, target_is_directory=True)
    (repo / "a.nelc.yaml").write_text(SPEC)
    from nelc.repo.check import find_pairs

    assert [p.spec.name for p in find_pairs([repo])] == ["a.nelc.yaml"]


# ----- writes --------------------------------------------------------------------------------
def test_output_equal_to_the_spec_is_refused_even_with_force(tmp_path):
    (tmp_path / "s.yaml").write_text(SPEC)
    result = _compile("s.yaml", "-o", "./s.yaml", "--force", cwd=tmp_path)
    assert result.returncode == 1 and "error[F007]" in result.stderr
    assert (tmp_path / "s.yaml").read_text() == SPEC


def test_output_and_env_example_on_one_file_is_refused(tmp_path):
    (tmp_path / "s.yaml").write_text(SPEC)
    (tmp_path / "x").write_text("keep\n")
    result = _compile("s.yaml", "-o", "x", "--env-example", "x", "--force", cwd=tmp_path)
    assert result.returncode == 1 and "error[F007]" in result.stderr
    assert (tmp_path / "x").read_text() == "keep\n"


def test_env_example_in_a_missing_folder_writes_nothing(tmp_path):
    (tmp_path / "s.yaml").write_text(SPEC)
    result = _compile("s.yaml", "-o", "out.yaml", "--env-example", "missing/.env", cwd=tmp_path)
    assert result.returncode == 1 and "error[F008]" in result.stderr
    assert not (tmp_path / "out.yaml").exists()


def test_parallel_compiles_to_one_new_file_let_exactly_one_win(tmp_path):
    (tmp_path / "s.yaml").write_text(SPEC)
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(lambda _: _compile("s.yaml", "-o", "out.yaml", cwd=tmp_path).returncode, range(6)))
    assert sorted(codes) == [0, 1, 1, 1, 1, 1]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "hf-home") == ["out.yaml", "s.yaml"]


def test_existing_output_is_kept_without_force(tmp_path):
    (tmp_path / "s.yaml").write_text(SPEC)
    (tmp_path / "out.yaml").write_text("mine\n")
    result = _compile("s.yaml", "-o", "out.yaml", cwd=tmp_path)
    assert result.returncode == 1 and "error[F002]" in result.stderr
    assert (tmp_path / "out.yaml").read_text() == "mine\n"


# ----- lint --fix keeps what it does not need to change -------------------------------------------
BAD = """\
# a hand-written config
defaults:
  - execution: local
  - deployment: none
  - _self_

execution:
  output_dir: /results
  walltime: 12:00:00   # fixed: quoted
target:
  api_endpoint:
    url: http://localhost:8000/v1/chat/completions
    model_id: m
    api_key_name: null
evaluation:

  env_vars:
    HF_TOKEN: ${oc.env:HF_TOKEN}
  tasks:
    - name: ifeval
      nemo_evaluator_config: {config: {params: {extra: {note: "%s"}}}}
...
""" % ("x" * 5000)


def _fix(path: Path) -> None:
    CliRunner().invoke(main, ["lint", str(path), "--fix"])


def _untouched(before: str, after: str) -> list[str]:
    """Lines of `before` missing from `after` other than the two the fixes change."""
    changed = ("walltime:", "HF_TOKEN:")
    return [line for line in before.splitlines() if not line.strip().startswith(changed) and line not in after.splitlines()]


def test_fix_changes_only_what_it_fixes(tmp_path):
    target = tmp_path / "run.yaml"
    target.write_text(BAD)
    _fix(target)
    fixed = target.read_text()
    assert 'walltime: "12:00:00"' in fixed and "HF_TOKEN: host:HF_TOKEN" in fixed
    assert _untouched(BAD, fixed) == []  # comments, blank lines, `null`, the long line and `...` stay
    _fix(target)
    assert target.read_text() == fixed  # idempotent


def test_fix_keeps_mode_crlf_and_bom(tmp_path):
    target = tmp_path / "run.yaml"
    target.write_bytes(b"\xef\xbb\xbf" + BAD.replace("\n", "\r\n").encode())
    target.chmod(0o600)
    _fix(target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in raw.replace(b"\r\n", b""), "line endings were mixed"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert b'walltime: "12:00:00"' in raw


def test_fix_follows_a_link_to_its_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.yaml"
    real.write_text(BAD)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    _fix(link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert 'walltime: "12:00:00"' in real.read_text()


@pytest.mark.parametrize("command", ["compile", "lint"])
def test_a_fifo_named_on_the_command_line_is_refused_not_waited_on(tmp_path, command):
    os.mkfifo(tmp_path / "spec.yaml")
    result = subprocess.run([sys.executable, "-m", "nelc", command, "spec.yaml"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert result.returncode == 1 and "error[F005]" in result.stderr


def test_env_example_comments_cannot_be_broken_by_a_task_name():
    from nelc.envfile import env_example

    text = env_example({"evaluation": {"tasks": [{"name": "t\nexport PWNED=1", "env_vars": {"K": "host:K"}}]}}, "run.yaml")
    assert not [line for line in text.splitlines() if line.startswith("export")]
