"""Writing to the repository index: one transaction at a time, a batch of parsed files, forgetting a file."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Iterator

from app.core.repo.parse_pool import ParsedFile
from app.core.repo.scan import Skipped


@contextmanager
def transaction(db: sqlite3.Connection | None) -> Iterator[sqlite3.Connection]:
    """One write transaction, its lock taken at once so that what it reads stays true."""
    assert db is not None
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.commit()


def forget(db: sqlite3.Connection, path: str) -> None:
    """Remove a file and its chunks, names and references (inside the caller's transaction)."""
    ids = [r[0] for r in db.execute("SELECT id FROM chunks WHERE path = ?", (path,))]
    if ids:
        marks = ",".join("?" * len(ids))
        db.execute(f"DELETE FROM chunks_fts WHERE rowid IN ({marks})", ids)
        db.execute("DELETE FROM chunks WHERE path = ?", (path,))
        db.execute("DELETE FROM symbols WHERE path = ?", (path,))
        db.execute("DELETE FROM refs WHERE path = ?", (path,))
    db.execute("DELETE FROM files WHERE path = ?", (path,))


def write_batch(db: sqlite3.Connection | None, batch: list[ParsedFile], sizes: dict[str, tuple[int, int]],
                skipped: list[Skipped]) -> None:
    """One transaction for a batch of files: an interrupted update keeps the batches it finished."""
    assert db is not None
    files, chunks, fts, symbols, refs = [], [], [], [], []
    with transaction(db):
        next_id = db.execute("SELECT COALESCE(MAX(id), 0) FROM chunks").fetchone()[0] + 1
        for parsed in batch:
            path = parsed.path
            size, mtime_ns = sizes[path]
            # Read again inside the transaction: an indexer not holding the lock file (an older
            # version of the app) may have stored this file meanwhile; it is never stored twice.
            now = db.execute("SELECT size, mtime_ns FROM files WHERE path = ?", (path,)).fetchone()
            if now is not None:
                if tuple(now) == (size, mtime_ns):
                    continue
                forget(db, path)
            if not parsed.ok:
                skipped.append(Skipped(path, parsed.reason or "unreadable"))
                if parsed.reason and parsed.reason.startswith("unreadable"):
                    continue  # may be fixed without the file changing (permissions): retry next time
            imports = parsed.imports or (None, None)
            files.append((path, size, mtime_ns, None if parsed.ok else parsed.reason, *imports))
            for chunk in parsed.chunks:
                chunk_id = next_id
                next_id += 1
                names = " ".join(chunk.symbols)
                header = chunk.header or (None, None)
                chunks.append((chunk_id, path, chunk.start, chunk.end, chunk.text, names, chunk.kind, *header))
                fts.append((chunk_id, path, names, chunk.terms, chunk.text))
                symbols += [(name, path, chunk.start, chunk_id) for name in chunk.symbols]
                refs += [(name, path, chunk_id) for name in chunk.refs]
        db.executemany("INSERT INTO files VALUES (?,?,?,?,?,?)", files)
        db.executemany("INSERT INTO chunks(id, path, start, end_line, text, symbols, kind, header_start, "
                       "header_end) VALUES (?,?,?,?,?,?,?,?,?)", chunks)
        db.executemany("INSERT INTO chunks_fts(rowid, path, symbols, terms, text) VALUES (?,?,?,?,?)", fts)
        db.executemany("INSERT INTO symbols VALUES (?,?,?,?)", symbols)
        db.executemany("INSERT INTO refs VALUES (?,?,?)", refs)
