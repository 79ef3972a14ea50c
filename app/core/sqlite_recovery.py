"""What the SQLite files of the app share when the disk or another program gets in the way.

Telling damage from a busy database, waiting out a lock with bounded backoff, checking a file
when it is opened, moving a damaged file aside together with its WAL, and reading whatever rows
of a damaged table are still readable.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from pathlib import Path
from typing import Callable, Iterator, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

# quick_check reads every page; above this size the check at open is skipped and damage is found
# by the first statement that reads it (which is handled the same way).
CHECK_AT_OPEN_MAX_BYTES = 512 * 1024 * 1024

_SIDE_FILES = ("-wal", "-shm", "-journal")
_MIN_ROWID, _MAX_ROWID = -(2**63), 2**63 - 1


def _error_name(exc: BaseException) -> str:
    return str(getattr(exc, "sqlite_errorname", "") or "")


def is_corruption(exc: BaseException) -> bool:
    """A damaged file (or not a database at all), as opposed to a lock, a full disk or a bug."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    if _error_name(exc).startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):
        return True
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "corrupt" in text


def is_busy(exc: BaseException) -> bool:
    """Another connection holds a lock; waiting can help."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    if _error_name(exc).startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return True
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def retry_busy(fn: Callable[[], T], *, wait_s: float, on_busy: Callable[[sqlite3.Error], None] | None = None,
               first_delay_s: float = 0.02, max_delay_s: float = 0.5) -> T:
    """Run `fn`, again after a growing pause while the database is busy, for at most about `wait_s`.

    Each attempt already waits up to the connection's busy timeout; this covers what that handler
    does not (a lock taken while opening, a WAL snapshot that went stale) and bounds the total.
    """
    deadline = time.monotonic() + wait_s
    delay = first_delay_s
    while True:
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or time.monotonic() + delay > deadline:
                raise
            log.info("database busy (%s); trying again in %.2fs", exc, delay)
            if on_busy is not None:
                on_busy(exc)
            time.sleep(delay)
            delay = min(delay * 2, max_delay_s)


def check(db: sqlite3.Connection, path: Path) -> None:
    """Raise sqlite3.DatabaseError when a cheap structural check finds damage.

    Skipped for files above CHECK_AT_OPEN_MAX_BYTES, whose damage surfaces on first use instead.
    """
    try:
        size = path.stat().st_size
    except OSError:
        return
    if size > CHECK_AT_OPEN_MAX_BYTES:
        return
    rows = db.execute("PRAGMA quick_check(1)").fetchall()
    if [tuple(r) for r in rows] != [("ok",)]:
        raise sqlite3.DatabaseError(f"database disk image is malformed ({rows[0][0] if rows else 'no answer'})")


def side_files(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in _SIDE_FILES]


def move_aside(path: Path, tag: str = "corrupt") -> Path:
    """Rename a damaged database, with its WAL and shared-memory files, next to where it was.

    The WAL keeps its pairing (name + "-wal"), so the kept copy opens with everything it had.
    """
    stamp = int(time.time())
    for n in range(1000):
        extra = f"-{n}" if n else ""
        aside = path.with_name(f"{path.stem}.{tag}-{stamp}{extra}{path.suffix}")
        if not aside.exists():
            break
    path.rename(aside)
    for side, new_side in zip(side_files(path), side_files(aside)):
        if side.exists():
            side.rename(new_side)
    return aside


def remove_database(path: Path) -> None:
    """Delete a database and its side files (only for caches, which rebuild)."""
    for file in (path, *side_files(path)):
        file.unlink(missing_ok=True)


def readable_rows(db: sqlite3.Connection, table: str, columns: list[str], *,
                  probe_limit: int = 100_000) -> Iterator[tuple]:
    """Every row of `table` that can still be read, in rowid order, skipping unreadable pages.

    Rows are read in rowid order until a page fails; the reader then seeks further and further
    ahead until a seek succeeds, and reads the rowids it jumped over one by one (at most
    `probe_limit` of them), so only rows on damaged pages are lost.
    """
    cols = ", ".join(columns)
    scan = f"SELECT rowid, {cols} FROM {table} WHERE rowid >= ? ORDER BY rowid"
    point = f"SELECT rowid, {cols} FROM {table} WHERE rowid = ?"
    try:
        db.execute(f"SELECT {cols} FROM {table} LIMIT 0").fetchall()
    except sqlite3.DatabaseError as exc:
        log.error("table %s cannot be read at all: %s", table, exc)
        return
    pos, step = _MIN_ROWID, 1
    damaged_from: int | None = None  # first rowid of the stretch being skipped
    while pos <= _MAX_ROWID:
        try:
            for row in db.execute(scan, (pos,)):
                if damaged_from is not None:
                    yield from _probe(db, point, max(damaged_from, row[0] - probe_limit), row[0])
                    damaged_from, step = None, 1
                yield row[1:]
                pos = row[0] + 1
            break  # the end of the table was reached
        except sqlite3.DatabaseError as exc:
            if damaged_from is None:
                log.warning("table %s unreadable from rowid %d: %s", table, pos, exc)
                damaged_from = pos
            pos += step
            step *= 2
    if damaged_from is not None:  # the damage reached the end of the table
        yield from _probe(db, point, damaged_from, min(damaged_from + probe_limit, _MAX_ROWID, pos))


def _probe(db: sqlite3.Connection, point: str, start: int, stop: int) -> Iterator[tuple]:
    for rowid in range(start, stop):
        try:
            row = db.execute(point, (rowid,)).fetchone()
        except sqlite3.DatabaseError:
            continue
        if row is not None:
            yield tuple(row)[1:]


def fsync_directory(path: Path) -> None:
    """Make renames in `path` durable (a no-op where directories cannot be opened, as on Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
