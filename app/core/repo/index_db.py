"""The repository index's SQLite file: its schema, opening and checking it, rebuilding it, its lock.

The index is a cache, so damage is never repaired, only rebuilt: a file found damaged when opened
(a quick structural check, and its schema compared with the app's) or by any later statement is
deleted and built again. Whatever is at its name or its side files' names that is not a regular
file (a FIFO, a directory, a link) is removed first, looked at with lstat only, never opened.
The readable part of the file's name is cut to a few dozen bytes, so no folder name is too long. Several
processes may index one repository at once: updates take turns on a lock file beside the
database (a later one finds the work done), while queries read the WAL database meanwhile.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from app.core.atomic_file import describe_os_error
from app.core.file_lock import FileLock, LockBusy
from app.core.i18n import translate
from app.core.repo.scan import RepoError
from app.core.sqlite_recovery import (
    check,
    discard,
    distrust_schema,
    file_identity,
    irregular_files,
    is_corruption,
    is_irregular,
    remove_database,
    schema_diff,
)

if TYPE_CHECKING:
    from app.core.repo.index import RepoIndex

log = logging.getLogger("app.core.repo.index")  # the index's own logger, as before the split

LOCK_WAIT_S = 900.0  # how long an update waits for another process's update of the same index
BUSY_TIMEOUT_S = 30.0  # a statement's wait for a write lock (another process's commit or checkpoint)
SCHEMA_VERSION = 5
# files.imports_*: the import/include/use block's lines. chunks.kind: function, method, class, ...,
# "imports", or "" for other code; header_*: the enclosing class's header lines of a member cut out of
# it. refs: names each chunk calls or constructs (for callers of a name).
_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, skipped TEXT,
    imports_start INTEGER, imports_end INTEGER);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL, start INTEGER, end_line INTEGER, text TEXT, symbols TEXT,
    kind TEXT, header_start INTEGER, header_end INTEGER);
CREATE INDEX IF NOT EXISTS chunks_by_path ON chunks(path);
CREATE TABLE IF NOT EXISTS symbols (name TEXT, path TEXT, line INTEGER, chunk_id INTEGER);
CREATE INDEX IF NOT EXISTS symbols_by_name ON symbols(name);
CREATE INDEX IF NOT EXISTS symbols_by_path ON symbols(path);
CREATE TABLE IF NOT EXISTS refs (name TEXT, path TEXT, chunk_id INTEGER);
CREATE INDEX IF NOT EXISTS refs_by_name ON refs(name);
CREATE INDEX IF NOT EXISTS refs_by_path ON refs(path);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(path, symbols, terms, text, tokenize='porter unicode61');
"""


