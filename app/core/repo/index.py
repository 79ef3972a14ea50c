"""A persistent, incremental index of a repository's chunks in SQLite with FTS5.

One database per repository in the cache directory. Opening a repository again re-reads only
files whose size or modification time changed, and forgets deleted ones. Chunks are searchable
by text, by the names they define, by their path, and by identifier parts (RetryPolicy is found by
"retry"), ranked with FTS5's bm25.

The database itself (schema, opening and checking it, rebuilding it when damaged, the lock file that
updates take turns on) is index_db; writing a batch of parsed files is index_write. RepoIndex puts them
together: updating, and queries that rebuild the index when they find it damaged.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from app.core.i18n import translate
from app.core.repo.index_db import (  # noqa: F401  (the names not used here are imported from here)
    BUSY_TIMEOUT_S,
    LOCK_WAIT_S,
    NAME_BYTES,
    SCHEMA_VERSION,
    IndexDatabase,
    _Reader,
    _Rows,
    index_file_name,
    repo_error,
)
from app.core.repo.index_write import forget, transaction, write_batch
from app.core.repo.parse_pool import ParsedFile, parse_files
from app.core.repo.parse_pool import terms as _terms  # noqa: F401  (where it used to live)
from app.core.repo.scan import RepoError, ScanResult, ScanRules, Skipped, known_reason, read_source, scan_all
from app.core.sqlite_recovery import is_corruption

log = logging.getLogger(__name__)

BATCH_FILES = 200  # files written per transaction (an interrupted update keeps the batches it finished)
BATCH_CHUNKS = 5_000  # or fewer files, once their chunks reach this


@dataclass(frozen=True)
class IndexProgress:
    done: int
    total: int
    path: str


@dataclass(frozen=True)
class IndexStats:
    files: int
    chunks: int
    reindexed: int  # files read in this update
    removed: int
    skipped: list[Skipped]
    truncated: bool


class IndexRebuilt(RepoError):
    """A query found the index damaged; it was rebuilt (and brought up to date) at once, so asking again works."""


class RepoIndex(IndexDatabase):
    def __init__(self, root: Path, cache_dir: Path) -> None:
        self.generation = 0  # bumped whenever an update changed something; keys derived caches
        self.cache: dict[str, object] = {}
        self._rules: ScanRules | None = None  # of the last update, to rebuild with
        super().__init__(root, cache_dir)

    def _rebuild_empty(self, exc: sqlite3.Error) -> None:
        """Delete the damaged index (a cache) and start an empty one; the caller holds the lock."""
        self._remove_damaged(exc)
        self.generation += 1
        self.cache.clear()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()

    @property
    def db(self) -> _Reader:
        """For queries: damage found by one rebuilds the index, and the query fails saying so."""
        return _Reader(self)

    def _damaged_while_reading(self, exc: sqlite3.Error) -> RepoError:
        try:
            with self._locked():
                if not self._replaced:  # else another process has rebuilt it already
                    self._rebuild_empty(exc)
                if self._rules is not None:
                    _consume(self._update_steps(self._rules, None), None)
        except RepoError as rebuild_exc:
            return rebuild_exc
        except sqlite3.Error as rebuild_exc:
            log.error("rebuilding the repository index %s failed: %s", self.path, rebuild_exc)
            return repo_error(self.path, rebuild_exc)
        return IndexRebuilt(translate("core", "The repository index of {root} was damaged and has been rebuilt; ask again.")
                            .format(root=self.root), retryable=True)

    def update(self, rules: ScanRules | None = None, cancel: threading.Event | None = None,
               progress: Callable[[IndexProgress], None] | None = None) -> IndexStats:
        """Bring the index up to date with the folder; only changed files are read."""
        return _consume(self.update_steps(rules, cancel), progress)

    def update_steps(self, rules: ScanRules | None = None,
                     cancel: threading.Event | None = None) -> Iterator[IndexProgress | IndexStats]:
        rules = rules or ScanRules()
        self._rules = rules
        try:
            with self._locked(cancel) as held:
                if not held:  # cancelled while another process was indexing: report what is there
                    yield self._stats([], [], [], truncated=False)
                    return
                try:
                    yield from self._update_steps(rules, cancel)
                except sqlite3.DatabaseError as exc:
                    if not is_corruption(exc):
                        raise
                    self._rebuild_empty(exc)  # damage found mid-update: this update rebuilds all of it
                    yield from self._update_steps(rules, cancel)
        except sqlite3.Error as exc:
            raise repo_error(self.path, exc) from None

    def _update_steps(self, rules: ScanRules, cancel: threading.Event | None) -> Iterator[IndexProgress | IndexStats]:
        db = self._db
        assert db is not None
        fingerprint = hashlib.sha1(repr(rules).encode()).hexdigest()
        row = db.execute("SELECT value FROM meta WHERE key = 'rules'").fetchone()
        if row is None or row[0] != fingerprint:
            # Other rules may admit files skipped before (or skip indexed ones): start from scratch.
            with transaction(self._db):
                for table in ("files", "chunks", "symbols", "refs", "chunks_fts"):
                    db.execute(f"DELETE FROM {table}")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('rules', ?)", (fingerprint,))
        scanned: ScanResult = scan_all(self.root, rules, cancel)
        known = {row[0]: (row[1], row[2]) for row in db.execute("SELECT path, size, mtime_ns FROM files")}
        current = {f.path: f for f in scanned.files}
        removed = [p for p in known if p not in current]
        changed = [f for f in scanned.files if known.get(f.path) != (f.size, f.mtime_ns)]
        skipped = list(scanned.skipped)
        with transaction(self._db) as writing:
            for path in removed:
                forget(writing, path)
        sizes = {f.path: (f.size, f.mtime_ns) for f in changed}
        batch: list[ParsedFile] = []
        batch_chunks = 0
        done = 0
        parsed_files = parse_files(self.root, [f.path for f in changed], rules, cancel, read=read_source)
        try:
            for parsed in parsed_files:  # stops at the next file once `cancel` is set
                batch.append(parsed)
                batch_chunks += len(parsed.chunks)
                if len(batch) >= BATCH_FILES or batch_chunks >= BATCH_CHUNKS:
                    write_batch(self._db, batch, sizes, skipped)
                    done += len(batch)
                    yield IndexProgress(done, len(changed), parsed.path)
                    batch, batch_chunks = [], 0
            if batch:  # what was read before a cancel is kept
                write_batch(self._db, batch, sizes, skipped)
                done += len(batch)
                yield IndexProgress(done, len(changed), batch[-1].path)
        finally:
            parsed_files.close()
        if changed or removed:
            self.generation += 1
            self.cache.clear()
        yield self._stats(skipped, changed, removed, scanned.truncated)

    def _stats(self, skipped: list[Skipped], changed: list, removed: list[str], truncated: bool) -> IndexStats:
        db = self._db
        assert db is not None
        # Files skipped earlier stay skipped until they change; report them each time.
        changed_paths = {f.path for f in changed}
        skipped = skipped + [Skipped(p, known_reason(r)) for p, r in
                             db.execute("SELECT path, skipped FROM files WHERE skipped IS NOT NULL")
                             if p not in changed_paths]
        files, chunks = (db.execute(q).fetchone()[0] for q in
                         ("SELECT COUNT(*) FROM files WHERE skipped IS NULL", "SELECT COUNT(*) FROM chunks"))
        return IndexStats(files, chunks, len(changed), len(removed), skipped, truncated)


def _consume(steps: Iterator[IndexProgress | IndexStats],
             progress: Callable[[IndexProgress], None] | None) -> IndexStats:
    for step in steps:
        if isinstance(step, IndexStats):
            return step
        if progress is not None:
            progress(step)
    raise RuntimeError("index update ended without stats")

