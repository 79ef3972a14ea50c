"""Saved KV states: a prompt evaluated by one engine is reused by the next, with the same answer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.engine import LoadOptions, LocalEngine
from app.core.prompt_states import PromptStateStore
from app.core.prompts.chat import ChatMessage
from app.core.settings import SamplingSettings

CODE = "\n".join(f"def scale_{i}(x):\n    return x * {i}\n" for i in range(16))
GREEDY = SamplingSettings(temperature=0.0, max_tokens=12)


def _messages(question: str) -> list[ChatMessage]:
    return [ChatMessage("system", "You answer questions about code."),
            ChatMessage("user", f"Code:\n{CODE}\n\nQuestion: {question}")]


def _engine(path: Path, store: PromptStateStore | None) -> LocalEngine:
    engine = LocalEngine(path, chat_format="template", options=LoadOptions(context_limit=2048))
    engine.states = store
    return engine


def _ask(path: Path, store: PromptStateStore | None, question: str, scope: str = "repo"):
    engine = _engine(path, store)
    try:
        generation = engine.chat(_messages(question), GREEDY, state_scope=scope)
        return generation.text(), generation.stats
    finally:
        engine.close()


def test_a_new_engine_starts_from_the_saved_state_and_answers_the_same(smollm2_path: Path, tmp_path: Path) -> None:
    store = PromptStateStore(tmp_path / "states")
    _, first = _ask(smollm2_path, store, "What does scale_3 return?")
    assert first.reused_tokens == 0
    assert len(list((tmp_path / "states").glob("*.state"))) == 1

    answer, second = _ask(smollm2_path, store, "What does scale_7 return?")
    fresh_answer, fresh = _ask(smollm2_path, None, "What does scale_7 return?")
    # Everything up to the question came from disk, and the answer is the one a fresh evaluation gives.
    assert second.reused_tokens > second.prompt_tokens - 20
    assert fresh.reused_tokens == 0
    assert answer == fresh_answer


def test_a_damaged_state_file_is_discarded_and_the_answer_is_unaffected(smollm2_path: Path, tmp_path: Path) -> None:
    store = PromptStateStore(tmp_path / "states")
    _ask(smollm2_path, store, "What does scale_3 return?")
    state = next((tmp_path / "states").glob("*.state"))
    data = state.read_bytes()
    state.write_bytes(data[: len(data) // 3])  # a crash while writing, a full disk

    answer, stats = _ask(smollm2_path, store, "What does scale_7 return?")
    fresh_answer, _ = _ask(smollm2_path, None, "What does scale_7 return?")
    assert stats.reused_tokens == 0
    assert answer == fresh_answer
    # The damaged state was replaced by a good one for the new prompt.
    assert store.tokens(state.stem)[: stats.prompt_tokens] == _engine_tokens(smollm2_path, "What does scale_7 return?")


def _engine_tokens(path: Path, question: str) -> list[int]:
    engine = _engine(path, None)
    try:
        return engine.build_prompt(_messages(question)).tokens
    finally:
        engine.close()


def test_scopes_and_models_do_not_share_states(smollm2_path: Path, tmp_path: Path) -> None:
    store = PromptStateStore(tmp_path / "states")
    _ask(smollm2_path, store, "What does scale_3 return?", scope="repo-a")
    _, other = _ask(smollm2_path, store, "What does scale_3 return?", scope="repo-b")
    assert other.reused_tokens == 0
    assert len(list((tmp_path / "states").glob("*.state"))) == 2


def test_no_state_is_saved_beyond_the_store_bound(smollm2_path: Path, tmp_path: Path) -> None:
    store = PromptStateStore(tmp_path / "states", max_bytes=1024)
    _ask(smollm2_path, store, "What does scale_3 return?")
    assert not list((tmp_path / "states").glob("*"))


def test_pruning_deletes_the_least_recently_used_states(tmp_path: Path) -> None:
    store = PromptStateStore(tmp_path, max_bytes=250)
    for number, key in enumerate(("old", "middle", "new")):
        written = store.temporary_path(key)
        written.write_bytes(b"x" * 100)
        store.commit(key, written, [1, 2, 3])
        for path in (store.state_path(key), store.tokens_path(key)):
            os.utime(path, (1000 + number, 1000 + number))
    store.prune()
    assert store.tokens("old") == []
    assert store.tokens("middle") == [1, 2, 3] and store.tokens("new") == [1, 2, 3]
    assert not store.state_path("old").exists()


@pytest.mark.parametrize("content", [b"", b"abc"])
def test_an_unreadable_token_list_means_no_state(tmp_path: Path, content: bytes) -> None:
    store = PromptStateStore(tmp_path)
    store.state_path("k").write_bytes(b"state")
    store.tokens_path("k").write_bytes(content)
    assert store.tokens("k") == []


def test_half_written_states_left_by_a_crash_are_deleted(tmp_path: Path) -> None:
    store = PromptStateStore(tmp_path)
    stale, fresh = tmp_path / "a.1-x.tmp", store.temporary_path("b")
    for path in (stale, fresh):
        path.write_bytes(b"x" * 10)
    os.utime(stale, (1000, 1000))
    store.prune()
    assert not stale.exists() and fresh.exists()
    assert store.temporary_path("b") != fresh  # every writer has a name of its own


def test_a_model_file_deleted_while_loaded_does_not_break_questions(smollm2_path: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "model.gguf"
    shutil.copy(smollm2_path, copy)
    store = PromptStateStore(tmp_path / "states")
    engine = _engine(copy, store)
    try:
        copy.unlink()  # the Models window allows removing it
        assert engine.chat(_messages("What does scale_3 return?"), GREEDY, state_scope="repo").text()
    finally:
        engine.close()
    assert not list((tmp_path / "states").glob("*.state"))
