"""What the SQLite files of the app share when the disk or another program gets in the way.

Telling damage from a busy database, waiting out a lock with bounded backoff, checking a file
when it is opened (its structure, and its schema against the one the app creates), finding what
is not a regular file where a database or its side files belong (a FIFO would block or fail every
open, a link to a device reads garbage), moving a damaged file aside together with its WAL, and
reading whatever rows of a damaged table are still readable.

Every connection to a file the app did not necessarily write sets `PRAGMA trusted_schema = OFF`
(`distrust_schema`), so functions and virtual tables named in its views and triggers do not run
while it is inspected; loading extensions stays disabled (Python's default, never changed here).
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import sqlite3
import stat
import time
from dataclasses import dataclass, field
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


class SchemaDamage(sqlite3.DatabaseError):
    """A table the app needs is missing its columns or defined otherwise: handled as damage."""


def is_corruption(exc: BaseException) -> bool:
    """A damaged file (or not a database at all), as opposed to a lock, a full disk or a bug."""
    if isinstance(exc, SchemaDamage):
        return True
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


def lexists(path: Path) -> bool:
    """Whether anything, even a dangling link, is at `path` (never follows a link)."""
    return os.path.lexists(path)


def is_irregular(path: Path) -> bool:
    """Something other than a regular file is at `path`: a FIFO, a directory, a link, a device...

    Looked at with lstat only: a link is never followed and a FIFO never opened (opening one can
    block, and SQLite answers "disk I/O error" on every use of one).
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return False
    except OSError:  # cannot even be looked at (a folder above it is unreadable): not ours to judge
        return False
    return not stat.S_ISREG(mode)


def irregular_files(path: Path) -> list[Path]:
    """Those of a database and its side files that are there but are not regular files."""
    return [file for file in (path, *side_files(path)) if is_irregular(file)]


def discard(path: Path) -> None:
    """Remove whatever is at `path` without following or opening it (only for what holds no data).

    A directory is first renamed away, so the name is free at once even if removing what is in
    it then fails part way.
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(mode):
        path.unlink(missing_ok=True)
        return
    gone = _free_name(path, lambda n: path.with_name(f"{path.name}.removed-{int(time.time())}{n}"))
    path.rename(gone)
    shutil.rmtree(gone, ignore_errors=True)


def _free_name(path: Path, name: Callable[[str], Path]) -> Path:
    for n in range(1000):
        candidate = name(f"-{n}" if n else "")
        if not lexists(candidate):
            return candidate
    raise FileExistsError(f"no free name beside {path}")


def move_aside(path: Path, tag: str = "corrupt") -> Path:
    """Rename a damaged database, with its WAL and shared-memory files, next to where it was.

    The WAL keeps its pairing (name + "-wal"), so the kept copy opens with everything it had.
    Only names change: what is there (a file, a FIFO, a link, a directory) is never opened.
    """
    stamp = int(time.time())
    aside = _free_name(path, lambda extra: path.with_name(f"{path.stem}.{tag}-{stamp}{extra}{path.suffix}"))
    path.rename(aside)
    for side, new_side in zip(side_files(path), side_files(aside)):
        if lexists(side):
            side.rename(new_side)
    return aside


def remove_database(path: Path) -> None:
    """Delete a database and its side files, whatever they are (only for caches, which rebuild)."""
    for file in (path, *side_files(path)):
        discard(file)


def distrust_schema(db: sqlite3.Connection) -> None:
    """Functions and virtual tables named in the file's views and triggers are not run (SQLite 3.31+)."""
    db.execute("PRAGMA trusted_schema = OFF")


def _normalized(sql: str) -> str:
    # Spacing around brackets and commas is not meaning: a column added by ALTER TABLE is written
    # as "\n, name TYPE)" and must compare equal to the same column in a CREATE TABLE.
    return _PUNCTUATION_SPACE.sub(r"\1", " ".join(sql.split()))


_PUNCTUATION_SPACE = re.compile(r"\s*([(),])\s*")


@functools.lru_cache(maxsize=8)
def expected_schema(script: str) -> dict[str, tuple[str, str]]:
    """{lower-case name: (type, normalized SQL)} of what `script` creates, shadow tables included."""
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(script)
        return {name.lower(): (kind, _normalized(sql)) for kind, name, sql in
                db.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL")}
    finally:
        db.close()


@dataclass
class SchemaDiff:
    """How a file's schema differs from the app's."""

    foreign: list[tuple[str, str]] = field(default_factory=list)  # (type, name): triggers, indexes, views to drop
    wrong: list[tuple[str, str]] = field(default_factory=list)  # (type found, name): the app's tables defined otherwise
    missing: list[str] = field(default_factory=list)  # the app's names that are not there

    def __bool__(self) -> bool:
        return bool(self.foreign or self.wrong or self.missing)


def schema_diff(db: sqlite3.Connection, script: str) -> SchemaDiff:
    """Compare the file's schema with what `script` creates.

    Tables the app does not know are left alone (they are never read); triggers, indexes and views
    it does not create, or that differ from its own, are listed to be dropped; a name the app
    uses for a table that is defined otherwise (other columns, constraints, or not a table) is
    listed as wrong.
    """
    expected = expected_schema(script)
    diff = SchemaDiff()
    seen: set[str] = set()
    for kind, name, sql in db.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"):
        key = str(name).lower()
        seen.add(key)
        want = expected.get(key)
        if want == (kind, _normalized(str(sql))):
            continue
        if want is not None and (want[0] == "table" or kind == "table"):
            diff.wrong.append((kind, name))
        elif kind in ("trigger", "index", "view"):
            diff.foreign.append((kind, name))
    diff.missing = [name for name in expected if name not in seen]
    return diff


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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


def file_identity(path: Path) -> tuple[int, int] | None:
    """Which file is at `path` now (device, inode), to notice another process having replaced it."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino
