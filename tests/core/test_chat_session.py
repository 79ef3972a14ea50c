"""The chat session without Qt: the prompt it builds, taking turns back, and saving to a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.core.chat import ChatSession, SessionBusyError
from app.core.errors import StoreError
from app.core.prompts.chat import ChatMessage
from app.core.store import ConversationStore, MessageState

SYSTEM = "You are terse."


def answered(session: ChatSession, question: str, answer: str,
             state: MessageState = MessageState.COMPLETE) -> list[ChatMessage]:
    session.add_user(question)
    prompt = session.start_answer()
    session.stream(answer[:1])
    session.finish_answer(state, answer)
    return prompt


def pairs(messages: list[ChatMessage]) -> list[tuple[str, str]]:
    return [(m.role, m.content) for m in messages]


@pytest.fixture
def store(tmp_path: Path):
    store = ConversationStore(tmp_path / "c.sqlite3", busy_timeout_s=0.1)
    yield store
    store.close()


def save(session: ChatSession, store: ConversationStore) -> bool:
    snapshot = session.save_snapshot("Model X")
    assert snapshot is not None
    created = snapshot(store)
    session.saved(snapshot)
    return created


def stored(store: ConversationStore) -> list[tuple[str, str, str]]:
    return [(m.role, m.content, m.state.value) for c in store.list_conversations() for m in store.messages(c.id)]


def test_prompt_alternates_and_leaves_failed_answers_out() -> None:
    session = ChatSession(SYSTEM)
    assert answered(session, "first", "one") == [ChatMessage("system", SYSTEM), ChatMessage("user", "first")]
    answered(session, "second", "the model failed", MessageState.FAILED)
    prompt = answered(session, "second, again", "two")
    assert pairs(prompt) == [("system", SYSTEM), ("user", "first"), ("assistant", "one"), ("user", "second, again")]
    assert [t.role for t in session.turns] == ["user", "assistant"] * 3
    session.system_prompt = "  "
    assert session.prompt_messages()[0] == ChatMessage("user", "first")  # a blank system prompt is left out


def test_empty_answer_is_left_out_and_title_is_the_first_question() -> None:
    session = ChatSession()
    assert session.title == "New chat"
    answered(session, "  How do I\n reverse   a list? " + "x" * 80, "", MessageState.STOPPED)
    assert session.title == "How do I reverse a list"  # the first sentence, not the message verbatim
    assert [m.role for m in session.prompt_messages()] == ["user"]


def test_a_streaming_session_refuses_changes() -> None:
    session = ChatSession()
    session.add_user("q")
    session.start_answer()
    assert session.answering and session.answer is session.turns[-1]
    session.stream("partial")
    assert session.turns[-1].text == "partial" and session.turns[-1].state is MessageState.STREAMING
    with pytest.raises(SessionBusyError):
        session.add_user("another")
    assert not session.regenerate() and session.edit_last() is None and not session.can_regenerate
    assert session.finish_answer(MessageState.STOPPED).text == "partial"
    assert not session.answering and session.can_regenerate
    with pytest.raises(ValueError):
        session.start_answer()  # an answer needs a user turn before it


def test_regenerate_keeps_the_last_answer_as_a_branch(store) -> None:
    session = ChatSession(SYSTEM)
    answered(session, "q", "first answer")
    save(session, store)
    assert session.regenerate()
    assert [t.role for t in session.turns] == ["user"]
    prompt = session.start_answer()
    assert pairs(prompt) == [("system", SYSTEM), ("user", "q")]
    session.finish_answer(MessageState.COMPLETE, "second answer")
    save(session, store)
    assert stored(store) == [("user", "q", "complete"), ("assistant", "first answer", "complete"),
                             ("assistant", "second answer", "complete")]
    assert session.branches(1) == (2, 2)


def test_edit_last_makes_a_branch_once_the_edit_is_sent(store) -> None:
    session = ChatSession()
    answered(session, "first", "one")
    answered(session, "second", "two")
    save(session, store)
    assert session.edit_last() == "second"
    assert [t.text for t in session.turns] == ["first", "one"]
    assert not save(session, store)
    assert len(stored(store)) == 4  # not sent yet: the stored conversation is unchanged
    cid = store.list_conversations()[0].id
    assert [m.content for m in store.branch(cid)] == ["first", "one", "second", "two"]
    answered(session, "second, edited", "two again")
    save(session, store)
    assert [text for _r, text, _s in stored(store)] == ["first", "one", "second", "two", "second, edited", "two again"]
    assert [m.content for m in store.branch(cid)] == ["first", "one", "second, edited", "two again"]


def test_an_edit_given_up_leaves_the_store_as_it_was(store) -> None:
    session = ChatSession()
    answered(session, "only", "answer")
    save(session, store)
    assert session.edit_last() == "only" and session.turns == []
    assert not save(session, store)  # the stored branch still ends on the old answer
    session.reset("new system")
    assert session.save_snapshot() is None  # nothing to write: nothing is deleted
    assert len(stored(store)) == 2 and session.system_prompt == "new system"
    assert session.conversation.id is None


def test_save_is_idempotent_and_writes_only_changes(store) -> None:
    session = ChatSession(SYSTEM)
    session.add_user("q")
    session.start_answer()
    assert save(session, store)  # created the conversation
    session.stream("partial")
    assert not save(session, store)
    assert stored(store)[1] == ("assistant", "partial", "streaming")
    session.finish_answer(MessageState.COMPLETE, "whole")
    snapshot = session.save_snapshot()
    assert snapshot(store) is True  # the first exchange is complete: the list shows its title
    assert snapshot(store) is False  # a repeat writes nothing more
    conversation = store.list_conversations()[0]
    assert (conversation.title, conversation.model, conversation.system_prompt) == ("Q", "Model X", SYSTEM)
    assert stored(store) == [("user", "q", "complete"), ("assistant", "whole", "complete")]
    updated = conversation.updated
    save(session, store)
    assert store.list_conversations()[0].updated == updated  # nothing changed, nothing written


def test_a_failed_write_is_caught_up_by_the_next_save(store) -> None:
    session = ChatSession()
    answered(session, "first", "one")
    save(session, store)
    session.regenerate()
    session.start_answer()
    session.finish_answer(MessageState.FAILED, "")
    save(session, store)
    assert session.regenerate()  # the failed answer is dropped, not kept as a branch
    assert session.branches(0) == (1, 1) and len(session.save_snapshot().deletes) == 1
    session.start_answer()
    session.finish_answer(MessageState.COMPLETE, "one again")
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        snapshot = session.save_snapshot()
        with pytest.raises(StoreError, match="locked"):
            snapshot(store)  # the delete of the failed answer fails: it stays owed
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    answered(session, "second", "two")
    save(session, store)
    assert [text for _r, text, _s in stored(store)] == ["first", "one", "one again", "second", "two"]
    assert session.save_snapshot().deletes == ()


class FlakyStore(ConversationStore):
    """A real store whose next add_message fails once (as a lock held too long would)."""

    fail_next_add = False

    def add_message(self, *args, **kwargs) -> int:
        if self.fail_next_add:
            self.fail_next_add = False
            raise StoreError("The conversation database is locked.")
        return super().add_message(*args, **kwargs)


def test_a_write_failing_halfway_creates_nothing_twice(tmp_path: Path) -> None:
    store = FlakyStore(tmp_path / "c.sqlite3")
    try:
        session = ChatSession()
        session.add_user("q")
        session.start_answer()
        store.fail_next_add = True
        with pytest.raises(StoreError):
            session.save_snapshot()(store)  # the conversation row is written, the message is not
        session.finish_answer(MessageState.COMPLETE, "a")
        save(session, store)  # the conversation exists already: not created again
        assert len(store.list_conversations()) == 1
        assert stored(store) == [("user", "q", "complete"), ("assistant", "a", "complete")]
    finally:
        store.close()


def test_loading_a_stored_conversation_and_continuing_it(tmp_path: Path) -> None:
    first = ConversationStore(tmp_path / "c.sqlite3")
    cid = first.create_conversation("old", "m", "Stored system prompt")
    first.add_message(cid, "user", "q")
    first.add_message(cid, "assistant", "cut", MessageState.STREAMING)
    first.close()  # as if the app died while it streamed
    reopened = ConversationStore(tmp_path / "c.sqlite3")  # the streaming row is found interrupted
    try:
        session = ChatSession("the default system prompt")
        session.load(reopened.conversation(cid), reopened.messages(cid))
        assert session.conversation.id == cid and session.system_prompt == "Stored system prompt"
        assert [(t.role, t.text, t.state) for t in session.turns] == [
            ("user", "q", MessageState.COMPLETE), ("assistant", "cut", MessageState.INTERRUPTED)]
        assert not save(session, reopened)  # loaded rows are known to be saved: nothing written
        assert session.regenerate()
        session.start_answer()
        session.finish_answer(MessageState.COMPLETE, "whole")
        save(session, reopened)
        assert [(m.content, m.state) for m in reopened.branch(cid)] == [
            ("q", MessageState.COMPLETE), ("whole", MessageState.COMPLETE)]
        assert len(reopened.messages(cid)) == 3  # the cut answer stays, a branch beside the new one
        assert len(reopened.list_conversations()) == 1
    finally:
        reopened.close()


def test_a_history_given_whole_for_a_server() -> None:
    session = ChatSession.from_messages([ChatMessage("system", SYSTEM), ChatMessage("user", "a"),
                                         ChatMessage("assistant", "b"), ChatMessage("user", "c")])
    prompt = session.start_answer()
    assert pairs(prompt) == [("system", SYSTEM), ("user", "a"), ("assistant", "b"), ("user", "c")]
    session.stream("d")
    assert session.finish_answer(MessageState.COMPLETE).text == "d"
