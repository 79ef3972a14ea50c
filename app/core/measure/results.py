"""Measured results in SQLite: one run per (model file, suite, settings), each task's outcome.

A run is written task by task, so a run that was interrupted (Ctrl+C, Cancel, a crash) resumes
where it stopped: `open_run` with the same key hands back the task ids already done. The file
lives beside the chat database (`AppPaths.data / "measure.sqlite3"`) and is safe to read from
another thread (the GUI's table) while a worker writes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from app.core.errors import StoreError
from app.core.i18n import translate
from app.core.measure.suites import Suite
from app.core.measure.verdict import Outcome

FILE_NAME = "measure.sqlite3"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY,
    model_key TEXT NOT NULL,
    suite TEXT NOT NULL,
    settings_key TEXT NOT NULL,
    model_label TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    settings TEXT NOT NULL,
    state TEXT NOT NULL,
    total INTEGER NOT NULL,
    metrics TEXT,
    started_at REAL NOT NULL,
    finished_at REAL,
    UNIQUE (model_key, suite, settings_key)
);
CREATE TABLE IF NOT EXISTS items (
    run_id INTEGER NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
    task_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL,
    seconds REAL NOT NULL,
    tokens INTEGER NOT NULL,
    answer TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, task_id)
);
"""


class RunState(Enum):
    RUNNING = "running"
    INTERRUPTED = "interrupted"
    FINISHED = "finished"


@dataclass(frozen=True)
class RunKey:
    model_key: str  # the model file (name + size + hash of its first MiB), or remote URL + model id
    suite: Suite
    settings_key: str  # what changes the score: prompt style, fill mode, max tokens


@dataclass(frozen=True)
class RunRecord:
    run_id: int
    done_ids: frozenset[str]
    state: RunState
    key: RunKey | None = None
    model_label: str = ""
    total: int = 0


@dataclass(frozen=True)
class ItemResult:
    task_id: str
    outcome: Outcome
    detail: str
    seconds: float
    tokens: int
    answer: str = ""  # what the model wrote (kept to see why a task failed)


@dataclass(frozen=True)
class ResultRow:
    """One measured (model, suite, settings) for the table: never a published figure."""

    model_key: str
    model_label: str
    size_bytes: int
    suite: Suite
    settings_key: str
    score: float | None  # passed / done (0..1); None for the speed suite or before any task
    passed: int
    done: int
    total: int
    state: RunState
    metrics: dict = field(default_factory=dict)
    finished_at: float | None = None


