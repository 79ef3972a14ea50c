"""What is at the conversation database's name, or in its schema, never stops saving.

A FIFO, a directory or a link to a device where the database or its side files belong, a file
whose tables lack the app's columns, foreign triggers, views and indexes, a full-text table
defined otherwise: each is repaired at open (moved aside, never deleted, when it may hold data)
and the next save works. Real files throughout; a FIFO is never opened (a test would hang).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from app.core.sqlite_recovery import distrust_schema
from app.core.store import ConversationStore

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")


def saved(path: Path) -> int:
    """A database holding one conversation with one message; its id."""
    store = ConversationStore(path)
    cid = store.create_conversation("kept", model="m")
    store.add_message(cid, "user", "the old quicksort question")
    store.close()
    return cid


def saves_and_finds(store: ConversationStore) -> int:
    cid = store.create_conversation("new")
    mid = store.add_message(cid, "user", "a heapsort question")
    store.update_message(mid, "a heapsort question, edited")
    assert [m.content for m in store.messages(cid)] == ["a heapsort question, edited"]
    assert [h.conversation_id for h in store.search("heapsort")] == [cid]
    return cid


@pytest.mark.parametrize("kind", ["fifo", "directory", "link to /dev/zero", "dangling link"])
def test_not_a_file_at_the_database_path_is_moved_aside(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "c.sqlite3"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
        (path / "inside").write_text("kept")
    elif kind == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    else:
        path.symlink_to(tmp_path / "nowhere")
    store = ConversationStore(path, open_wait_s=1)
    try:
        aside = store.recovered_from
        assert aside is not None and aside.parent == tmp_path and ".corrupt-" in aside.name
        assert os.path.lexists(aside) and not os.path.lexists(tmp_path / "nowhere")  # renamed, nothing made
        if kind == "directory":
            assert (aside / "inside").read_text() == "kept"
        if kind == "link to /dev/zero":
            assert os.readlink(aside) == "/dev/zero"
        assert path.is_file() and not path.is_symlink()
        saves_and_finds(store)
    finally:
        store.close()
    again = ConversationStore(path)  # told once: the next open finds nothing to recover
    try:
        assert again.recovered_from is None
        assert [c.title for c in again.list_conversations()] == ["new"]
    finally:
        again.close()


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
@pytest.mark.parametrize("kind", ["fifo", "link to /dev/zero", "directory"])
def test_not_a_file_at_a_side_file_is_removed_and_the_data_kept(tmp_path: Path, suffix: str, kind: str) -> None:
    path = tmp_path / "c.sqlite3"
    old = saved(path)
    side = tmp_path / f"c.sqlite3{suffix}"
    if kind == "fifo":
        os.mkfifo(side)
    elif kind == "directory":
        side.mkdir()
    else:
        side.symlink_to("/dev/zero")
    store = ConversationStore(path, open_wait_s=1)
    try:
        assert store.recovered_from is None  # the database itself was sound
        assert [m.content for m in store.messages(old)] == ["the old quicksort question"]
        saves_and_finds(store)
    finally:
        store.close()
    assert os.path.exists("/dev/zero")
    assert not side.is_symlink() and not (side.exists() and not side.is_file())


def test_a_link_to_a_sound_database_is_kept(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere" / "real.sqlite3"
    real.parent.mkdir()
    old = saved(real)
    os.mkfifo(f"{real}-wal")  # SQLite keeps the WAL beside the link's target
    path = tmp_path / "c.sqlite3"
    path.symlink_to(real)
    store = ConversationStore(path, open_wait_s=1)
    try:
        assert store.recovered_from is None and path.is_symlink()
        assert [m.content for m in store.messages(old)] == ["the old quicksort question"]
        saves_and_finds(store)
    finally:
        store.close()


def test_tables_without_the_apps_columns_are_salvaged(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    db = sqlite3.connect(path)  # user_version 0: the app's IF NOT EXISTS would keep these tables
    db.execute("CREATE TABLE conversations (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("INSERT INTO conversations VALUES (7, 'theirs')")
    db.execute("CREATE TABLE messages (conversation_id INTEGER, content TEXT, role TEXT)")
    db.execute("INSERT INTO messages VALUES (7, 'a message worth keeping', 'assistant')")
    db.execute("INSERT INTO messages VALUES (9, 'an orphan note', 'user')")
    db.commit()
    db.close()
    store = ConversationStore(path)
    try:
        assert store.recovered_from is not None and store.recovered_from.exists()
        assert store.salvage is not None and (store.salvage.conversations, store.salvage.messages) == (1, 2)
        assert [(m.role, m.content) for m in store.messages(7)] == [("assistant", "a message worth keeping")]
        assert [m.content for m in store.messages(9)] == ["an orphan note"]
        assert store.conversation(9).title == "an orphan note"
        assert [h.conversation_id for h in store.search("worth")] == [7]
        saves_and_finds(store)
    finally:
        store.close()


def test_a_view_in_place_of_a_table_is_damage(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE VIEW conversations AS SELECT 1 AS id, 'x' AS title")
    db.commit()
    db.close()
    store = ConversationStore(path)
    try:
        assert store.recovered_from is not None
        saves_and_finds(store)
    finally:
        store.close()


def test_foreign_triggers_views_and_indexes_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    old = saved(path)
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TRIGGER x BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'no'); END;
        CREATE TRIGGER y BEFORE UPDATE ON conversations BEGIN SELECT RAISE(ABORT, 'no'); END;
        DROP TRIGGER messages_ai;
        CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN SELECT RAISE(ABORT, 'mine now'); END;
        CREATE VIEW spy AS SELECT content FROM messages;
        CREATE UNIQUE INDEX one_title ON conversations(model);
        CREATE TABLE notes (x TEXT);
    """)
    db.close()
    store = ConversationStore(path)
    try:
        assert store.recovered_from is None  # nothing was lost: no need to move anything aside
        assert [m.content for m in store.messages(old)] == ["the old quicksort question"]
        store.create_conversation("same model", model="m")  # the foreign unique index is gone
        saves_and_finds(store)
        assert [h.conversation_id for h in store.search("quicksort")] == [old]
    finally:
        store.close()
    db = sqlite3.connect(path)
    names = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type IN ('trigger', 'view', 'index')")}
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    db.close()
    assert names == {"messages_ai", "messages_ad", "messages_au", "messages_by_conversation"}
    assert "notes" in tables  # a table the app does not use is never read, and left alone


