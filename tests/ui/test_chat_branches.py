"""The chat pane on the real model, offscreen: versions of messages, Continue, the meter, titles, search."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.core.markdown_blocks import MARK_END, MARK_START
from app.core.store import ConversationStore, MessageState
from app.ui.chat.conversation_list import MarkedRole

pytestmark = pytest.mark.model


def send(qtbot, window, text: str, timeout: int = 60000) -> None:
    window.chat.composer.setPlainText(text)
    with qtbot.waitSignal(window.inference.finished, timeout=timeout):
        qtbot.keyClick(window.chat.composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def click(qtbot, button) -> None:
    qtbot.waitUntil(button.isVisible, timeout=3000)  # views added to a shown window appear on the next loop
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def texts(window) -> list[str]:
    return [t.text for t in window.chat.entries]


def stored_count(window) -> int:
    store = ConversationStore(window.ctx.paths.database)
    try:
        return sum(len(store.messages(c.id)) for c in store.list_conversations())
    finally:
        store.close()


def test_edit_any_message_regenerate_any_answer_and_flip_through_versions(qtbot, make_window) -> None:
    window = make_window()
    send(qtbot, window, "Name a color.")
    send(qtbot, window, "Name a fruit.")
    original = texts(window)
    views = window.chat.message_views()
    assert views[0].branch_label.isHidden()  # one version: no "< 1/1 >"

    click(qtbot, views[0].action_button)  # Edit on the FIRST question
    assert window.chat.entries == [] and window.chat.composer.toPlainText() == "Name a color."
    qtbot.keyClick(window.chat.composer, Qt.Key.Key_Escape)  # given up: everything is back
    assert texts(window) == original and window.chat.composer.toPlainText() == ""
    click(qtbot, window.chat.message_views()[0].action_button)
    assert window.chat.entries == [] and window.chat.composer.toPlainText() == "Name a color."
    send(qtbot, window, "Name an animal.")
    first = window.chat.message_views()[0]
    assert texts(window)[0] == "Name an animal." and first.branch_label.text() == "2/2"

    with qtbot.waitSignal(window.inference.finished, timeout=60000):
        click(qtbot, window.chat.message_views()[1].action_button)  # Regenerate that answer
    assert window.chat.message_views()[1].branch_label.text() == "2/2"
    click(qtbot, window.chat.message_views()[0].previous_button)  # back to the first version
    assert texts(window) == original and window.chat.message_views()[0].branch_label.text() == "1/2"
    qtbot.waitUntil(lambda: stored_count(window) == 7, timeout=5000)  # 4 + edit, its answer, a regeneration

    conversation = window.chat.session.conversation.id
    window.chat.new_chat()
    window.chat.open_conversation(conversation)  # reopens on the version shown last
    qtbot.waitUntil(lambda: texts(window) == original, timeout=5000)
    assert window.chat.message_views()[0].branch_label.text() == "1/2"
    click(qtbot, window.chat.message_views()[0].next_button)
    assert texts(window)[0] == "Name an animal." and window.chat.message_views()[1].branch_label.text() == "2/2"


def test_an_answer_cut_by_the_token_limit_is_marked_and_continued(qtbot, make_window) -> None:
    window = make_window()
    window.ctx.update_settings(sampling={"temperature": 0.0, "seed": 7, "max_tokens": 12})
    send(qtbot, window, "Explain in detail how a hash table works.")
    answer = window.chat.entries[-1]
    view = window.chat.message_views()[-1]
    assert answer.state is MessageState.CUT and "cut off" in view.who.text()
    assert "to first token" in view.figures.text() and "tokens/s" in view.figures.text()  # quietly, under it
    cut_text = answer.text
    with qtbot.waitSignal(window.inference.finished, timeout=60000):
        click(qtbot, view.continue_button)
    assert len(window.chat.entries) == 2 and window.chat.entries[-1] is answer  # the same answer
    assert answer.text.startswith(cut_text) and len(answer.text) > len(cut_text)
    assert window.chat.message_views()[-1].text == answer.text
    qtbot.waitUntil(lambda: stored_count(window) == 2, timeout=5000)


def test_meter_counts_a_reopened_conversation_and_says_when_no_model_is_loaded(qtbot, make_window, app_home) -> None:
    store = ConversationStore(app_home / "data" / "conversations.sqlite3")
    cid = store.create_conversation("Old")
    store.add_message(cid, "user", "Say hello")
    store.add_message(cid, "assistant", "Hello there! " * 30)  # the last message is the answer
    store.close()
    window = make_window(load=False)
    assert window.chat.meter.text() == "No model loaded"  # not "0 / 1 tokens"
    window.chat.open_conversation(cid)
    qtbot.waitUntil(lambda: len(window.chat.entries) == 2, timeout=5000)
    assert window.chat.meter.text() == "No model loaded"
    with qtbot.waitSignal(window.inference.counted, timeout=30000):
        with qtbot.waitSignal(window.inference.loaded, timeout=30000):
            with qtbot.waitSignal(window.inference.loading, timeout=30000):
                window.inference.load(window.ctx.settings.chat_model)
            assert window.chat.meter.text() == "Loading the model…"
    qtbot.waitUntil(lambda: window.chat.meter.value() > 60, timeout=5000)  # the answer's tokens count
    assert window.chat.meter.maximum() == 2048


def test_title_from_the_first_exchange_rename_and_plain_search(qtbot, make_window) -> None:
    window = make_window()
    send(qtbot, window, "Hi! Can you please write a Python function that reverses a string?")
    model = window.chat.list_model
    qtbot.waitUntil(lambda: [r.title for r in model.rows] == ["Python function that reverses a string"], timeout=5000)

    model.setData(model.index(0), "  String   reversal ", Qt.ItemDataRole.EditRole)  # what the inline editor does
    qtbot.waitUntil(lambda: [r.title for r in model.rows] == ["String reversal"], timeout=5000)
    store = ConversationStore(window.ctx.paths.database)
    try:
        assert store.list_conversations()[0].title == "String reversal"
    finally:
        store.close()

    window.chat.search.setText("reverses")
    qtbot.waitUntil(lambda: model.rowCount() == 1 and MARK_START in model.rows[0].detail, timeout=5000)
    shown = model.data(model.index(0))
    assert "```" not in shown and "**" not in shown and MARK_START not in shown
    assert f"<b>{model.rows[0].detail.split(MARK_START)[1].split(MARK_END)[0]}</b>" in model.data(model.index(0),
                                                                                                    MarkedRole)


def test_a_long_prompt_shows_how_much_of_it_is_read(qtbot, make_window) -> None:
    window = make_window()
    seen: list[str] = []
    window.inference.prompt_progress.connect(
        lambda *_args: seen.append(window.chat.message_views()[-1].figures.text()))  # after the pane's own slot
    long_question = "Summarise this log:\n" + "".join(f"line {n}: request served in {n % 7} ms\n" for n in range(48))
    send(qtbot, window, long_question, timeout=180000)  # more than one batch of 512 (a busy 2-core CPU is slow)
    assert any(text.startswith("Reading the prompt… ") and text.endswith("%") for text in seen), seen
    figures = window.chat.message_views()[-1].figures.text()
    assert "to first token" in figures and "tokens" in figures and "Reading" not in figures
