"""A persistent, incremental index of a repository's chunks in SQLite with FTS5.

One database per repository in the cache directory. Opening a repository again re-reads only
files whose size or modification time changed, and forgets deleted ones. Chunks are searchable
by text, by the names they define, by their path, and by identifier parts (RetryPolicy is found by
"retry"), ranked with FTS5's bm25.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from app.core.repo.chunk import chunk_file, identifier_parts, identifiers
from app.core.repo.scan import RepoError, ScanResult, ScanRules, Skipped, read_source, scan_all

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4
_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, skipped TEXT);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL, start INTEGER, end_line INTEGER, text TEXT, symbols TEXT);
CREATE INDEX IF NOT EXISTS chunks_by_path ON chunks(path);
CREATE TABLE IF NOT EXISTS symbols (name TEXT, path TEXT, line INTEGER, chunk_id INTEGER);
CREATE INDEX IF NOT EXISTS symbols_by_name ON symbols(name);
CREATE INDEX IF NOT EXISTS symbols_by_path ON symbols(path);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(path, symbols, terms, text, tokenize='porter unicode61');
"""


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


def _terms(path: str, text: str) -> str:
    """Identifier parts and path words, so "retry" finds RetryPolicy and retry_policy.py."""
    words: set[str] = set()
    for ident in identifiers(text):
        parts = identifier_parts(ident)
        if len(parts) > 1:
            words.update(parts)
    words.update(w.lower() for w in path.replace("/", " ").replace(".", " ").replace("_", " ").split())
    return " ".join(sorted(words))


class RepoIndex:
    def __init__(self, root: Path, cache_dir: Path) -> None:
        self.root = root.expanduser().resolve()
        digest = hashlib.sha1(str(self.root).encode()).hexdigest()[:16]
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.path = cache_dir / f"{self.root.name}-{digest}.sqlite3"
        self._db = self._open()
        self.generation = 0  # bumped whenever an update changed something; keys derived caches
        self.cache: dict[str, object] = {}

    def _open(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, check_same_thread=False)
            version = db.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError:
            self.path.unlink(missing_ok=True)  # a cache: rebuilding it loses nothing
            db = sqlite3.connect(self.path, check_same_thread=False)
            version = 0
        if version not in (0, SCHEMA_VERSION):
            db.close()
            self.path.unlink()
            db = sqlite3.connect(self.path, check_same_thread=False)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.executescript(_SCHEMA)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return db

    def close(self) -> None:
        self._db.close()

    @property
    def db(self) -> sqlite3.Connection:
        return self._db

    def update(self, rules: ScanRules | None = None, cancel: threading.Event | None = None,
               progress: Callable[[IndexProgress], None] | None = None) -> IndexStats:
        """Bring the index up to date with the folder; only changed files are read."""
        return _consume(self.update_steps(rules, cancel), progress)

    def update_steps(self, rules: ScanRules | None = None,
                     cancel: threading.Event | None = None) -> Iterator[IndexProgress | IndexStats]:
        rules = rules or ScanRules()
        try:
            yield from self._update_steps(rules, cancel)
        except sqlite3.Error as exc:
            text = str(exc).lower()
            why = ("the disk is full" if "full" in text else "another program holds it locked" if "lock" in text
                   else str(exc))
            raise RepoError(f"The repository index at {self.path} could not be updated: {why}.") from None

    def _update_steps(self, rules: ScanRules, cancel: threading.Event | None) -> Iterator[IndexProgress | IndexStats]:
        fingerprint = hashlib.sha1(repr(rules).encode()).hexdigest()
        row = self._db.execute("SELECT value FROM meta WHERE key = 'rules'").fetchone()
        if row is None or row[0] != fingerprint:
            # Other rules may admit files skipped before (or skip indexed ones): start from scratch.
            with self._db:
                for table in ("files", "chunks", "symbols", "chunks_fts"):
                    self._db.execute(f"DELETE FROM {table}")
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('rules', ?)", (fingerprint,))
        scanned: ScanResult = scan_all(self.root, rules, cancel)
        known = {row[0]: (row[1], row[2]) for row in self._db.execute("SELECT path, size, mtime_ns FROM files")}
        current = {f.path: f for f in scanned.files}
        removed = [p for p in known if p not in current]
        changed = [f for f in scanned.files if known.get(f.path) != (f.size, f.mtime_ns)]
        skipped = list(scanned.skipped)
        with self._db:
            for path in removed:
                self._forget(path)
        for number, file in enumerate(changed, start=1):
            if cancel is not None and cancel.is_set():
                break
            text, reason = read_source(self.root, file.path, rules)
            with self._db:  # one transaction per file: an interrupted update keeps what it finished
                self._forget(file.path)
                if text is None:
                    skipped.append(Skipped(file.path, reason or "unreadable"))
                    if reason and reason.startswith("unreadable"):
                        continue  # may be fixed without the file changing (permissions): retry next time
                self._db.execute("INSERT INTO files VALUES (?,?,?,?)", (file.path, file.size, file.mtime_ns, reason))
                if text is not None:
                    self._add_chunks(file.path, text)
            if number % 25 == 0 or number == len(changed):
                yield IndexProgress(number, len(changed), file.path)
        # Files skipped earlier stay skipped until they change; report them each time.
        changed_paths = {f.path for f in changed}
        skipped += [Skipped(p, r) for p, r in self._db.execute("SELECT path, skipped FROM files WHERE skipped IS NOT NULL")
                    if p not in changed_paths]
        files, chunks = (self._db.execute(q).fetchone()[0] for q in
                         ("SELECT COUNT(*) FROM files WHERE skipped IS NULL", "SELECT COUNT(*) FROM chunks"))
        if changed or removed:
            self.generation += 1
            self.cache.clear()
        yield IndexStats(files, chunks, len(changed), len(removed), skipped, scanned.truncated)

    def _forget(self, path: str) -> None:
        ids = [r[0] for r in self._db.execute("SELECT id FROM chunks WHERE path = ?", (path,))]
        if ids:
            marks = ",".join("?" * len(ids))
            self._db.execute(f"DELETE FROM chunks_fts WHERE rowid IN ({marks})", ids)
            self._db.execute("DELETE FROM chunks WHERE path = ?", (path,))
            self._db.execute("DELETE FROM symbols WHERE path = ?", (path,))
        self._db.execute("DELETE FROM files WHERE path = ?", (path,))

    def _add_chunks(self, path: str, text: str) -> None:
        for chunk in chunk_file(path, text):
            symbols = " ".join(chunk.symbols)
            cur = self._db.execute("INSERT INTO chunks(path, start, end_line, text, symbols) VALUES (?,?,?,?,?)",
                                   (path, chunk.start, chunk.end, chunk.text, symbols))
            chunk_id = cur.lastrowid
            self._db.execute("INSERT INTO chunks_fts(rowid, path, symbols, terms, text) VALUES (?,?,?,?,?)",
                             (chunk_id, path, symbols, _terms(path, chunk.text), chunk.text))
            self._db.executemany("INSERT INTO symbols VALUES (?,?,?,?)",
                                 [(name, path, chunk.start, chunk_id) for name in chunk.symbols])


def _consume(steps: Iterator[IndexProgress | IndexStats],
             progress: Callable[[IndexProgress], None] | None) -> IndexStats:
    for step in steps:
        if isinstance(step, IndexStats):
            return step
        if progress is not None:
            progress(step)
    raise RuntimeError("index update ended without stats")
