"""An exclusive lock between processes, held on a small file next to what it guards.

The operating system drops the lock when its holder exits, however it exits, so a crash never
leaves a stale lock behind; the lock file itself stays (deleting it while another process waits
on it would let two holders in). fcntl on POSIX, msvcrt on Windows.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

if os.name == "nt":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


_FLAGS = (os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
          | getattr(os, "O_CLOEXEC", 0))


def _open_lock_file(path: Path) -> int:
    """The lock file, opened without following a link or blocking on a FIFO. Anything at its name
    that is not a regular file holds no lock and is replaced (a link itself, never its target)."""
    for _attempt in range(3):
        try:
            fd = os.open(path, _FLAGS, 0o644)
        except OSError:
            if not os.path.islink(path) and not os.path.isdir(path):
                raise
            _remove(path)
            continue
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return fd
        os.close(fd)
        _remove(path)
    raise OSError(f"{path} keeps being replaced by something that is not a file")


def _remove(path: Path) -> None:
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            os.rmdir(path)  # only an empty folder: anything else in it is not ours to delete
        else:
            os.unlink(path)
    except FileNotFoundError:
        pass


class LockBusy(Exception):
    """Another holder has the lock (and kept it for as long as the caller was willing to wait)."""


class FileLock:
    """`acquire(wait_s)` takes the lock or raises LockBusy; `release()` gives it back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, wait_s: float = 0.0) -> None:
        """Take the lock, waiting up to `wait_s` seconds (with a growing pause) for its holder."""
        if self._fd is not None:
            raise RuntimeError(f"{self.path} is already held by this object")
        fd = _open_lock_file(self.path)
        deadline = time.monotonic() + wait_s
        delay = 0.01
        try:
            while not _try_lock(fd):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise LockBusy(f"{self.path} is held by another process")
                time.sleep(min(delay, left))
                delay = min(delay * 2, 0.25)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> "FileLock":
        self.acquire()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release()
