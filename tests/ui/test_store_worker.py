"""The conversation database through the store thread: locked at start or damaged mid-session,
nothing is hidden or lost and the user is told once."""

from __future__ import annotations

import sqlite3

from app.core import sqlite_recovery
from app.core.store import ConversationStore, MessageState
from tests.core.test_store_recovery import fill, pages_of, smash
from tests.ui.test_chat_pane import send


def test_database_locked_when_the_app_starts(qtbot, make_window, app_home) -> None:
    path = app_home / "data" / "conversations.sqlite3"
    path.parent.mkdir(parents=True)
    earlier = ConversationStore(path)
    cid = earlier.create_conversation("Earlier chat")
    earlier.add_message(cid, "user", "q")
    earlier.add_message(cid, "assistant", "cut short", state=MessageState.STREAMING)  # opening must write: mark it
    earlier.close()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        window = make_window()
        qtbot.waitUntil(lambda: "locked" in window.banner.label.text(), timeout=15000)
        send(qtbot, window, "Question while locked")
        assert window.chat.list_model.rowCount() == 0  # not yet readable
        assert "saved" in window.banner.label.text()  # one message says what will happen
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    # Once it is free, the history appears and the chat typed meanwhile is saved.
    qtbot.waitUntil(lambda: window.chat.list_model.rowCount() == 2, timeout=20000)
    store = ConversationStore(path)
    try:
        titles = {c.title: [(m.role, m.state) for m in store.messages(c.id)] for c in store.list_conversations()}
    finally:
        store.close()
    assert titles["Earlier chat"] == [("user", MessageState.COMPLETE), ("assistant", MessageState.INTERRUPTED)]
    assert [role for role, _state in titles["Question while locked"]] == ["user", "assistant"]


def test_damage_found_mid_session_is_told_once_and_saves_go_on(qtbot, make_window, app_home, monkeypatch) -> None:
    path = app_home / "data" / "conversations.sqlite3"
    path.parent.mkdir(parents=True)
    first = next(iter(fill(path, conversations=10, per=12)))
    smash(path, pages_of(path, "messages_fts_data"))
    monkeypatch.setattr(sqlite_recovery, "CHECK_AT_OPEN_MAX_BYTES", 0)  # found by a save, not at open
    window = make_window(load=False)
    told: list[str] = []
    window.store.recovered.connect(told.append)
    saved: list[int] = []
    with qtbot.waitSignal(window.store.recovered, timeout=10000):
        window.store.submit(lambda store: store.add_message(first, "user", "typed after the damage"), saved.append)
    window.store.submit(lambda store: store.add_message(first, "assistant", "and the answer"), saved.append)
    qtbot.waitUntil(lambda: len(saved) == 2, timeout=10000)
    assert len(told) == 1 and "damaged" in window.banner.label.text()
    assert any(p.name.startswith("conversations.corrupt-") for p in path.parent.iterdir())
    store = ConversationStore(path)
    try:
        texts = [m.content for m in store.messages(first)]
    finally:
        store.close()
    assert len(texts) == 14 and texts[-2:] == ["typed after the damage", "and the answer"]
