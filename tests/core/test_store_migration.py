"""Schema 1 -> 2 (branches): a database made by the schema before branches opens with nothing lost."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core.markdown_blocks import MARK_END, MARK_START
from app.core.sqlite_recovery import schema_diff
from app.core.store import _SCHEMA, ConversationStore, MessageState

# The schema as version 1 wrote it (app/core/store.py before branches), verbatim.
V1_SCHEMA = """
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


def make_v1_database(path: Path) -> Path:
    """A version 1 file with two conversations whose messages interleave by id."""
    db = sqlite3.connect(path, isolation_level=None)
    db.executescript(V1_SCHEMA)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA user_version = 1")
    db.execute("INSERT INTO conversations VALUES (1, 'Old chat', 1.0, 5.0, 'SmolLM2', 'sys')")
    db.execute("INSERT INTO conversations VALUES (2, 'Other chat', 2.0, 4.0, '', '')")
    rows = [(1, "user", "old question", "complete"), (2, "user", "other **quicksort** question", "complete"),
            (1, "assistant", "old answer", "complete"), (1, "user", "follow-up", "complete"),
            (2, "assistant", "other answer", "stopped"), (1, "assistant", "second answer", "complete")]
    for n, (cid, role, content, state) in enumerate(rows, 1):
        db.execute("INSERT INTO messages(conversation_id, role, content, state, created) VALUES (?,?,?,?,?)",
                   (cid, role, content, state, float(n)))
    db.close()
    return path


def test_a_version_1_file_becomes_version_2_with_every_conversation(tmp_path: Path, caplog) -> None:
    path = make_v1_database(tmp_path / "c.sqlite3")
    store = ConversationStore(path)
    assert not [r for r in caplog.records if r.levelname == "WARNING"]  # a migration is not a repair
    try:
        assert store.recovered_from is None  # migrated in place, not salvaged as damaged
        assert [(c.id, c.title, c.system_prompt, c.leaf_id) for c in store.list_conversations()] == [
            (1, "Old chat", "sys", None), (2, "Other chat", "", None)]
        old = store.messages(1)
        assert [m.content for m in old] == ["old question", "old answer", "follow-up", "second answer"]
        assert [m.parent_id for m in old] == [None, old[0].id, old[1].id, old[2].id]  # one branch each
        assert [m.content for m in store.branch(2)] == ["other **quicksort** question", "other answer"]
        assert store.messages(2)[1].state is MessageState.STOPPED
        hit = store.search("quicksort")[0]  # the full-text index still covers the old rows
        assert hit.conversation_id == 2 and f"{MARK_START}quicksort{MARK_END}" in hit.snippet
        new_id = store.add_message(1, "assistant", "a branch", parent_id=old[2].id)
        store.set_leaf(1, new_id)
        assert [m.content for m in store.branch(1)][-1] == "a branch"
    finally:
        store.close()
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2
        assert not schema_diff(db, _SCHEMA)  # exactly the schema a new file gets
    finally:
        db.close()
    again = ConversationStore(path)  # and it opens as its own from then on
    try:
        assert [m.content for m in again.branch(1)][-1] == "a branch"
    finally:
        again.close()


def test_search_shows_plain_text_with_the_match_marked(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "c.sqlite3")
    try:
        cid = store.create_conversation("Lists")
        store.add_message(cid, "assistant", "## Reversing\nUse **`reversed()`** or [slicing](https://x.y):\n"
                                            "```python\nitems[::-1]\n```\n- keeps the list")
        snippet = store.search("slicing")[0].snippet
        for raw in ("##", "**", "`", "](", "```", "\n"):
            assert raw not in snippet, snippet
        assert f"{MARK_START}slicing{MARK_END}" in snippet and "reversed()" in snippet
        assert store.search("lists")[0].snippet == f"{MARK_START}Lists{MARK_END}"  # a title match
    finally:
        store.close()


def test_export_closes_a_code_block_left_open(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "c.sqlite3")
    try:
        cid = store.create_conversation("Cut")
        store.add_message(cid, "user", "q")
        store.add_message(cid, "assistant", "```python\ndef f():\n", MessageState.CUT)
        store.add_message(cid, "user", "and then?")
        text = store.export_markdown(cid)
        fences = [line for line in text.splitlines() if line.startswith("```")]
        assert fences == ["```python", "```"]
        assert text.index("```\n") < text.index("## You\n\nand then?")  # the next message is outside it
    finally:
        store.close()


def test_salvage_keeps_branches_and_chains_messages_whose_parent_was_lost(tmp_path: Path) -> None:
    from app.core.store import SCHEMA_VERSION
    from app.core.store_recovery import salvage_into

    source = tmp_path / "damaged.sqlite3"
    store = ConversationStore(source)
    try:
        cid = store.create_conversation("Tree")
        q = store.add_message(cid, "user", "q")
        a1 = store.add_message(cid, "assistant", "a1")
        a2 = store.add_message(cid, "assistant", "a2", parent_id=q)  # a regeneration: a sibling of a1
        store.set_leaf(cid, a2)
        lost = store.add_message(cid, "user", "lost", parent_id=a1)
        after = store.add_message(cid, "assistant", "after the lost one", parent_id=lost)
    finally:
        store.close()
    db = sqlite3.connect(source, isolation_level=None)
    db.execute("DELETE FROM messages WHERE id = ?", (lost,))  # as if its page were unreadable
    db.close()

    salvage_into(source, tmp_path / "fresh.sqlite3", _SCHEMA, SCHEMA_VERSION)
    fresh = ConversationStore(tmp_path / "fresh.sqlite3")
    try:
        parents = {m.content: m.parent_id for m in fresh.messages(cid)}
        assert parents == {"q": None, "a1": q, "a2": q, "after the lost one": a2}  # follows the last kept
        assert [m.content for m in fresh.branch(cid)] == ["q", "a2"]  # the branch shown is kept
        assert after in {m.id for m in fresh.messages(cid)}
    finally:
        fresh.close()


@pytest.mark.parametrize("body", ["SELECT RAISE(ABORT, 'no');", "DELETE FROM messages WHERE id = NEW.id;"])
def test_a_version_1_file_with_a_foreign_update_trigger_still_migrates(tmp_path: Path, body: str) -> None:
    # The migration writes to messages: a trigger another program put there must not run (or abort it).
    path = make_v1_database(tmp_path / "c.sqlite3")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute(f"CREATE TRIGGER foreign_one AFTER UPDATE ON messages BEGIN {body} END")
    db.close()
    store = ConversationStore(path)
    try:
        assert store.recovered_from is None
        assert [m.content for m in store.branch(1)] == ["old question", "old answer", "follow-up", "second answer"]
        assert [hit.conversation_id for hit in store.search("quicksort")] == [2]  # the full-text index was rebuilt
    finally:
        store.close()
    names = [n for (n,) in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]
    assert "foreign_one" not in names
