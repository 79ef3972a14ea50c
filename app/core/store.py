"""Conversations in SQLite, with full-text search over messages.

An answer is stored as soon as it starts ("streaming") and updated while it streams, so a crash
keeps what was generated; on the next open such rows are marked "interrupted". WAL mode keeps
readers and the writer apart; every write is one transaction, atomic even if the process is killed.
A store object belongs to one thread (the GUI uses it through a background worker).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import StoreError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    system_prompt TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'complete',
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages(conversation_id, id);
CREATE VIRTUAL TABLE IF NOT EXISTS messages_fts USING fts5(
    content, content='messages', content_rowid='id', tokenize='unicode61'
);
CREATE TRIGGER IF NOT EXISTS messages_ai AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER IF NOT EXISTS messages_ad AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER IF NOT EXISTS messages_au AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
"""

# Message states
COMPLETE, STREAMING, INTERRUPTED, STOPPED, FAILED = "complete", "streaming", "interrupted", "stopped", "failed"


@dataclass(frozen=True)
class Conversation:
    id: int
    title: str
    created: float
    updated: float
    model: str
    system_prompt: str


@dataclass(frozen=True)
class StoredMessage:
    id: int
    conversation_id: int
    role: str
    content: str
    state: str
    created: float


@dataclass(frozen=True)
class SearchHit:
    conversation_id: int
    title: str
    message_id: int
    snippet: str


def _friendly(exc: sqlite3.Error, path: Path) -> StoreError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return StoreError(
            f"The conversation database is locked by another program ({path.name}); "
            "close other copies of the app and try again.", retryable=True)
    if "readonly" in text or "read-only" in text:
        return StoreError(f"The conversation database {path} is read-only.", retryable=False)
    if "disk" in text and "full" in text:
        return StoreError("The disk is full: the conversation could not be saved.", retryable=True)
    return StoreError(f"The conversation database failed: {exc}", retryable=False)


class ConversationStore:
    def __init__(self, path: Path, *, busy_timeout_s: float = 2.0) -> None:
        self.path = path
        self.recovered_from: Path | None = None  # where a corrupt database was moved aside
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = self._open(busy_timeout_s)
        except sqlite3.DatabaseError as exc:
            if not _is_corruption(exc):
                raise _friendly(exc, path) from exc
            # Keep the damaged file for the user (or a recovery tool) and start afresh.
            self.recovered_from = path.with_name(f"{path.stem}.corrupt-{int(time.time())}{path.suffix}")
            path.rename(self.recovered_from)
            log.error("conversation database %s is corrupt (%s); moved to %s", path, exc, self.recovered_from)
            self._db = self._open(busy_timeout_s)

    def _open(self, busy_timeout_s: float) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False)
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.path.name} was written by a newer version of the app.")
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            # Rows still "streaming" belong to a run that died mid-answer.
            db.execute("UPDATE messages SET state = ? WHERE state = ?", (INTERRUPTED, STREAMING))
        except BaseException:
            db.close()
            raise
        return db

    def close(self) -> None:
        self._db.close()

    def _run(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, params)
        except sqlite3.Error as exc:
            raise _friendly(exc, self.path) from exc

    # Conversations -------------------------------------------------------------------------
    def create_conversation(self, title: str, model: str = "", system_prompt: str = "") -> int:
        now = time.time()
        cur = self._run(
            "INSERT INTO conversations(title, created, updated, model, system_prompt) VALUES (?,?,?,?,?)",
            (title or "New chat", now, now, model, system_prompt))
        return int(cur.lastrowid)

    def conversation(self, conversation_id: int) -> Conversation | None:
        row = self._run("SELECT * FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        return Conversation(**dict(row)) if row else None

    def list_conversations(self, limit: int = 500) -> list[Conversation]:
        rows = self._run("SELECT * FROM conversations ORDER BY updated DESC, id DESC LIMIT ?", (limit,))
        return [Conversation(**dict(r)) for r in rows]

    def rename(self, conversation_id: int, title: str) -> None:
        self._run("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))

    def set_system_prompt(self, conversation_id: int, system_prompt: str) -> None:
        self._run("UPDATE conversations SET system_prompt = ? WHERE id = ?", (system_prompt, conversation_id))

    def delete_conversation(self, conversation_id: int) -> None:
        self._run("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    # Messages ------------------------------------------------------------------------------
    def messages(self, conversation_id: int) -> list[StoredMessage]:
        rows = self._run("SELECT * FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,))
        return [StoredMessage(**dict(r)) for r in rows]

    def add_message(self, conversation_id: int, role: str, content: str, state: str = COMPLETE) -> int:
        now = time.time()
        try:
            with self._db:
                self._db.execute("BEGIN")
                cur = self._db.execute(
                    "INSERT INTO messages(conversation_id, role, content, state, created) VALUES (?,?,?,?,?)",
                    (conversation_id, role, content, state, now))
                self._db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id))
        except sqlite3.Error as exc:
            raise _friendly(exc, self.path) from exc
        return int(cur.lastrowid)

    def update_message(self, message_id: int, content: str, state: str | None = None) -> None:
        if state is None:
            self._run("UPDATE messages SET content = ? WHERE id = ?", (content, message_id))
        else:
            self._run("UPDATE messages SET content = ?, state = ? WHERE id = ?", (content, state, message_id))

    def delete_messages(self, message_ids: list[int]) -> None:
        """Delete exactly these messages (ids that no longer exist are ignored)."""
        if message_ids:
            marks = ",".join("?" * len(message_ids))
            self._run(f"DELETE FROM messages WHERE id IN ({marks})", tuple(message_ids))

    # Search and export ---------------------------------------------------------------------
    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Conversations whose title or messages match every word of `query`."""
        words = [w for w in query.replace('"', " ").split() if w]
        if not words:
            return []
        # Each word quoted and prefix-matched: user text never reaches FTS5's query syntax raw.
        fts_query = " ".join(f'"{w}"*' for w in words)
        rows = self._run(
            """SELECT m.conversation_id, c.title, m.id,
                      snippet(messages_fts, 0, '[', ']', '…', 12) AS snip
               FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
               JOIN conversations c ON c.id = m.conversation_id
               WHERE messages_fts MATCH ? ORDER BY bm25(messages_fts) LIMIT ?""",
            (fts_query, limit * 4))
        hits: dict[int, SearchHit] = {}
        for r in rows:
            hits.setdefault(r[0], SearchHit(r[0], r[1], r[2], r[3]))
        # Titles too (every word, case-insensitive), without loading every conversation.
        title_match = " AND ".join("instr(lower(title), ?) > 0" for _ in words)
        for conv_id, title in self._run(f"SELECT id, title FROM conversations WHERE {title_match} "
                                        "ORDER BY updated DESC LIMIT ?", (*[w.lower() for w in words], limit)):
            hits.setdefault(conv_id, SearchHit(conv_id, title, 0, title))
        return list(hits.values())[:limit]

    def export_markdown(self, conversation_id: int) -> str:
        conv = self.conversation(conversation_id)
        if conv is None:
            raise StoreError("That conversation no longer exists.")
        lines = [f"# {conv.title}", ""]
        if conv.model:
            lines += [f"*Model: {conv.model}*", ""]
        if conv.system_prompt:
            lines += ["## System", "", conv.system_prompt, ""]
        for message in self.messages(conversation_id):
            heading = "You" if message.role == "user" else "Assistant"
            if message.state not in (COMPLETE,):
                heading += f" ({message.state})"
            lines += [f"## {heading}", "", message.content.rstrip(), ""]
        return "\n".join(lines)


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text