@pytest.mark.parametrize("fts", [
    "CREATE VIRTUAL TABLE messages_fts USING fts5(content, other)",
    "CREATE VIEW messages_fts AS SELECT 1 AS content",
    "CREATE TABLE messages_fts (content TEXT)",
])
def test_a_full_text_table_defined_otherwise_is_rebuilt(tmp_path: Path, fts: str) -> None:
    path = tmp_path / "c.sqlite3"
    old = saved(path)
    db = sqlite3.connect(path)
    db.execute("DROP TABLE messages_fts")
    db.execute(fts)
    db.commit()
    db.close()
    store = ConversationStore(path)
    try:
        assert store.recovered_from is None
        assert [h.conversation_id for h in store.search("quicksort")] == [old]  # rebuilt from the messages
        saves_and_finds(store)
    finally:
        store.close()


def test_a_table_of_an_unknown_module_is_salvaged_around(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    old = saved(path)
    db = sqlite3.connect(path)
    db.execute("DROP TABLE messages_fts")
    db.execute("PRAGMA writable_schema = ON")
    db.execute("INSERT INTO sqlite_master VALUES ('table', 'messages_fts', 'messages_fts', 0, "
               "'CREATE VIRTUAL TABLE messages_fts USING evil(content)')")
    db.commit()
    db.close()
    store = ConversationStore(path)
    try:
        assert store.recovered_from is not None
        assert [m.content for m in store.messages(old)] == ["the old quicksort question"]
        saves_and_finds(store)
    finally:
        store.close()


def test_distrusting_connections_run_no_function_named_in_the_file(tmp_path: Path) -> None:
    """The installed SQLite honours trusted_schema (3.31+): a view cannot call the app's functions."""
    path = tmp_path / "c.sqlite3"
    db = sqlite3.connect(path)
    calls: list[int] = []
    db.create_function("side_effect", 0, lambda: calls.append(1) or 1)
    db.execute("CREATE VIEW v AS SELECT side_effect() AS x")
    distrust_schema(db)
    with pytest.raises(sqlite3.OperationalError, match="unsafe use"):
        db.execute("SELECT x FROM v").fetchall()
    db.close()
    assert calls == []
