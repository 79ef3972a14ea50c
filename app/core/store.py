"""Conversations in SQLite, with full-text search over messages.

An answer is stored as soon as it starts ("streaming") and updated while it streams, so a crash
keeps what was generated; on the next open such rows are marked "interrupted". WAL mode keeps
readers and the writer apart; every write is one transaction, atomic even if the process is killed.
A damaged file is repaired where it is found (see ConversationStore), a locked one waited for.
A store object belongs to one thread (the GUI uses it through a background worker).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Callable, TypeVar

from app.core.errors import StoreError
from app.core.i18n import translate
from app.core.markdown_blocks import MARK_END, MARK_START, close_fences, mark_words, plain_snippet
from app.core.sqlite_recovery import check, distrust_schema, file_identity, is_busy, is_corruption, retry_busy
from app.core.store_recovery import RECOVERED_TITLE, Salvage, finish_interrupted, recover, set_aside_irregular
from app.core.store_schema import _SCHEMA, SCHEMA_VERSION, make_schema_own, migrate

log = logging.getLogger(__name__)

T = TypeVar("T")

_ATTEMPT_WAIT_S = 0.25  # one attempt's wait for a lock, inside the bounded retries

ROOT = 0  # the parent_id that makes a message open its conversation (stored as NULL)

class MessageState(str, Enum):
    """Where a stored message stands; the values are what the ``state`` column holds."""

    COMPLETE = "complete"
    STREAMING = "streaming"  # being generated; found on open, it becomes INTERRUPTED
    INTERRUPTED = "interrupted"  # the program ended while it streamed
    STOPPED = "stopped"  # the user stopped it
    FAILED = "failed"
    CUT = "cut"  # ended by the token limit (stop reason "length"): it can be continued

    def __str__(self) -> str:
        return self.value

    @classmethod
    def _missing_(cls, value: object) -> MessageState:
        # A state written by a newer version reads back as cut short: shown, never taken as whole.
        log.warning("Unknown message state %r read as %s", value, cls.INTERRUPTED.value)
        return cls.INTERRUPTED


@dataclass(frozen=True)
class Conversation:
    id: int
    title: str
    created: float
    updated: float
    model: str
    system_prompt: str
    leaf_id: int | None = None  # the last message of the branch shown (None: the newest message's)


@dataclass(frozen=True)
class StoredMessage:
    id: int
    conversation_id: int
    role: str
    content: str
    state: MessageState
    created: float
    parent_id: int | None = None  # the message before it on its branch (None: it opens the conversation)
    figures: str = ""  # an answer's figures in words (time to first token, speed, tokens)


@dataclass(frozen=True)
class SearchHit:
    conversation_id: int
    title: str
    message_id: int
    snippet: str  # plain text (no Markdown); each match between MARK_START and MARK_END


def branch_of(messages: list[StoredMessage], leaf_id: int | None) -> list[StoredMessage]:
    """The path from the first message to `leaf_id` (or to the newest message when it is gone)."""
    by_id = {m.id: m for m in messages}
    leaf = by_id.get(leaf_id) if leaf_id is not None else None
    if leaf is None and messages:
        leaf = max(messages, key=lambda m: m.id)
    path: list[StoredMessage] = []
    seen: set[int] = set()
    while leaf is not None and leaf.id not in seen:  # a cycle (a hand-edited file) ends the walk
        seen.add(leaf.id)
        path.append(leaf)
        leaf = by_id.get(leaf.parent_id) if leaf.parent_id is not None else None
    return path[::-1]


class StoreBusyError(StoreError):
    """Another program holds the database locked; waiting and trying again helps."""

    retryable = True


def _why_unopenable(folder: Path) -> str:
    if not folder.is_dir():
        return translate("core", "the folder does not exist and cannot be created")
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return translate("core", "the disk is read-only")
    except (AttributeError, OSError):  # no statvfs on Windows
        pass
    if not os.access(folder, os.W_OK):
        return translate("core", "the folder is read-only")
    return translate("core", "the file cannot be opened")


def _friendly(exc: sqlite3.Error, path: Path) -> StoreError:
    text = str(exc).lower()
    if is_busy(exc):
        return StoreBusyError(
            translate(
                "core", "The conversation database is locked by another program ({name}); close other copies of the app and "
                "try again.").format(name=path.name))
    if "readonly" in text or "read-only" in text:
        return StoreError(translate(
            "core", "The conversation database {path} is read-only.").format(path=path), retryable=False)
    if "disk" in text and "full" in text:
        return StoreError(translate("core", "The disk is full: the conversation could not be saved."), retryable=True)
    if "unable to open" in text:  # SQLite says no more than this; the folder tells why
        return StoreError(translate(
            "core", "Conversations cannot be saved in {path}: {reason}.").format(path=path, reason=_why_unopenable(path.parent)),
                          retryable=False)
    return StoreError(translate("core", "The conversation database failed: {reason}").format(reason=exc), retryable=False)


class ConversationStore:
    """The conversation database.

    Damage found when opening (a quick structural check) or by any later statement is repaired
    on the spot: the damaged file is moved aside, never deleted, what can be read is carried
    into a fresh database, and the statement that hit the damage runs again there.
    `recovered_from` then says where the damaged file went. A locked database is waited for:
    up to `open_wait_s` when opening, up to `busy_timeout_s` for each call; `on_busy` hears of
    each wait (the GUI says so once).
    """

    def __init__(self, path: Path, *, busy_timeout_s: float = 2.0, open_wait_s: float = 10.0,
                 on_busy: Callable[[StoreError], None] | None = None) -> None:
        self.path = path
        self.recovered_from: Path | None = None  # where a corrupt database was moved aside
        self.salvage: Salvage | None = None  # what the last recovery carried over
        self._busy_timeout_s = busy_timeout_s
        self._on_busy = on_busy
        self._identity: tuple[int, int] | None = None
        path.parent.mkdir(parents=True, exist_ok=True)
        finish_interrupted(path)
        try:
            self._db = retry_busy(self._open_or_recover, wait_s=open_wait_s, on_busy=self._busy)
        except sqlite3.Error as exc:
            raise _friendly(exc, path) from exc

    def _busy(self, exc: sqlite3.Error) -> None:
        if self._on_busy is not None:
            self._on_busy(_friendly(exc, self.path))

    def _open_or_recover(self) -> sqlite3.Connection:
        try:
            return self._open()
        except sqlite3.DatabaseError as exc:
            if not is_corruption(exc):
                raise
            self._recover(exc)
            return self._open()

    def _open(self) -> sqlite3.Connection:
        aside = set_aside_irregular(self.path)
        if aside is not None:  # a FIFO, a directory, a link to a device... at the database's name
            self.recovered_from, self.salvage = aside, Salvage(0, 0, 0, 0)
        # SQLite's own wait is kept short so that the bounded retries around each call (which
        # tell `on_busy`) do the waiting; together they wait `busy_timeout_s`.
        db = sqlite3.connect(self.path, timeout=min(self._busy_timeout_s, _ATTEMPT_WAIT_S), isolation_level=None,
                             check_same_thread=False)
        try:
            self._identity = file_identity(self.path)
            distrust_schema(db)  # until the schema is known to be the app's own
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA foreign_keys = ON")
            check(db, self.path)
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(translate(
                    "core", "{name} was written by a newer version of the app.").format(name=self.path.name))
            # Only what must change is written, so a database another program holds locked
            # still opens for reading (WAL) and shows its conversations.
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            migrate(db, version)
            # A migrated file is told apart from a current one by the version it had: its triggers,
            # dropped by the migration, are made again without a warning about a damaged schema.
            make_schema_own(db, min(version, db.execute("PRAGMA user_version").fetchone()[0]))
            # Every trigger, index and table definition the app uses is now its own text, and no
            # other trigger or view is left. The app's triggers write to the FTS5 table, which
            # SQLite (3.40) does not mark innocuous, so they need a trusted schema to run.
            db.execute("PRAGMA trusted_schema = ON")
            # Rows still "streaming" belong to a run that died mid-answer.
            streaming = MessageState.STREAMING.value
            if db.execute("SELECT 1 FROM messages WHERE state = ? LIMIT 1", (streaming,)).fetchone():
                db.execute("UPDATE messages SET state = ? WHERE state = ?",
                           (MessageState.INTERRUPTED.value, streaming))
        except BaseException:
            db.close()
            raise
        return db

    def _recover(self, exc: sqlite3.Error) -> None:
        """Move the damaged file aside and put a fresh database with what was readable in its place."""
        log.error("conversation database %s is damaged (%s); recovering what can be read", self.path, exc)
        if self._identity is not None and file_identity(self.path) != self._identity:
            log.warning("%s was already replaced (another copy of the app recovered it)", self.path)
            return
        try:
            self.recovered_from, self.salvage = recover(self.path, _SCHEMA, SCHEMA_VERSION)
        except OSError as os_exc:
            raise StoreError(translate(
                "core", "The conversation database {path} is damaged and could not be repaired: {os_exc}"
            ).format(path=self.path, os_exc=os_exc), retryable=False) from os_exc
        except sqlite3.Error as db_exc:
            raise StoreError(translate(
                "core", "The conversation database {path} is damaged and could not be repaired: {db_exc}"
            ).format(path=self.path, db_exc=db_exc), retryable=False) from db_exc
        log.error("damaged conversation database moved to %s; carried over %s", self.recovered_from, self.salvage)

    def close(self) -> None:
        self._db.close()

    def _do(self, op: Callable[[sqlite3.Connection], T]) -> T:
        """Run `op` (which must read its results fully), waiting out locks and repairing damage once."""
        for attempt in (1, 2):
            try:
                return retry_busy(lambda: op(self._db), wait_s=self._busy_timeout_s, on_busy=self._busy)
            except sqlite3.Error as exc:
                if attempt == 2 or not is_corruption(exc):
                    raise _friendly(exc, self.path) from exc
                self._db.close()
                self._recover(exc)
                try:
                    self._db = self._open()
                except sqlite3.Error as open_exc:
                    raise _friendly(open_exc, self.path) from open_exc
        raise AssertionError("unreachable")

    def _write(self, op: Callable[[sqlite3.Connection], T]) -> T:
        """`op` in one transaction, taken at once so it never has to upgrade a stale read."""
        def run(db: sqlite3.Connection) -> T:
            db.execute("BEGIN IMMEDIATE")
            try:
                result = op(db)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    try:
                        db.execute("ROLLBACK")
                    except sqlite3.Error:
                        log.warning("rollback failed", exc_info=True)
                raise
            return result

        return self._do(run)

    # Conversations -------------------------------------------------------------------------
    def create_conversation(self, title: str, model: str = "", system_prompt: str = "") -> int:
        now = time.time()
        return self._write(lambda db: int(db.execute(
            "INSERT INTO conversations(title, created, updated, model, system_prompt) VALUES (?,?,?,?,?)",
            (title or "New chat", now, now, model, system_prompt)).lastrowid))

    def conversation(self, conversation_id: int) -> Conversation | None:
        row = self._do(lambda db: db.execute("SELECT * FROM conversations WHERE id = ?",
                                             (conversation_id,)).fetchone())
        return Conversation(**dict(row)) if row else None

    def list_conversations(self, limit: int = 500) -> list[Conversation]:
        rows = self._do(lambda db: db.execute(
            "SELECT * FROM conversations ORDER BY updated DESC, id DESC LIMIT ?", (limit,)).fetchall())
        return [Conversation(**dict(r)) for r in rows]

    def rename(self, conversation_id: int, title: str) -> None:
        self._write(lambda db: db.execute("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id)))

    def retitle(self, conversation_id: int, title: str, provisional: str) -> str | None:
        """Give the conversation `title` (made unique with " (2)"...) unless it was renamed meanwhile.

        Only a title still equal to `provisional` (the one given at creation) is replaced, so a
        rename by the user always wins. Returns the title written, or None.
        """
        def write(db: sqlite3.Connection) -> str | None:
            pattern = title.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + " (%)"
            taken = {str(r[0]) for r in db.execute("SELECT title FROM conversations WHERE id != ? AND "
                                                   "(title = ? OR title LIKE ? ESCAPE '\\')",
                                                   (conversation_id, title, pattern))}
            unique = next(t for n in range(1, len(taken) + 2) if (t := title if n == 1 else f"{title} ({n})") not in taken)
            cur = db.execute("UPDATE conversations SET title = ? WHERE id = ? AND title = ?",
                             (unique, conversation_id, provisional))
            return unique if cur.rowcount else None

        return self._write(write)

    def set_leaf(self, conversation_id: int, message_id: int | None) -> None:
        """Remember the branch shown: `message_id` is its last message."""
        self._write(lambda db: db.execute("UPDATE conversations SET leaf_id = ? WHERE id = ?",
                                          (message_id, conversation_id)))

    def set_system_prompt(self, conversation_id: int, system_prompt: str) -> None:
        self._write(lambda db: db.execute("UPDATE conversations SET system_prompt = ? WHERE id = ?",
                                          (system_prompt, conversation_id)))

    def delete_conversation(self, conversation_id: int) -> None:
        self._write(lambda db: db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,)))

    # Messages ------------------------------------------------------------------------------
    def messages(self, conversation_id: int) -> list[StoredMessage]:
        rows = self._do(lambda db: db.execute(
            "SELECT * FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,)).fetchall())
        return [StoredMessage(**{**dict(r), "state": MessageState(r["state"])}) for r in rows]

    def add_message(self, conversation_id: int, role: str, content: str,
                    state: MessageState = MessageState.COMPLETE, parent_id: int | None = None,
                    figures: str = "") -> int:
        """Add a message after `parent_id` on its branch.

        `parent_id` None appends after the conversation's newest message (one line, as before
        branches); ROOT makes it a first message (an edit of the first question).
        """
        now = time.time()

        def add(db: sqlite3.Connection) -> int:
            if self.recovered_from is not None:
                # The conversation's row may have been on a lost page while the GUI still shows
                # it: re-create it rather than lose what the user just wrote.
                title = " ".join(content.split())[:60] if role == "user" else ""
                db.execute("INSERT OR IGNORE INTO conversations(id, title, created, updated) VALUES (?,?,?,?)",
                           (conversation_id, title or RECOVERED_TITLE, now, now))
            parent = parent_id
            if parent is None:
                parent = db.execute("SELECT max(id) FROM messages WHERE conversation_id = ?",
                                    (conversation_id,)).fetchone()[0]
            cur = db.execute(
                "INSERT INTO messages(conversation_id, role, content, state, created, parent_id, figures) "
                "VALUES (?,?,?,?,?,?,?)", (conversation_id, role, content, MessageState(state).value, now,
                                           parent or None, figures))
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id))
            return int(cur.lastrowid)

        return self._write(add)

    def update_message(self, message_id: int, content: str, state: MessageState | None = None,
                       figures: str | None = None) -> None:
        sets, values = ["content = ?"], [content]
        if state is not None:
            sets.append("state = ?")
            values.append(MessageState(state).value)
        if figures is not None:
            sets.append("figures = ?")
            values.append(figures)
        self._write(lambda db: db.execute(f"UPDATE messages SET {', '.join(sets)} WHERE id = ?", (*values, message_id)))

    def branch(self, conversation_id: int) -> list[StoredMessage]:
        """The messages of the branch shown (the path to `leaf_id`, or to the newest message), in order."""
        conversation = self.conversation(conversation_id)
        return branch_of(self.messages(conversation_id), conversation.leaf_id if conversation else None)

    def delete_messages(self, message_ids: list[int]) -> None:
        """Delete exactly these messages (ids that no longer exist are ignored)."""
        if message_ids:
            marks = ",".join("?" * len(message_ids))
            self._write(lambda db: db.execute(f"DELETE FROM messages WHERE id IN ({marks})", tuple(message_ids)))

    # Search and export ---------------------------------------------------------------------
    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        """Conversations whose title or messages match every word of `query`."""
        words = [w for w in query.replace('"', " ").split() if w]
        if not words:
            return []
        # Each word quoted and prefix-matched: user text never reaches FTS5's query syntax raw.
        fts_query = " ".join(f'"{w}"*' for w in words)
        title_match = " AND ".join("instr(lower(title), ?) > 0" for _ in words)

        def find(db: sqlite3.Connection) -> tuple[list, list]:
            messages = db.execute(
                """SELECT m.conversation_id, c.title, m.id,
                          snippet(messages_fts, 0, ?, ?, '…', 12) AS snip
                   FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
                   JOIN conversations c ON c.id = m.conversation_id
                   WHERE messages_fts MATCH ? ORDER BY bm25(messages_fts) LIMIT ?""",
                (MARK_START, MARK_END, fts_query, limit * 4)).fetchall()
            # Titles too (every word, case-insensitive), without loading every conversation.
            titles = db.execute(f"SELECT id, title FROM conversations WHERE {title_match} "
                                "ORDER BY updated DESC LIMIT ?", (*[w.lower() for w in words], limit)).fetchall()
            return messages, titles

        messages, titles = self._do(find)
        hits: dict[int, SearchHit] = {}
        for r in messages:
            hits.setdefault(r[0], SearchHit(r[0], r[1], r[2], plain_snippet(r[3])))
        for conv_id, title in titles:
            hits.setdefault(conv_id, SearchHit(conv_id, title, 0, mark_words(title, words)))
        return list(hits.values())[:limit]

    def export_markdown(self, conversation_id: int) -> str:
        """The branch shown, as Markdown; a code block left open (an answer cut off) is closed."""
        conv = self.conversation(conversation_id)
        if conv is None:
            raise StoreError(translate("core", "That conversation no longer exists."))
        lines = [f"# {conv.title}", ""]
        if conv.model:
            lines += [f"*Model: {conv.model}*", ""]
        if conv.system_prompt:
            lines += ["## System", "", conv.system_prompt, ""]
        for message in self.branch(conversation_id):
            heading = "You" if message.role == "user" else "Assistant"
            if message.state is not MessageState.COMPLETE:
                heading += f" ({message.state.value})"
            lines += [f"## {heading}", "", close_fences(message.content.rstrip()), ""]
        return "\n".join(lines)
