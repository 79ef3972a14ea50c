"""Branches, Continue, titles and the context count of a ChatSession, stored in a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.chat import ChatSession
from app.core.chat.session import CONTINUE_PROMPT
from app.core.chat.titles import make_title
from app.core.engine_types import GenerationStats
from app.core.errors import UserError
from app.core.prompts.chat import ChatMessage
from app.core.store import ConversationStore, MessageState


@pytest.fixture
def store(tmp_path: Path):
    store = ConversationStore(tmp_path / "c.sqlite3")
    yield store
    store.close()


def answered(session: ChatSession, question: str, answer: str, stop_reason: str = "end") -> None:
    session.add_user(question)
    session.start_answer()
    session.finish_answer(MessageState.COMPLETE, answer, GenerationStats(stop_reason=stop_reason))


def save(session: ChatSession, store: ConversationStore) -> None:
    snapshot = session.save_snapshot("m")
    snapshot(store)
    session.saved(snapshot)


def texts(session: ChatSession) -> list[str]:
    return [t.text for t in session.turns]


def reopened(store: ConversationStore, cid: int) -> ChatSession:
    session = ChatSession()
    session.load(store.conversation(cid), store.messages(cid))
    return session


def test_edit_any_message_and_regenerate_any_answer_keep_branches(store) -> None:
    session = ChatSession()
    answered(session, "first", "one")
    answered(session, "second", "two")
    save(session, store)
    cid = session.conversation.id

    assert session.edit(0) == "first" and session.turns == []  # the first question, not only the last
    answered(session, "first, edited", "one b")
    assert texts(session) == ["first, edited", "one b"] and session.branches(0) == (2, 2)
    assert session.switch_branch(0, -1)  # back to the old version, with what followed it
    assert texts(session) == ["first", "one", "second", "two"]
    assert session.regenerate(1)  # an answer in the middle
    session.start_answer()
    session.finish_answer(MessageState.COMPLETE, "one again")
    assert texts(session) == ["first", "one again"] and session.branches(1) == (2, 2)
    save(session, store)

    back = reopened(store, cid)  # the branch shown is stored, and every version is there
    assert texts(back) == ["first", "one again"]
    assert back.branches(0) == (1, 2) and back.branches(1) == (2, 2)
    assert back.switch_branch(1, -1) and texts(back) == ["first", "one", "second", "two"]
    assert not back.switch_branch(1, -1)  # no version before the first
    assert back.switch_branch(0, +1) and texts(back) == ["first, edited", "one b"]
    assert back.switch_branch(0, -1) and texts(back) == ["first", "one", "second", "two"]  # remembered below
    save(back, store)
    assert [m.content for m in store.branch(cid)] == ["first", "one", "second", "two"]
    assert len(store.messages(cid)) == 7


def test_an_edit_given_up_shows_the_branch_again(store) -> None:
    session = ChatSession()
    answered(session, "q", "a")
    save(session, store)
    session.edit(0)
    session.cancel_edit()
    assert texts(session) == ["q", "a"] and not session.editing


def test_regenerate_while_editing_gives_up_the_edit_first(store) -> None:
    session = ChatSession()
    answered(session, "first", "one")
    answered(session, "second", "two")
    save(session, store)
    cid = session.conversation.id
    assert session.edit(2) == "second" and session.editing
    assert session.regenerate(1)  # Regenerate on the first answer while the second question is edited
    assert not session.editing
    session.start_answer()
    session.finish_answer(MessageState.COMPLETE, "one again")
    assert texts(session) == ["first", "one again"]
    save(session, store)
    assert [m.content for m in store.branch(cid)] == ["first", "one again"]  # it reopens on the new answer
    session.cancel_edit()  # nothing left to give up: the branch shown stays one path
    assert texts(session) == ["first", "one again"]


def test_continue_while_editing_continues_the_answer_shown_whole(store) -> None:
    session = ChatSession()
    answered(session, "q", "cut", stop_reason="length")
    session.edit(0)
    prompt = session.continue_answer()
    assert not session.editing and prompt[-2] == ChatMessage("assistant", "cut")


def test_an_answer_cut_by_the_limit_is_marked_and_continued_in_place(store) -> None:
    session = ChatSession()
    answered(session, "Write a loop", "Here:\n```python\nfor i in range(3):\n", stop_reason="length")
    answer = session.turns[-1]
    assert answer.state is MessageState.CUT and session.can_continue
    prompt = session.continue_answer()
    assert prompt[-2] == ChatMessage("assistant", "Here:\n```python\nfor i in range(3):\n")
    assert prompt[-1] == ChatMessage("user", CONTINUE_PROMPT)
    session.stream("    print(i)")
    assert answer.text.endswith("range(3):\n    print(i)") and answer.state is MessageState.STREAMING
    session.finish_answer(MessageState.COMPLETE, "    print(i)\n```", GenerationStats(stop_reason="end"),
                          figures="0.1 s to first token")
    assert session.turns[-1] is answer and len(session.turns) == 2  # the same answer, appended to
    assert answer.text == "Here:\n```python\nfor i in range(3):\n    print(i)\n```"
    assert answer.state is MessageState.COMPLETE and not session.can_continue
    save(session, store)
    stored = store.messages(session.conversation.id)[-1]
    assert (stored.content, stored.state, stored.figures) == (answer.text, MessageState.COMPLETE, "0.1 s to first token")


def test_a_cut_answer_is_stored_as_cut(store) -> None:
    session = ChatSession()
    answered(session, "q", "partial", stop_reason="length")
    save(session, store)
    assert reopened(store, session.conversation.id).can_continue
    assert "## Assistant (cut)" in store.export_markdown(session.conversation.id)


def test_title_from_the_first_exchange_is_short_unique_and_yields_to_a_rename(store) -> None:
    first = "Hi! Can you please write me a function that checks whether a number is prime?"
    answer = "Sure:\n```python\ndef is_prime(n):\n    ...\n```"
    for _ in range(2):
        session = ChatSession()
        answered(session, first, answer)
        save(session, store)
    titles = sorted(c.title for c in store.list_conversations())
    assert titles == ["Function that checks whether a number is prime (Python)",
                      "Function that checks whether a number is prime (Python) (2)"]

    session = ChatSession()
    session.add_user(first)
    session.start_answer()
    save(session, store)  # created with the question's title while the answer streams
    store.rename(session.conversation.id, session.rename("  My   primes  "))
    session.finish_answer(MessageState.COMPLETE, answer)
    save(session, store)
    assert store.conversation(session.conversation.id).title == "My primes"  # the rename stays
    assert session.rename("   ") is None


def test_titles_are_not_the_first_message_verbatim() -> None:
    assert make_title("Write a Python function that reverses a string", "") == "Python function that reverses a string"
    assert make_title("How do I read a file in chunks? I tried open()", "") == "How do I read a file in chunks"
    assert make_title("Please explain this\n```js\nx => x\n```", "```js\nx\n```") == "Explain this (JavaScript)"
    assert make_title("   ", "") == "New chat"


def test_v1_database_is_migrated_keeping_conversations(tmp_path: Path) -> None:
    from tests.core.test_store_migration import make_v1_database

    path = make_v1_database(tmp_path / "old.sqlite3")
    store = ConversationStore(path)
    try:
        cid = store.list_conversations()[0].id
        session = reopened(store, cid)
        assert texts(session) == ["old question", "old answer", "follow-up", "second answer"]
        session.edit(2)
        answered(session, "follow-up, edited", "new answer")
        save(session, store)
        assert [m.content for m in store.branch(cid)] == ["old question", "old answer", "follow-up, edited",
                                                          "new answer"]
        assert reopened(store, cid).branches(2) == (2, 2)
    finally:
        store.close()


@pytest.mark.model
def test_a_reopened_conversation_can_be_counted(store, smollm2_engine) -> None:
    session = ChatSession("Be brief.")
    answered(session, "Say hi", "Hi! " * 40)
    save(session, store)
    back = reopened(store, session.conversation.id)
    with pytest.raises(UserError):
        smollm2_engine.prompt_tokens(back.prompt_messages())  # why the meter read 0: it ends on the answer
    counted = smollm2_engine.prompt_tokens(back.count_messages())
    history = smollm2_engine.prompt_tokens(back.prompt_messages()[:-1])
    assert counted > history + 40  # the answer's tokens are in the count
    assert ChatSession().count_messages() == []  # nothing to count in an empty conversation


def test_retitle_counts_titles_with_like_wildcards_exactly(store) -> None:
    ids = [store.create_conversation("New chat") for _ in range(3)]
    assert [store.retitle(i, "100% _done", "New chat") for i in ids] == [
        "100% _done", "100% _done (2)", "100% _done (3)"]
    assert store.retitle(ids[0], "Other", "New chat") is None  # no longer the app's own title: left alone
