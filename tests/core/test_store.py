"""Conversations in a real SQLite file, including a process killed mid-answer."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.errors import StoreError
from app.core.markdown_blocks import MARK_END, MARK_START
from app.core.store import ConversationStore, MessageState


@pytest.fixture
def store(tmp_path: Path) -> ConversationStore:
    s = ConversationStore(tmp_path / "c.sqlite3")
    yield s
    s.close()


def test_conversation_round_trip(store: ConversationStore) -> None:
    cid = store.create_conversation("Strings", model="smollm2", system_prompt="Be brief")
    store.add_message(cid, "user", "How do I reverse a string?")
    mid = store.add_message(cid, "assistant", "", state=MessageState.STREAMING)
    store.update_message(mid, "Use s[::-1]", MessageState.COMPLETE)
    messages = store.messages(cid)
    assert [(m.role, m.content, m.state) for m in messages] == [
        ("user", "How do I reverse a string?", MessageState.COMPLETE), ("assistant", "Use s[::-1]", MessageState.COMPLETE)]
    assert store.conversation(cid).system_prompt == "Be brief"
    store.rename(cid, "Reversing")
    assert store.list_conversations()[0].title == "Reversing"


def test_states_are_stored_as_their_old_strings_and_unknown_ones_read_as_interrupted(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    store = ConversationStore(path)
    cid = store.create_conversation("States")
    store.add_message(cid, "assistant", "cut", state=MessageState.STOPPED)
    store.add_message(cid, "assistant", "later", state=MessageState.COMPLETE)
    store.close()
    with sqlite3.connect(path) as db:  # a file written by an older or newer version
        assert [r[0] for r in db.execute("SELECT state FROM messages ORDER BY id")] == ["stopped", "complete"]
        db.execute("UPDATE messages SET state = 'paraphrased' WHERE content = 'later'")
    db.close()
    store = ConversationStore(path)
    try:
        assert [m.state for m in store.messages(cid)] == [MessageState.STOPPED, MessageState.INTERRUPTED]
        assert "## Assistant (stopped)" in store.export_markdown(cid)
    finally:
        store.close()


def test_newest_first_and_delete(store: ConversationStore) -> None:
    a = store.create_conversation("a")
    b = store.create_conversation("b")
    store.add_message(a, "user", "bump")  # a is now the most recently updated
    assert [c.id for c in store.list_conversations()] == [a, b]
    store.delete_conversation(a)
    assert [c.id for c in store.list_conversations()] == [b]
    assert store.messages(a) == []


def test_delete_from_for_regenerate(store: ConversationStore) -> None:
    cid = store.create_conversation("x")
    store.add_message(cid, "user", "q1")
    store.add_message(cid, "assistant", "a1")
    q2 = store.add_message(cid, "user", "q2")
    a2 = store.add_message(cid, "assistant", "a2")
    store.delete_messages([q2, a2])
    assert [m.content for m in store.messages(cid)] == ["q1", "a1"]


def test_search(store: ConversationStore) -> None:
    a = store.create_conversation("Sorting")
    store.add_message(a, "user", "How does quicksort partition work?")
    b = store.create_conversation("Regex help")
    store.add_message(b, "assistant", "Use re.compile for patterns")
    assert [h.conversation_id for h in store.search("quicksort")] == [a]
    assert [h.conversation_id for h in store.search("quick")] == [a]  # prefix match
    assert [h.conversation_id for h in store.search("regex")] == [b]  # title match
    assert store.search("") == []
    assert store.search('"unbalanced AND (') == []  # user text never breaks FTS5 syntax
    assert f"{MARK_START}quicksort{MARK_END}" in store.search("quicksort")[0].snippet


def test_export_markdown(store: ConversationStore) -> None:
    cid = store.create_conversation("Export me", model="m", system_prompt="sys")
    store.add_message(cid, "user", "q")
    store.add_message(cid, "assistant", "```python\nprint(1)\n```", state=MessageState.INTERRUPTED)
    text = store.export_markdown(cid)
    assert text.startswith("# Export me")
    assert "## You\n\nq" in text and "## Assistant (interrupted)" in text and "print(1)" in text


def test_corrupt_database_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"this is not sqlite at all" * 100)
    store = ConversationStore(path)
    try:
        assert store.recovered_from is not None and store.recovered_from.exists()
        assert store.recovered_from.read_bytes().startswith(b"this is not sqlite")  # nothing lost
        assert store.list_conversations() == []
    finally:
        store.close()


def test_locked_database_gives_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    store = ConversationStore(path, busy_timeout_s=0.1)
    cid = store.create_conversation("x")
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked") as info:
            store.add_message(cid, "user", "hello")
        assert info.value.retryable
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    store.add_message(cid, "user", "hello")  # works again once released
    store.close()


WRITER = """
import sys, time
from pathlib import Path
from app.core.store import ConversationStore, MessageState
store = ConversationStore(Path(sys.argv[1]))
cid = store.create_conversation("crash")
store.add_message(cid, "user", "tell me")
mid = store.add_message(cid, "assistant", "", state=MessageState.STREAMING)
text = ""
for i in range(100000):
    text += f"token{i} "
    store.update_message(mid, text)
    if i == 50:
        print("ready", flush=True)
"""


def test_killed_mid_answer_keeps_partial_text(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    store = ConversationStore(path)
    try:
        conv = store.list_conversations()[0]
        user, answer = store.messages(conv.id)
        assert user.content == "tell me"
        assert answer.state == MessageState.INTERRUPTED
        assert answer.content.startswith("token0 token1 ") and len(answer.content.split()) > 50
    finally:
        store.close()
