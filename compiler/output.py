"""Writing the compiled file: all or nothing, never over an existing file without --force."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


class OutputExists(Exception):
    pass


def write_atomic(path: Path, text: str, force: bool) -> None:
    """Write next to `path`, then rename over it: an interrupted write leaves the old file intact."""
    if path.exists() and not force:
        raise OutputExists(str(path))
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; honour the user's umask
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
