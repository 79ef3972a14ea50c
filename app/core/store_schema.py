"""The conversation database's schema: its text, the migration from version 1, and making a file's schema the app's own.

Separate from store.py, which reads and writes conversations: this runs once, when a file is opened.
"""

from __future__ import annotations

import logging
import sqlite3

from app.core.sqlite_recovery import SchemaDamage, expected_schema, is_busy, quoted, schema_diff

log = logging.getLogger("app.core.store")  # the store's messages, whichever module writes them

# Version 2: messages form a tree (parent_id: the message before it on its branch; edits and
# regenerations are siblings), the conversation remembers the branch shown (leaf_id), and an answer
# keeps its figures. The new columns come last, as ALTER TABLE ADD COLUMN puts them, so a migrated
# version 1 file has exactly the schema of a new one (see migrate).
SCHEMA_VERSION = 2
_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    model TEXT NOT NULL DEFAULT '',
    system_prompt TEXT NOT NULL DEFAULT '',
    leaf_id INTEGER
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'complete',
    created REAL NOT NULL,
    parent_id INTEGER,
    figures TEXT NOT NULL DEFAULT ''
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


def migrate(db: sqlite3.Connection, version: int) -> None:
    """Bring a version 1 file (linear conversations) to version 2, keeping every conversation.

    One transaction: the new columns are added (last, as in _SCHEMA) and each message's parent is
    the message before it, so a conversation of version 1 is one branch. A file that lacks the
    tables altogether is left to `make_schema_own` (created, or salvaged as damaged).
    """
    if version != 1:
        return
    columns = {table: {str(row[1]) for row in db.execute(f"PRAGMA table_info({table})")}
               for table in ("conversations", "messages")}
    if not columns["conversations"] or not columns["messages"]:
        return
    # A trigger on these tables would run during the UPDATE below, before make_schema_own checks it
    # (a foreign one could abort the migration and leave the file unopenable): drop them all here;
    # make_schema_own then makes the app's own again and rebuilds the full-text index they feed.
    triggers = [str(name) for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('conversations', 'messages')")]
    script = ["BEGIN IMMEDIATE;", *(f"DROP TRIGGER IF EXISTS {quoted(name)};" for name in triggers)]
    if "leaf_id" not in columns["conversations"]:
        script.append("ALTER TABLE conversations ADD COLUMN leaf_id INTEGER;")
    if "parent_id" not in columns["messages"]:
        script += ["ALTER TABLE messages ADD COLUMN parent_id INTEGER;",
                   "UPDATE messages SET parent_id = (SELECT max(p.id) FROM messages p WHERE "
                   "p.conversation_id = messages.conversation_id AND p.id < messages.id);"]
    if "figures" not in columns["messages"]:
        script.append("ALTER TABLE messages ADD COLUMN figures TEXT NOT NULL DEFAULT '';")
    script += [f"PRAGMA user_version = {SCHEMA_VERSION};", "COMMIT;"]
    log.info("conversation database: schema %d -> %d", version, SCHEMA_VERSION)
    try:
        db.executescript("\n".join(script))
    except sqlite3.Error:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


_APP_TABLES = ("conversations", "messages")  # hold the data: defined otherwise, the file is damaged
_FTS = "messages_fts"


def make_schema_own(db: sqlite3.Connection, version: int) -> None:
    """Bring the schema to exactly the app's, writing only when something differs.

    Triggers, indexes and views the app does not create (or that differ from its own) are dropped;
    a full-text index defined otherwise is dropped and rebuilt from the messages. A data table
    defined otherwise (missing columns, other constraints, a view in its place) raises
    SchemaDamage: the file is then salvaged like a damaged one.
    """
    diff = schema_diff(db, _SCHEMA)
    wrong_data = [name for _kind, name in diff.wrong if name.lower() in _APP_TABLES]
    if wrong_data:
        raise SchemaDamage(f"database schema is malformed: {', '.join(wrong_data)} is not the app's table")
    if version == SCHEMA_VERSION and not diff:
        return
    if diff.foreign or diff.wrong or (diff.missing and version == SCHEMA_VERSION):  # not a new file
        log.warning("conversation database schema differs from the app's (%s); repairing it", diff)
    fts_names = {name for name in expected_schema(_SCHEMA) if name == _FTS or name.startswith(_FTS + "_")}
    changed = [*diff.foreign, *diff.wrong]
    fts_missing = fts_names.intersection(diff.missing)
    fts_wrong = any(name.lower() in fts_names for _kind, name in changed) or 0 < len(fts_missing) < len(fts_names)
    drops: list[str] = []
    if fts_wrong:  # the full-text index (derived from the messages) is dropped as a whole, then made again
        kind = next((kind for kind, name in changed if name.lower() == _FTS), "table")
        drops.append(f"DROP {kind.upper()} IF EXISTS {_FTS};")
    for kind, name in changed:
        if name.lower() == _FTS or (kind == "table" and name.lower() not in fts_names):
            continue  # a table that is not the app's is never read: left alone
        drops.append(f"DROP {kind.upper()} IF EXISTS {quoted(name)};")
    rebuild = fts_wrong or any(kind == "trigger" for kind, _name in changed) or any(
        name.startswith("messages_a") for name in diff.missing)
    script = ["BEGIN IMMEDIATE;", *drops, _SCHEMA]
    if rebuild:  # the triggers may not have kept it in step with the messages
        script.append(f"INSERT INTO {_FTS}({_FTS}) VALUES ('rebuild');")
    script += [f"PRAGMA user_version = {SCHEMA_VERSION};", "COMMIT;"]
    try:
        db.executescript("\n".join(script))
    except sqlite3.Error as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
        if is_busy(exc):
            raise
        # A table of an unknown module cannot even be dropped: salvage the messages instead.
        raise SchemaDamage(f"database schema is malformed and cannot be repaired: {exc}") from exc
