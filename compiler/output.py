"""Writing files: all or nothing, never over an existing file without --force, never over an input.

A new file is created with a hard link from a finished temporary file, which fails atomically
when the name exists (no check-then-rename race between parallel compiles). A replaced file keeps
its mode and, where permitted, its owner. Several outputs are checked together before any is
written, and a failure while committing removes the ones this call created.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import CompileError, Diagnostic, Severity
from .load import MAX_BYTES
from .safeio import NotRegular, read_regular


class OutputExists(Exception):
    pass


def read_input(file: Path) -> bytes:
    """A spec or config named on the command line: a regular file (a FIFO would hang the read), at
    most the loader's limit plus one byte; else CompileError with F001 or F005."""
    try:
        return read_regular(file, MAX_BYTES)
    except NotRegular:
        raise CompileError([Diagnostic(str(file), 0, 0, "F005", Severity.ERROR, "is not a regular file (a FIFO, device or folder)",
                                       "pass a YAML file")]) from None
    except OSError as exc:
        raise CompileError([Diagnostic(str(file), 0, 0, "F001", Severity.ERROR, f"cannot read: {exc.strerror or exc}",
                                       "check the path and its permissions")]) from None


@dataclass(frozen=True)
class OutputProblem(Exception):
    """Why a set of outputs cannot be written; nothing was written. code: F002, F003, F007 or F008."""

    code: str
    path: Path
    message: str
    hint: str


def write_atomic(path: Path, text: str, force: bool, mode: int | None = None) -> None:
    """Write one file; an interrupted write leaves the old file intact. OutputExists without force.
    `mode` (e.g. 0o600 for a file that may hold what a log said) replaces the kept or default mode."""
    try:
        write_all([(path, text)], force, mode=mode)
    except OutputProblem as problem:
        if problem.code == "F002":
            raise OutputExists(str(path)) from None
        raise OSError(problem.message) from None


def write_all(files: list[tuple[Path, str]], force: bool, inputs: tuple[Path, ...] = (), mode: int | None = None) -> None:
    """Write every file or none; raise OutputProblem before writing anything when one would fail."""
    seen: dict[str, Path] = {}
    for path, _ in files:
        real = os.path.realpath(path)
        for source in inputs:
            if real == os.path.realpath(source):
                raise OutputProblem("F007", path, f"would overwrite the input {source}", "write the output somewhere else")
        if real in seen:
            raise OutputProblem("F007", path, f"is named twice ({seen[real]} and {path})", "give each output its own file")
        seen[real] = path
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise OutputProblem("F008", path, f"the folder {folder} does not exist; nothing was written", f"mkdir -p {folder}")
        if os.path.lexists(path) and not force:
            raise OutputProblem("F002", path, "output file exists", "pass --force to replace it")
        if os.path.isdir(path) and not os.path.islink(path):  # --force replaces files, never a folder: fail before writing any
            raise OutputProblem("F003", path, "is a folder; nothing was written", "choose another output path")
    staged: list[tuple[Path, str]] = []
    try:
        for path, text in files:
            staged.append((path, _stage(path, text, mode)))
        _commit(staged, force)
    finally:
        for _, tmp in staged:
            Path(tmp).unlink(missing_ok=True)


def _stage(path: Path, text: str, mode: int | None = None) -> str:
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputProblem("F003", path, f"cannot write: {exc.strerror}", "check the folder's permissions") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        _copy_metadata(path, tmp)
        if mode is not None:
            os.chmod(tmp, mode)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _copy_metadata(path: Path, tmp: str) -> None:
    """The mode (and, where permitted, the owner) of the file being replaced; a new file gets the umask's mode."""
    try:
        old = os.stat(path)
    except OSError:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600
        return
    os.chmod(tmp, old.st_mode & 0o7777)
    try:
        os.chown(tmp, old.st_uid, old.st_gid)
    except OSError:
        pass  # only root or the owner may; the mode is kept either way


def _commit(staged: list[tuple[Path, str]], force: bool) -> None:
    created: list[Path] = []
    try:
        for path, tmp in staged:
            if force:
                os.replace(tmp, path)
            else:
                os.link(tmp, path)  # fails if the name exists, atomically
                created.append(path)
    except FileExistsError:
        _remove(created)
        raise OutputProblem("F002", path, "output file exists (created meanwhile by another process)",
                            "pass --force to replace it") from None
    except OSError as exc:
        _remove(created)
        raise OutputProblem("F003", path, f"cannot write: {exc.strerror}", "check the folder's permissions") from None


def _remove(paths: list[Path]) -> None:
    for path in paths:
        Path(path).unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def baseline_path(output: Path) -> Path:
    """Where a baseline compiled beside `output` goes: run.yaml -> run.baseline.yaml.

    >>> baseline_path(Path("configs/expected.yaml")).as_posix()
    'configs/expected.baseline.yaml'
    """
    return output.with_name(f"{output.stem}.baseline{output.suffix or '.yaml'}")