class IndexDatabase:
    """The open database of one repository's index, with the lock file that updates take turns on."""

    def __init__(self, root: Path, cache_dir: Path) -> None:
        self.root = root.expanduser().resolve()
        digest = hashlib.sha1(str(self.root).encode("utf-8", "surrogateescape")).hexdigest()[:16]
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RepoError(translate(
                "core", "The repository index cannot be kept in {cache_dir}: {reason}."
            ).format(cache_dir=cache_dir, reason=describe_os_error(exc))) from None
        self.path = cache_dir / index_file_name(self.root, digest)
        existed = self.path.exists()
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._lock = FileLock(self._lock_path)
        self._holding = False
        self._replaced = False  # the last taking of the lock found the file rebuilt by another process
        self._identity: tuple[int, int] | None = None
        self._db: sqlite3.Connection | None = None
        try:
            self._db = self._open()
        except (sqlite3.Error, OSError) as exc:
            if not existed:  # a full disk leaves an empty file behind: it holds nothing, remove it
                with contextlib.suppress(OSError):
                    remove_database(self.path)
            if isinstance(exc, OSError):
                raise RepoError(translate(
                    "core", "The repository index at {path} cannot be created: {reason}."
                ).format(path=self.path, reason=describe_os_error(exc))) from None
            raise repo_error(self.path, exc) from None

    def _connect(self) -> sqlite3.Connection:
        self._clear_irregular()
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        try:
            distrust_schema(db)  # nothing named in the file's schema runs (it has no triggers of its own)
        except BaseException:
            db.close()
            raise
        self._identity = file_identity(self.path)
        return db

    def _clear_irregular(self) -> None:
        """A FIFO, directory or link at the index's names is removed (lstat only; it is a cache)."""
        for file in irregular_files(self.path):
            log.warning("%s is not a regular file; removing it and rebuilding the index", file)
            try:
                discard(file)
            except OSError as exc:
                raise RepoError(translate(
                    "core", "The repository index at {file} is not a file and cannot be removed: {reason}."
                ).format(file=file, reason=describe_os_error(exc))) from None

    def _sound(self, db: sqlite3.Connection, version: int) -> bool:
        """Its schema is exactly the app's (any foreign trigger, view or index, or other tables: rebuilt)."""
        diff = schema_diff(db, _SCHEMA)
        if version == 0 and not diff.foreign and not diff.wrong:
            return True  # a new file, or one the app has not laid out yet
        if diff:
            log.warning("repository index %s has another schema (%s); rebuilding it", self.path, diff)
        return not diff

    def _open(self) -> sqlite3.Connection:
        """A sound index of this version opens without writing (and without the lock)."""
        try:
            db = self._connect()
            try:
                check(db, self.path)
                version = db.execute("PRAGMA user_version").fetchone()[0]
                wal = db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            except BaseException:
                db.close()
                raise
            if version == SCHEMA_VERSION and wal and self._sound(db, version):
                db.execute("PRAGMA synchronous = NORMAL")
                return db
            db.close()
        except sqlite3.DatabaseError as exc:
            if not is_corruption(exc):
                raise
            log.warning("repository index %s is damaged (%s); rebuilding it", self.path, exc)
        with self._locked():
            return self._prepare()

    def _prepare(self) -> sqlite3.Connection:
        """Under the lock: check again (another process may have just rebuilt it), then rebuild or create."""
        db: sqlite3.Connection | None = None
        try:
            db = self._connect()
            check(db, self.path)
            version = db.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            if not is_corruption(exc):
                if db is not None:
                    db.close()
                raise
            version = -1
        if version in (0, SCHEMA_VERSION) and db is not None and not self._sound(db, version):
            version = -1
        if version not in (0, SCHEMA_VERSION):  # damaged, or another layout: a cache, so start afresh
            if db is not None:
                db.close()
            remove_database(self.path)
            db = self._connect()
        assert db is not None
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.executescript(_SCHEMA)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return db

    @contextmanager
    def _locked(self, cancel: threading.Event | None = None) -> Iterator[bool]:
        """Hold the index's lock file (False: `cancel` was set while waiting for it)."""
        if self._holding:
            yield True
            return
        deadline = time.monotonic() + LOCK_WAIT_S
        waited = False
        if is_irregular(self._lock_path):  # opening a FIFO could block: only a regular file is locked
            log.warning("%s is not a regular file; removing it", self._lock_path)
            try:
                discard(self._lock_path)
            except OSError as exc:
                raise RepoError(translate(
                    "core", "The repository index lock {lock_path} cannot be created: {reason}."
                ).format(lock_path=self._lock_path, reason=describe_os_error(exc))) from None
        while True:
            try:
                self._lock.acquire(wait_s=0.25)
                break
            except LockBusy:
                if not waited:
                    waited = True
                    log.info("another process is indexing %s; waiting for it", self.root)
                if cancel is not None and cancel.is_set():
                    yield False
                    return
                if time.monotonic() > deadline:
                    raise RepoError(translate(
                        "core", "Another program has been indexing {root} for over {minutes:.0f} minutes; try again later."
                    ).format(root=self.root, minutes=LOCK_WAIT_S / 60), retryable=True) from None
            except OSError as exc:
                raise RepoError(translate(
                    "core", "The repository index lock {lock_path} cannot be created: {reason}."
                ).format(lock_path=self._lock_path, reason=exc.strerror or exc)) from None
        self._holding = True
        self._replaced = False
        try:
            if self._db is not None and file_identity(self.path) != self._identity:
                # Another process rebuilt the file while this one waited: use the new one.
                self._db.close()
                self._db = self._prepare()
                self._replaced = True
            yield True
        finally:
            self._holding = False
            self._lock.release()

    def _remove_damaged(self, exc: sqlite3.Error) -> None:
        """Delete the damaged index (a cache) and start an empty one; the caller holds the lock."""
        log.warning("repository index %s is damaged (%s); rebuilding it", self.path, exc)
        if self._db is not None:
            self._db.close()
        try:
            remove_database(self.path)
        except OSError as os_exc:  # Windows: another program still has it open
            raise RepoError(translate(
                "core", "The repository index at {path} is damaged and cannot be deleted: {reason}."
            ).format(path=self.path, reason=os_exc.strerror or os_exc), retryable=True) from None
        self._db = self._prepare()


class _Reader:
    """`index.db` for queries: what sqlite3.Connection.execute gives, with damage turned into a rebuild."""

    def __init__(self, index: RepoIndex) -> None:
        self._index = index

    def execute(self, sql: str, params: Any = ()) -> "_Rows":
        db = self._index._db
        assert db is not None
        try:
            return _Rows(self._index, db.execute(sql, params))
        except sqlite3.DatabaseError as exc:
            if not is_corruption(exc):
                raise
            raise self._index._damaged_while_reading(exc) from None


class _Rows:
    def __init__(self, index: RepoIndex, cursor: sqlite3.Cursor) -> None:
        self._index = index
        self._cursor = cursor

    def _read(self, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except sqlite3.DatabaseError as exc:
            if not is_corruption(exc):
                raise
            raise self._index._damaged_while_reading(exc) from None

    def fetchone(self) -> Any:
        return self._read(self._cursor.fetchone)

    def fetchall(self) -> list:
        return self._read(self._cursor.fetchall)

    def __iter__(self) -> Iterator[Any]:
        while (row := self._read(self._cursor.fetchone)) is not None:
            yield row


NAME_BYTES = 64  # of the folder's name in the index's file name; with the digest and suffixes far below 255


def index_file_name(root: Path, digest: str) -> str:
    """`<folder name>-<digest>.sqlite3`, the folder's name cut to NAME_BYTES of UTF-8 at a character boundary.

    Shorter names are kept whole, so existing indexes stay valid; the digest of the whole path
    keeps two long names that share their beginning apart.
    """
    kept, used = [], 0
    for char in root.name:
        size = len(char.encode("utf-8", "surrogateescape"))  # an undecodable byte counts as one
        if used + size > NAME_BYTES:
            break
        kept.append(char)
        used += size
    return f"{''.join(kept)}-{digest}.sqlite3"


def repo_error(path: Path, exc: sqlite3.Error) -> RepoError:
    text = str(exc).lower()
    why = (translate("core", "the disk is full") if "full" in text
           else translate("core", "another program holds it locked") if "lock" in text else str(exc))
    return RepoError(translate(
        "core", "The repository index at {path} could not be updated: {why}.").format(path=path, why=why))
