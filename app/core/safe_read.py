"""Read files from folders the user did not write: only regular files, bounded, never past the root.

A dropped folder comes from an archive, a shared disk or a stranger's repository. Any name in it
may be a FIFO (an open blocks forever), a link to /dev/zero (a read never ends) or to a file
outside the folder, and any of them may be swapped for another between a scan and a read. So a
read here opens the file itself without following links (on POSIX every folder on the way is
opened relative to the one above it, with O_NOFOLLOW), refuses to block, checks what the open
returned (fstat: a regular file, within the size bound), and reads at most the bound.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from app.core.errors import UserError
from app.core.i18n import translate

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO's open returns at once instead of waiting for a writer
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_AT_SUPPORTED = os.open in os.supports_dir_fd and bool(_NOFOLLOW)


# The short reasons shown in lists of skipped files (compared as values too: a Text is a str).
NOT_REGULAR = translate("core", "not a regular file")
TOO_LARGE = translate("core", "too large")
LINK = translate("core", "link", "a skipped file that is a symbolic link")
OUTSIDE_ROOT = translate("core", "outside root")


class UnsafeFile(UserError):
    """A file that is not read: not a regular file, too large, a link out of bounds, or unreadable.

    `reason` is the short form shown in lists of skipped files ("not a regular file", "too large", ...).
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message, retryable=False)
        self.reason = reason


def _read_fd(fd: int, shown: str, max_bytes: int, single_link: bool = False) -> bytes:
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise UnsafeFile(translate("core", "{shown} is not a regular file").format(shown=shown), NOT_REGULAR)
    if single_link and info.st_nlink > 1:
        raise UnsafeFile(translate("core", "{shown} is a hard link; its other name may be outside the folder").format(
            shown=shown), translate("core", "hard link (its other name may be outside the folder)"))
    if info.st_size > max_bytes:
        raise UnsafeFile(translate("core", "{shown} is larger than {max_bytes:,} bytes").format(
            shown=shown, max_bytes=max_bytes), TOO_LARGE)
    chunks: list[bytes] = []
    left = max_bytes + 1  # one byte past the bound tells a file that grew after fstat
    while left > 0:
        try:
            data = os.read(fd, min(left, 1 << 20))
        except BlockingIOError:  # only a non-regular file would block; fstat already said regular
            raise UnsafeFile(translate("core", "{shown} is not a regular file").format(shown=shown), NOT_REGULAR) from None
        if not data:
            break
        chunks.append(data)
        left -= len(data)
    if left <= 0:
        raise UnsafeFile(translate("core", "{shown} is larger than {max_bytes:,} bytes").format(
            shown=shown, max_bytes=max_bytes), TOO_LARGE)
    return b"".join(chunks)


def _oserror(exc: OSError, shown: str) -> UnsafeFile:
    if exc.errno in (errno.ELOOP, errno.EMLINK):  # EMLINK: FreeBSD's answer to O_NOFOLLOW on a link
        return UnsafeFile(translate("core", "{shown} is a link").format(shown=shown), LINK)
    if exc.errno == errno.ENOTDIR:
        return UnsafeFile(translate("core", "{shown}: a folder on its way is a link or not a folder").format(shown=shown),
                          LINK)
    why = exc.strerror or str(exc)  # the system's words: an argument, not translated
    return UnsafeFile(translate("core", "{shown} cannot be read: {reason}").format(shown=shown, reason=why),
                      translate("core", "unreadable ({reason})").format(reason=why))


def read_regular(path: Path, max_bytes: int) -> bytes:
    """The bytes of `path` if it is a regular file of at most `max_bytes` (a final link is refused)."""
    shown = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _BINARY | _CLOEXEC)
    except OSError as exc:
        raise _oserror(exc, shown) from None
    try:
        if not _NOFOLLOW and os.path.islink(path):  # Windows: no O_NOFOLLOW, check after the open
            raise UnsafeFile(translate("core", "{shown} is a link").format(shown=shown), LINK)
        return _read_fd(fd, shown, max_bytes)
    finally:
        os.close(fd)


def read_inside(root: Path, rel: str, max_bytes: int, *, follow_inside: bool = True,
                single_link: bool = False) -> bytes:
    """The bytes of the regular file `rel` under `root`, never read from outside `root`.

    Links inside the tree are followed only when `follow_inside` is set and their target (resolved
    now, not at scan time) lies inside `root`; the target is then opened the same careful way, so a
    link swapped in between the check and the open is refused rather than followed. With
    `single_link`, a file with more than one name (a hard link, perhaps to a file elsewhere) is refused.
    """
    parts = [p for p in rel.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise UnsafeFile(translate("core", "{rel}: not a path inside the folder").format(rel=rel), OUTSIDE_ROOT)
    try:
        return _read_parts(root, parts, max_bytes, rel, single_link)
    except UnsafeFile as exc:
        if exc.reason != "link" or not follow_inside:
            raise
    try:
        target = (root / rel).resolve(strict=True)
    except (OSError, RuntimeError):
        raise UnsafeFile(translate("core", "{rel} is a broken link or a link loop").format(rel=rel),
                         translate("core", "unreadable (broken link)")) from None
    if not target.is_relative_to(root):
        raise UnsafeFile(translate("core", "{rel} links outside the folder").format(rel=rel), OUTSIDE_ROOT)
    inner = target.relative_to(root).parts
    if not inner:
        raise UnsafeFile(translate("core", "{rel} links to the folder itself").format(rel=rel), NOT_REGULAR)
    return _read_parts(root, list(inner), max_bytes, rel, single_link)


def _read_parts(root: Path, parts: list[str], max_bytes: int, shown: str, single_link: bool) -> bytes:
    if not _AT_SUPPORTED:
        return _read_parts_by_name(root, parts, max_bytes, shown, single_link)
    flags = os.O_RDONLY | _NOFOLLOW | _CLOEXEC
    try:
        dir_fd = os.open(root, flags | _DIRECTORY)
    except OSError as exc:
        raise _oserror(exc, str(root)) from None
    try:
        for name in parts[:-1]:  # each folder opened inside the previous one: none can be a link
            try:
                next_fd = os.open(name, flags | _DIRECTORY, dir_fd=dir_fd)
            except OSError as exc:
                raise _oserror(exc, shown) from None
            os.close(dir_fd)
            dir_fd = next_fd
        try:
            fd = os.open(parts[-1], flags | _NONBLOCK, dir_fd=dir_fd)
        except OSError as exc:
            raise _oserror(exc, shown) from None
        try:
            return _read_fd(fd, shown, max_bytes, single_link)
        finally:
            os.close(fd)
    finally:
        os.close(dir_fd)


def _read_parts_by_name(root: Path, parts: list[str], max_bytes: int, shown: str, single_link: bool) -> bytes:
    """Where openat is missing (Windows): refuse links on the way, then check the opened file is the one named."""
    path = root
    for name in parts:
        path = path / name
        if os.path.islink(path):
            raise UnsafeFile(translate("core", "{shown} is a link").format(shown=shown), LINK)
    try:
        fd = os.open(path, os.O_RDONLY | _BINARY | _NONBLOCK)
    except OSError as exc:
        raise _oserror(exc, shown) from None
    try:
        opened, named = os.fstat(fd), os.stat(path, follow_symlinks=False)
        if (opened.st_dev, opened.st_ino) != (named.st_dev, named.st_ino):
            raise UnsafeFile(translate("core", "{shown} changed while it was opened").format(shown=shown),
                             translate("core", "unreadable (changed while read)"))
        return _read_fd(fd, shown, max_bytes, single_link)
    finally:
        os.close(fd)
