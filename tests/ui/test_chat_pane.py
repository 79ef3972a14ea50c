"""The chat pane driven like a person would, on the real model, offscreen."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from app.core.store import ConversationStore, MessageState
from app.ui.chat.message_view import CodeBlockView, MessageView

COMPLETE_PAIR = [("user", MessageState.COMPLETE), ("assistant", MessageState.COMPLETE)]


def send(qtbot, window, text: str, timeout: int = 60000) -> None:
    window.chat.composer.setPlainText(text)
    with qtbot.waitSignal(window.inference.finished, timeout=timeout):
        qtbot.keyClick(window.chat.composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def stored(window) -> list[tuple[str, MessageState]]:
    store = ConversationStore(window.ctx.paths.database)
    try:
        conv = store.list_conversations()
        return [(m.role, m.state) for c in conv for m in store.messages(c.id)]
    finally:
        store.close()


def saved_settings(path) -> dict:
    """The settings file as last written (saved in the background, soon after a change)."""
    return json.loads(path.read_text()) if path.exists() else {}


def test_chat_streams_highlights_and_persists(qtbot, make_window) -> None:
    # Room for the whole answer: greedy decoding's exact wording (and so its length, about 95 tokens
    # here) differs between CPUs, and an answer cut by the limit is another test's subject.
    window = make_window(sampling={"temperature": 0.0, "seed": 7, "max_tokens": 256})
    send(qtbot, window, "Write a Python function that reverses a string")
    entries = window.chat.entries
    assert [e.role for e in entries] == ["user", "assistant"]
    assert entries[1].state is MessageState.COMPLETE and entries[1].text.strip()
    answer_view = window.chat.message_views()[1]
    blocks = answer_view.code_blocks()
    assert blocks, entries[1].text
    assert blocks[0].highlighted and "<span" in blocks[0].view.toHtml()
    qtbot.waitUntil(lambda: stored(window) == COMPLETE_PAIR, timeout=5000)
    qtbot.waitUntil(lambda: window.chat.list_model.rowCount() == 1, timeout=5000)
    assert window.chat.meter.value() > 0 and window.chat.meter.maximum() == 2048
    assert "SmolLM2" in window.model_label.text() and "CPU" in window.model_label.text()


def test_copy_buttons(qtbot, make_window) -> None:
    make_window(load=False)
    view = MessageView("assistant", "Text\n```python\nprint('hi')\n```", style="friendly")
    qtbot.addWidget(view)
    code = view.code_blocks()[0]
    qtbot.mouseClick(code.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "print('hi')"
    qtbot.mouseClick(view.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "Text\n```python\nprint('hi')\n```"


def test_highlighting_languages_and_styles(qtbot) -> None:
    for language in ("rust", "js", "haskell", "nosuchlanguage", ""):
        view = CodeBlockView(__import__("app.core.markdown_blocks", fromlist=["Block"]).Block(
            "code", "fn main() { let x = 1; }", language), "monokai")
        qtbot.addWidget(view)
        assert view.highlighted
        assert "fn main" in view.view.toPlainText()
    assert view.label.text()  # unlabeled code gets a guessed or plain label


def start_long_answer(qtbot, make_window):
    """A window whose answer has started streaming and has far to go."""
    window = make_window()
    window.ctx.update_settings(sampling={"max_tokens": 1000})
    window.chat.composer.setPlainText("Count from 1 to 500, one number per line.")
    with qtbot.waitSignal(window.inference.text, timeout=30000):
        window.chat.send()
    return window


def test_stop_with_escape(qtbot, make_window) -> None:
    window = start_long_answer(qtbot, make_window)
    job = window.chat.answer_job
    with qtbot.waitSignal(window.inference.finished, timeout=30000) as finished:
        qtbot.keyClick(window.chat.composer, Qt.Key.Key_Escape)
        assert job.cancel.is_set()
    assert finished.args[1].stop_reason == "cancelled", window.chat.entries[-1].text
    assert window.chat.entries[-1].state == "stopped" and window.chat.entries[-1].text
    qtbot.waitUntil(lambda: ("assistant", "stopped") in stored(window), timeout=5000)


def test_regenerate_and_edit_last(qtbot, make_window) -> None:
    window = make_window()
    send(qtbot, window, "Name a sorting algorithm.")
    with qtbot.waitSignal(window.inference.finished, timeout=60000):
        qtbot.mouseClick(window.chat.regen_button, Qt.MouseButton.LeftButton)
    assert [e.role for e in window.chat.entries] == ["user", "assistant"]
    qtbot.mouseClick(window.chat.edit_button, Qt.MouseButton.LeftButton)
    assert window.chat.entries == [] and window.chat.composer.toPlainText() == "Name a sorting algorithm."
    send(qtbot, window, "Name a search algorithm.")
    assert [e.text for e in window.chat.entries][0] == "Name a search algorithm."
    # Every version stays: the question, both answers to it, and the edited question with its answer.
    # (The answers may be cut by the test's token limit: their state is not the point here.)
    qtbot.waitUntil(lambda: [role for role, _state in stored(window)] == ["user", "assistant", "assistant", "user",
                                                                          "assistant"], timeout=5000)


def test_follow_up_turn_and_new_chat(qtbot, make_window) -> None:
    window = make_window()
    send(qtbot, window, "What is a list in Python?")
    with qtbot.waitSignal(window.inference.finished, timeout=60000) as second:
        window.chat.composer.setPlainText("And a tuple?")
        window.chat.send()
    stats = second.args[1]
    assert stats.reused_tokens > 20 and stats.prompt_tokens - stats.reused_tokens < 40
    qtbot.keyClick(window.chat, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.chat.entries == []


def test_search_and_reopen_conversation(qtbot, make_window, app_home) -> None:
    store = ConversationStore(app_home / "data" / "conversations.sqlite3")
    a = store.create_conversation("Quicksort question")
    store.add_message(a, "user", "How does quicksort partition?")
    store.add_message(a, "assistant", "It picks a pivot.\n```python\npivot = xs[0]\n```")
    b = store.create_conversation("Regex")
    store.add_message(b, "user", "match digits")
    store.close()
    window = make_window(load=False)
    qtbot.waitUntil(lambda: window.chat.list_model.rowCount() == 2, timeout=5000)
    window.chat.search.setText("pivot")
    qtbot.waitUntil(lambda: [r.id for r in window.chat.list_model.rows] == [a], timeout=5000)
    window.chat.open_conversation(a)
    qtbot.waitUntil(lambda: len(window.chat.entries) == 2, timeout=5000)
    assert window.chat.message_views()[1].code_blocks()[0].code == "pivot = xs[0]"


def test_answer_cut_by_a_crash_is_kept(qtbot, make_window, app_home) -> None:
    store = ConversationStore(app_home / "data" / "conversations.sqlite3")
    cid = store.create_conversation("crashed")
    store.add_message(cid, "user", "q")
    store.add_message(cid, "assistant", "partial answer", state=MessageState.STREAMING)
    store.close()  # as if the app died here
    window = make_window(load=False)
    qtbot.waitUntil(lambda: window.chat.list_model.rowCount() == 1, timeout=5000)
    window.chat.open_conversation(cid)
    qtbot.waitUntil(lambda: len(window.chat.entries) == 2, timeout=5000)
    assert window.chat.entries[1].text == "partial answer" and window.chat.entries[1].state == "interrupted"
    assert "(interrupted)" in window.chat.message_views()[1].who.text()


def test_corrupt_database_reported_not_lost(qtbot, make_window, app_home) -> None:
    db = app_home / "data" / "conversations.sqlite3"
    db.parent.mkdir(parents=True)
    db.write_bytes(b"garbage" * 1000)
    window = make_window(load=False)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=5000)
    assert "damaged" in window.banner.label.text()
    assert any(p.name.startswith("conversations.corrupt-") for p in db.parent.iterdir())


def test_bad_model_shows_error_and_app_keeps_running(qtbot, make_window, tmp_path) -> None:
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"\x00" * 1024)
    window = make_window(load=False, chat_model=str(junk))
    with qtbot.waitSignal(window.inference.load_failed, timeout=10000):
        window.inference.load(str(junk))
    assert window.banner.isVisible() and "not a GGUF" in window.banner.label.text()
    window.chat.composer.setPlainText("hello")
    window.chat.send()
    assert "not loaded" in window.banner.label.text()
    assert window.chat.composer.toPlainText() == "hello"  # nothing typed is lost
    with qtbot.waitSignal(window.inference.loaded, timeout=30000):
        window.inference.load("smollm2-135m-instruct")  # recovers with another model


def test_empty_message_and_prompt_too_long(qtbot, make_window) -> None:
    window = make_window()
    with qtbot.waitSignal(window.chat.status, timeout=1000) as status:
        window.chat.send()
    assert "Type a message" in status.args[0] and window.chat.entries == []
    window.chat.composer.setPlainText("word " * 4000)
    with qtbot.waitSignal(window.inference.failed, timeout=30000):
        window.chat.send()
    assert "too long" in window.banner.label.text()
    assert window.chat.entries[0].text.startswith("word")  # the message stays, the answer is marked failed
    assert window.chat.entries[1].state == "failed"


def test_settings_and_export_persist(qtbot, make_window, monkeypatch, tmp_path, app_home) -> None:
    from app.ui.chat import export as export_module
    from app.ui.settings.fields import Field

    window = make_window()
    send(qtbot, window, "Say hi")
    window.chat.open_settings()  # the pane's button opens the app's Settings window on its chat page
    settings = window.settings_window
    fields: dict[str, Field] = {f.name: f for page in settings.pages for f in page.fields}
    fields["sampling.temperature"].widget.setValue(0.9)
    fields["system_prompt"].widget.setPlainText("Answer in French.")
    settings.apply_button.click()
    settings_file = app_home / "config" / "settings.json"
    qtbot.waitUntil(lambda: saved_settings(settings_file).get("system_prompt") == "Answer in French.", timeout=5000)
    saved = saved_settings(settings_file)
    assert saved["sampling"]["temperature"] == 0.9 and saved["system_prompt"] == "Answer in French."
    target = tmp_path / "chat.md"
    monkeypatch.setattr(export_module.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.chat.export()
    qtbot.waitUntil(target.exists, timeout=5000)
    text = target.read_text()
    assert text.startswith("# Say hi") and "## You\n\nSay hi" in text and "Answer in French." in text


def test_dark_theme_rerenders_code_with_dark_style(qtbot, make_window, monkeypatch, app_home) -> None:
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from app.ui.theme import apply_theme

    store = ConversationStore(app_home / "data" / "conversations.sqlite3")
    cid = store.create_conversation("code")
    store.add_message(cid, "assistant", "```python\nx = 1\n```")
    store.close()
    window = make_window(load=False)
    window.chat.open_conversation(cid)
    qtbot.waitUntil(lambda: len(window.chat.entries) == 1, timeout=5000)
    window.chat.rerender()
    try:
        settings = window.open_settings()
        theme = next(f for page in settings.pages for f in page.fields if f.name == "theme")
        theme.widget.setCurrentIndex(theme.widget.findText("Dark"))
        settings.apply_button.click()
        assert QApplication.instance().palette().color(QPalette.ColorRole.Window).lightness() < 128
        code = window.chat.message_views()[0].code_blocks()[0]
        assert "#272822" in code.view.styleSheet()  # monokai's background
    finally:
        apply_theme(QApplication.instance(), "auto")


def test_open_model_file_becomes_default(qtbot, make_window, smollm2_path, app_home) -> None:
    window = make_window(load=False)
    with qtbot.waitSignal(window.inference.loaded, timeout=30000):
        window.use_model(str(smollm2_path))
    settings_file = app_home / "config" / "settings.json"
    qtbot.waitUntil(lambda: saved_settings(settings_file).get("chat_model") == str(smollm2_path), timeout=5000)
    assert json.loads(settings_file.read_text())["chat_model"] == str(smollm2_path)


def stored_texts(window) -> list[tuple[str, str, str]]:
    store = ConversationStore(window.ctx.paths.database)
    try:
        return [(c.title, m.role, m.state) for c in store.list_conversations() for m in store.messages(c.id)]
    finally:
        store.close()


def test_locked_database_loses_nothing(qtbot, make_window) -> None:
    import sqlite3

    window = make_window()
    qtbot.waitUntil(lambda: window.ctx.paths.database.exists(), timeout=5000)
    blocker = sqlite3.connect(window.ctx.paths.database, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        send(qtbot, window, "First question")
        qtbot.waitUntil(lambda: "locked" in window.banner.label.text(), timeout=10000)
        assert "kept in memory" in window.banner.label.text()
        assert len(window.chat.entries) == 2
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    qtbot.waitUntil(lambda: len(stored_texts(window)) == 2, timeout=15000)
    send(qtbot, window, "Second question")
    qtbot.waitUntil(lambda: len(stored_texts(window)) == 4, timeout=10000)
    titles = {t for t, _r, _s in stored_texts(window)}
    assert titles == {"First question"}


def test_closing_mid_answer_keeps_the_text(qtbot, make_window) -> None:
    window = start_long_answer(qtbot, make_window)
    qtbot.waitUntil(lambda: len(window.chat.entries[1].text) > 10, timeout=10000)
    window.close()
    shown = window.chat.entries[1].text
    assert window.chat.entries[1].state == "stopped"
    window.store.shutdown()  # blocks until every queued save has run
    store = ConversationStore(window.ctx.paths.database)
    try:
        answer = store.messages(store.list_conversations()[0].id)[1]
    finally:
        store.close()
    assert answer.state == "stopped" and answer.content == shown


def test_edit_last_keeps_a_draft_and_the_stored_message(qtbot, make_window) -> None:
    window = make_window()
    send(qtbot, window, "Original question")
    qtbot.waitUntil(lambda: len(stored_texts(window)) == 2, timeout=5000)
    window.chat.composer.setPlainText("a draft")
    with qtbot.waitSignal(window.chat.status, timeout=1000):
        window.chat.edit_last()
    assert window.chat.composer.toPlainText() == "a draft" and len(window.chat.entries) == 2
    window.chat.composer.clear()
    window.chat.edit_last()
    assert window.chat.entries == []
    window.chat.new_chat()  # abandon the edit: the stored conversation is untouched
    window.store.submit(lambda store: None)
    qtbot.wait(200)
    assert len(stored_texts(window)) == 2


def test_errors_from_other_threads_reach_the_banner(qtbot, make_window) -> None:
    import threading

    window = make_window(load=False)
    thread = threading.Thread(target=lambda: window.uncaught.emit("boom from a worker"))
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: window.banner.isVisible() and "boom" in window.banner.label.text(), timeout=2000)


def test_stop_before_start_is_a_stop_not_a_failure(qtbot, make_window) -> None:
    from app.core.prompts.chat import ChatMessage
    from app.core.settings import SamplingSettings
    from app.workers.inference import ChatJob

    window = make_window()
    ahead = window.inference.chat([ChatMessage("user", "Count from 1 to 50.")], SamplingSettings(max_tokens=64))
    job: ChatJob = window.inference.chat([ChatMessage("user", "hi")], SamplingSettings())
    job.cancel.set()  # queued behind `ahead` on the one inference thread: stopped before it started
    with qtbot.waitSignal(window.inference.finished, timeout=30000,
                          check_params_cb=lambda job_id, _stats: job_id == job.job_id) as finished:
        ahead.cancel.set()
    assert finished.args[1].stop_reason == "cancelled"


def test_streaming_code_block_appends_then_highlights(qtbot) -> None:
    view = MessageView("assistant", "Here:\n```python\ndef f(", style="friendly", state=MessageState.STREAMING)
    qtbot.addWidget(view)
    block = view.code_blocks()[0]
    assert not block.highlighted and block.view.toPlainText() == "def f("
    view.set_text("Here:\n```python\ndef f():\n    return 1")
    assert view.code_blocks()[0] is block and block.view.toPlainText() == "def f():\n    return 1"
    view.set_text("Here:\n```python\ndef f():\n    return 1\n```\nDone.")
    assert block.highlighted and "<span" in block.view.toHtml() and block.code == "def f():\n    return 1"
    assert len(view.code_blocks()) == 1


def test_context_beyond_training_is_warned(qtbot, make_window, app_home, tiny_codellama) -> None:
    (app_home / "config").mkdir(parents=True, exist_ok=True)
    (app_home / "config" / "models_manifest.toml").write_text(
        'version = 1\n\n[[models]]\nid = "tiny-cl"\nname = "Tiny CL"\nfamily = "Code Llama"\nparameters = "1M"\n'
        f'files = ["tiny.gguf"]\nroles = ["chat"]\nchat_format = "codellama-instruct"\ncontext_length = 16384\n'
        f'max_context = 100000\nlocal_path = "{tiny_codellama}"\n')
    window = make_window(load=False, context_limit=32768)
    with qtbot.waitSignal(window.inference.loaded, timeout=30000) as loaded:
        window.inference.load("tiny-cl")
    assert loaded.args[0].n_ctx == 32768
    assert "beyond the 16,384" in window.banner.label.text()


def test_quitting_skips_a_model_load_queued_behind_an_answer(qtbot, make_window, caplog) -> None:
    window = start_long_answer(qtbot, make_window)
    loading: list[str] = []
    window.inference.loading.connect(loading.append)
    window.use_model(window.ctx.settings.chat_model or "")  # queued behind the streaming answer
    window.close()
    window.shutdown()  # cancels the answer; the queued load must not start loading during shutdown
    qtbot.wait(100)
    assert loading == []
    assert not any("did not stop in time" in r.getMessage() for r in caplog.records)