class ResultStore:
    """The measure database. Every method may be called from any thread (one lock, one connection)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(translate("core", "{path} was written by a newer version of the app").format(
                    path=path), retryable=False)
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.Error as exc:
            raise StoreError(translate("core", "Could not open the results database {path}: {reason}").format(
                path=path, reason=exc)) from None

    @classmethod
    def in_data(cls, data_dir: Path) -> "ResultStore":
        return cls(data_dir / FILE_NAME)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # Writing ----------------------------------------------------------------------------------
    def open_run(self, key: RunKey, model_label: str, size_bytes: int, settings: dict, *, total: int = 0,
                 fresh: bool = False) -> RunRecord:
        """The run for `key`: an unfinished one resumes (its done tasks are skipped) unless `fresh`,
        and so does a finished one asked for more tasks than it did (a full run after a --limit
        run); any other finished run, or `fresh`, starts over in place (one row per key)."""
        with self._write() as db:
            row = db.execute("SELECT r.run_id, r.state, COUNT(i.task_id) FROM runs r LEFT JOIN items i ON "
                             "i.run_id = r.run_id WHERE model_key=? AND suite=? AND settings_key=? GROUP BY r.run_id",
                             (key.model_key, key.suite.value, key.settings_key)).fetchone()
            now = time.time()
            if row is not None and not fresh and (row[1] != RunState.FINISHED.value or row[2] < total):
                run_id = row[0]
                db.execute("UPDATE runs SET state=?, model_label=?, size_bytes=?, total=?, finished_at=NULL WHERE run_id=?",
                           (RunState.RUNNING.value, model_label, size_bytes, total, run_id))
                done = frozenset(r[0] for r in db.execute("SELECT task_id FROM items WHERE run_id=?", (run_id,)))
                return RunRecord(run_id, done, RunState.RUNNING, key, model_label, total)
            if row is not None:
                db.execute("DELETE FROM items WHERE run_id=?", (row[0],))
                db.execute("DELETE FROM runs WHERE run_id=?", (row[0],))
            cursor = db.execute(
                "INSERT INTO runs (model_key, suite, settings_key, model_label, size_bytes, settings, state, total, "
                "started_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (key.model_key, key.suite.value, key.settings_key, model_label, size_bytes,
                 json.dumps(settings, sort_keys=True), RunState.RUNNING.value, total, now))
            return RunRecord(int(cursor.lastrowid), frozenset(), RunState.RUNNING, key, model_label, total)

    def record(self, run_id: int, item: ItemResult) -> None:
        with self._write() as db:
            db.execute("INSERT OR REPLACE INTO items VALUES (?,?,?,?,?,?,?)",
                       (run_id, item.task_id, item.outcome.value, item.detail[:2000], item.seconds, item.tokens,
                        item.answer[:20000]))

    def interrupt(self, run_id: int) -> None:
        with self._write() as db:
            db.execute("UPDATE runs SET state=? WHERE run_id=?", (RunState.INTERRUPTED.value, run_id))

    def finish(self, run_id: int, metrics: dict | None = None) -> None:
        with self._write() as db:
            db.execute("UPDATE runs SET state=?, metrics=?, finished_at=? WHERE run_id=?",
                       (RunState.FINISHED.value, json.dumps(metrics) if metrics else None, time.time(), run_id))

    # Reading ----------------------------------------------------------------------------------
    def items(self, run_id: int) -> list[ItemResult]:
        with self._read() as db:
            rows = db.execute("SELECT task_id, outcome, detail, seconds, tokens, answer FROM items WHERE run_id=? "
                              "ORDER BY rowid", (run_id,)).fetchall()
        return [ItemResult(r[0], Outcome(r[1]), r[2], r[3], r[4], r[5]) for r in rows]

    def interrupted(self) -> list[RunRecord]:
        """Runs left unfinished (a Cancel, Ctrl+C, or a process that died while RUNNING): resumable."""
        with self._read() as db:
            rows = db.execute("SELECT run_id, model_key, suite, settings_key, model_label, total FROM runs "
                              "WHERE state != ? ORDER BY started_at", (RunState.FINISHED.value,)).fetchall()
            records = []
            for run_id, model_key, suite, settings_key, label, total in rows:
                done = frozenset(r[0] for r in db.execute("SELECT task_id FROM items WHERE run_id=?", (run_id,)))
                records.append(RunRecord(run_id, done, RunState.INTERRUPTED, RunKey(model_key, Suite(suite), settings_key),
                                         label, total))
        return records

    def table(self) -> list[ResultRow]:
        """Every measured run, one row each, by model then suite."""
        with self._read() as db:
            rows = db.execute(
                "SELECT r.model_key, r.model_label, r.size_bytes, r.suite, r.settings_key, r.state, r.total, r.metrics, "
                "r.finished_at, COUNT(i.task_id), COALESCE(SUM(i.outcome = ?), 0) FROM runs r "
                "LEFT JOIN items i ON i.run_id = r.run_id GROUP BY r.run_id ORDER BY r.model_label, r.suite, "
                "r.settings_key", (Outcome.PASSED.value,)).fetchall()
        table = []
        for key, label, size, suite, settings_key, state, total, metrics, finished, done, passed in rows:
            suite = Suite(suite)
            score = passed / done if done and suite is not Suite.SPEED else None
            table.append(ResultRow(key, label, size, suite, settings_key, score, int(passed), int(done), int(total),
                                   RunState(state), json.loads(metrics) if metrics else {}, finished))
        return table

    # The connection ---------------------------------------------------------------------------
    def _write(self):
        return _Guarded(self, write=True)

    def _read(self):
        return _Guarded(self, write=False)


class _Guarded:
    """The lock held around one transaction; a SQLite failure becomes a StoreError naming the file."""

    def __init__(self, store: ResultStore, *, write: bool) -> None:
        self._store, self._write = store, write

    def __enter__(self) -> sqlite3.Connection:
        self._store._lock.acquire()
        if self._write:
            self._store._db.execute("BEGIN IMMEDIATE")
        return self._store._db

    def __exit__(self, kind, exc, tb) -> bool:
        db = self._store._db
        try:
            if self._write:
                db.execute("COMMIT" if kind is None else "ROLLBACK")
        finally:
            self._store._lock.release()
        if isinstance(exc, sqlite3.Error):
            raise StoreError(translate("core", "The results database {path} failed: {reason}").format(
                path=self._store.path, reason=exc)) from exc
        return False
