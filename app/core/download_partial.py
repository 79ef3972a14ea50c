"""The partial file of a download (`<file>.part`) and its JSON record (`<file>.part.json`):
opened, checked and re-hashed without trusting whatever else may stand at those paths."""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import stat
from pathlib import Path

from app.core.download_types import DownloadControl, DownloadError, RemoteFile
from app.core.i18n import translate

# The logger keeps the name it had before app.core.download was split, so log filters and
# levels set for "app.core.download" still cover this code.
log = logging.getLogger("app.core.download")

CHUNK = 1 << 20  # for re-hashing a partial file on resume; network reads come as the HTTP library delivers
_MAX_RECORD = 64 << 10  # a .part.json record is a few hundred bytes
# The .part file and its record sit in a folder others may write to (a shared models folder, a
# synced disk): each open refuses a final link (it could point outside the folder, or at
# /dev/zero) and refuses to wait (a FIFO's open blocks until a writer comes).
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_OPEN_FLAGS = {"rb": os.O_RDONLY, "rb+": os.O_RDWR, "wb": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
               "ab": os.O_WRONLY | os.O_CREAT | os.O_APPEND}


def partial_path(final: Path) -> Path:
    return final.with_name(final.name + ".part")


def _record_path(final: Path) -> Path:
    return final.with_name(final.name + ".part.json")


def _regular_stat(path: Path) -> os.stat_result | None:
    """lstat of `path` when it is a regular file (not a link, FIFO, socket, device or folder), else None."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return st if stat.S_ISREG(st.st_mode) else None


def _clear_non_regular(path: Path) -> None:
    """Remove whatever stands at `path` unless it is a regular file: the download then starts over.

    A link is removed itself, never what it points to; a folder only if it is empty.
    """
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISREG(st.st_mode):
        return
    log.warning("%s is not a regular file; removing it and starting that download over", path)
    if stat.S_ISDIR(st.st_mode):
        try:
            os.rmdir(path)
        except OSError:
            raise DownloadError(translate(
                "core", "{path} is a folder, not a partial download; move it away and download again."
            ).format(path=path)) from None
    else:
        os.unlink(path)


def _open_regular(path: Path, mode: str, buffering: int = -1):  # noqa: ANN202 - a binary file object
    """`open(path, mode)` that never follows a final link, never blocks, and only opens regular files."""
    try:
        fd = os.open(path, _OPEN_FLAGS[mode] | _NOFOLLOW | _NONBLOCK | _BINARY | _CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK, errno.ENXIO) or isinstance(exc, IsADirectoryError):
            raise DownloadError(translate(
                "core", "{path} was replaced by a link or a non-file during the download; download again to start over."
            ).format(path=path), retryable=True) from None
        raise
    if not _NOFOLLOW and os.path.islink(path):  # Windows has no O_NOFOLLOW: check after the open
        os.close(fd)
        raise DownloadError(translate(
            "core", "{path} is a link; download again to start over.").format(path=path), retryable=True)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise DownloadError(translate(
            "core", "{path} was replaced by a non-file during the download; download again to start over."
        ).format(path=path), retryable=True)
    if _NONBLOCK and hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)  # a regular file: restore ordinary semantics for the writes
    return os.fdopen(fd, mode, buffering=buffering)


def _partial_size(final: Path, remote: RemoteFile) -> int:
    st = _regular_stat(partial_path(final))
    return st.st_size if st is not None and _record_matches(final, remote) else 0


def _read_record(final: Path) -> dict:
    path = _record_path(final)
    if _regular_stat(path) is None:
        return {}
    with _open_regular(path, "rb") as fh:
        data = fh.read(_MAX_RECORD + 1)
    if len(data) > _MAX_RECORD:
        return {}
    record = json.loads(data.decode("utf-8"))
    return record if isinstance(record, dict) else {}


def _record_matches(final: Path, remote: RemoteFile) -> bool:
    try:
        record = _read_record(final)
    except (OSError, ValueError, DownloadError):
        return False
    # An empty ETag identifies nothing: such a partial file cannot be trusted to be this file.
    return bool(remote.etag) and record.get("etag") == remote.etag and record.get("size") == remote.size


def _write_record(final: Path, remote: RemoteFile) -> None:
    path = _record_path(final)
    _clear_non_regular(path)
    with _open_regular(path, "wb") as fh:
        fh.write(json.dumps(
            {"repo": remote.repo, "filename": remote.filename, "revision": remote.revision, "etag": remote.etag,
             "size": remote.size, "sha256": remote.sha256, "commit": remote.commit}).encode("utf-8"))


def _hash_existing(part: Path, hasher: "hashlib._Hash", control: DownloadControl | None = None) -> int:
    """Hash what a previous run downloaded; returns the byte count (less if stopped midway, which
    the caller never uses for a verification)."""
    done = 0
    with _open_regular(part, "rb") as fh:
        while chunk := fh.read(CHUNK * 8):
            hasher.update(chunk)
            done += len(chunk)
            if control is not None and control.stopping:
                break
    return done
