"""Write a small file whole or not at all, and say in words why a write failed.

A full disk or a crash mid-write must leave the previous file (or none), never a truncated or
empty one: the bytes go to a unique temporary file beside the target, which replaces it only
once complete, and is removed if anything fails.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from app.core.i18n import translate

_REASONS = {errno.ENOSPC: translate("core", "the disk is full"), errno.EDQUOT: translate("core", "the disk quota is used up"),
            errno.EROFS: translate("core", "the file system is read-only"),
            errno.EACCES: translate("core", "permission denied"), errno.EPERM: translate("core", "permission denied")}


def describe_os_error(exc: OSError) -> str:
    """A short, plain reason for a failed file operation ("the disk is full")."""
    return _REASONS.get(exc.errno or 0, exc.strerror or str(exc))


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step; on any failure the old file is untouched and no temporary is left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
