"""Reading files nelc is pointed at without trusting them: only regular files, never blocking on a
FIFO, never reading more than a cap, and (for `nelc check`) never through a symbolic link.

A pull request can commit `out.yaml -> /proc/self/environ` or a FIFO beside a spec, and CI runs
`nelc check` on it; a checkpoint can hold a 2 GB README. Each case is an error the caller turns
into a coded diagnostic, never a hang, a leak or a traceback.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class NotRegular(OSError):
    """A FIFO, device or folder where a file belongs: never read."""


class IsLink(OSError):
    """A symbolic link where the caller does not follow links."""


def read_regular(file: Path, cap: int, follow_links: bool = True) -> bytes:
    """At most cap + 1 bytes of a regular file (so "too large" stays visible).

    Opened with O_NONBLOCK (a FIFO cannot hang the open) and checked with fstat before any read;
    with follow_links=False, O_NOFOLLOW refuses a link at the last component.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_links:
        if file.is_symlink():
            raise IsLink(errno.ELOOP, "is a symbolic link", str(file))
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(file, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegular(errno.EINVAL, "not a regular file", str(file))
        chunks, left = [], cap + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
