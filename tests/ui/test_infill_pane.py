"""The infill pane with the real model thread: inline suggestion, accept, reject, regenerate, files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QTextCursor

from app.core.engine import EngineInfo
from app.core.infill.fill import describe_fill
from app.core.infill.formats import InfillFamily
from app.ui.infill.pane import model_note

CODE = "def area(width, height):\n    \n\nprint(area(2, 3))\n"


@pytest.fixture
def infill_window(qtbot, make_window, tiny_codellama: Path):
    window = make_window(load=False)
    with qtbot.waitSignal(window.inference.loaded, timeout=30000):
        window.inference.load(str(tiny_codellama))
    window.tabs.setCurrentWidget(window.infill)
    return window


def put_cursor(pane, text: str, position: int, anchor: int | None = None) -> None:
    pane.editor.setPlainText(text)
    cursor = pane.editor.textCursor()
    cursor.setPosition(position if anchor is None else anchor)
    if anchor is not None:
        cursor.setPosition(position, QTextCursor.MoveMode.KeepAnchor)
    pane.editor.setTextCursor(cursor)
    pane.editor.setFocus()  # as a click placing the cursor does: the pane's keys act while focus is in it


def fill(qtbot, window) -> object:
    pane = window.infill
    with qtbot.waitSignal(window.inference.finished, timeout=30000) as finished:
        qtbot.keyClick(pane.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not pane.streaming, timeout=5000)
    return finished.args[1]


def fill_and_reject(qtbot, window, original: str) -> None:
    """A fill anywhere, rejected: the editor holds exactly what it held before."""
    fill(qtbot, window)
    window.infill.reject()
    assert window.infill.editor.toPlainText() == original


def test_a_suggestion_streams_inline_and_esc_restores_the_text(qtbot, infill_window) -> None:
    pane = infill_window.infill
    assert "Code Llama infill tokens" in pane.model_note.text()
    put_cursor(pane, CODE, CODE.index("\n\nprint"))
    fill(qtbot, infill_window)
    middle = pane.suggestion
    assert middle
    text = pane.editor.toPlainText()
    assert text == CODE[: CODE.index("\n\nprint")] + middle + CODE[CODE.index("\n\nprint"):]
    assert pane.editor.isReadOnly() and pane.editor.extra_marks()  # marked, and nothing can be typed into it
    assert pane.accept_button.isEnabled()
    qtbot.keyClick(pane.editor, Qt.Key.Key_Escape)
    assert pane.editor.toPlainText() == CODE and pane.suggestion == ""
    assert pane.editor.textCursor().position() == CODE.index("\n\nprint")
    assert not pane.editor.isReadOnly() and not pane.editor.extra_marks()


def test_tab_accepts_and_one_undo_takes_it_back(qtbot, infill_window) -> None:
    pane = infill_window.infill
    put_cursor(pane, CODE, CODE.index("\n\nprint"))
    fill(qtbot, infill_window)
    middle = pane.suggestion
    qtbot.keyClick(pane.editor, Qt.Key.Key_Tab)
    assert pane.editor.toPlainText() == CODE.replace("    \n\nprint", "    " + middle + "\n\nprint", 1)
    assert pane.editor.textCursor().position() == CODE.index("\n\nprint") + len(middle)
    pane.copy_suggestion()
    assert QGuiApplication.clipboard().text() == middle
    pane.editor.undo()
    assert pane.editor.toPlainText() == CODE


def test_a_selection_is_replaced_and_restored_on_reject(qtbot, infill_window) -> None:
    pane = infill_window.infill
    code = "def f(x):\n    return x + 1\n"
    start = code.index("x + 1")
    put_cursor(pane, code, start + len("x + 1"), anchor=start)
    fill(qtbot, infill_window)
    assert "x + 1" not in pane.editor.toPlainText()
    pane.reject()
    assert pane.editor.toPlainText() == code
    assert pane.editor.textCursor().selectedText() == "x + 1"


def test_code_llama_can_fill_suffix_first(qtbot, infill_window) -> None:
    pane = infill_window.infill
    assert pane.suffix_first.isVisible()
    pane.suffix_first.setChecked(True)
    sent = []
    original = infill_window.inference.infill
    infill_window.inference.infill = lambda request, *a, **k: (sent.append(request), original(request, *a, **k))[1]
    put_cursor(pane, CODE, CODE.index("\n\nprint"))
    fill_and_reject(qtbot, infill_window, CODE)
    assert sent and sent[0].suffix_first


def test_regenerate_asks_again_from_the_same_place(qtbot, infill_window) -> None:
    pane = infill_window.infill
    pane.temperature.setValue(1.5)
    put_cursor(pane, CODE, CODE.index("\n\nprint"))
    fill(qtbot, infill_window)
    with qtbot.waitSignal(infill_window.inference.finished, timeout=30000):
        qtbot.keyClick(pane.editor, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not pane.streaming, timeout=5000)
    assert pane.suggestion
    pane.reject()
    assert pane.editor.toPlainText() == CODE


@pytest.mark.parametrize("where", ["start", "end", "all"])
def test_edges_of_the_file(qtbot, infill_window, where: str) -> None:
    pane = infill_window.infill
    if where == "all":
        put_cursor(pane, CODE, len(CODE), anchor=0)
    else:
        put_cursor(pane, CODE, 0 if where == "start" else len(CODE))
    fill_and_reject(qtbot, infill_window, CODE)


def test_an_empty_editor_can_be_filled(qtbot, infill_window) -> None:
    pane = infill_window.infill
    put_cursor(pane, "", 0)
    fill_and_reject(qtbot, infill_window, "")


def test_switching_the_model_while_generating_loses_nothing(qtbot, infill_window, smollm2_path: Path) -> None:
    pane = infill_window.infill
    pane.max_tokens.setValue(200)
    put_cursor(pane, CODE, CODE.index("\n\nprint"))
    qtbot.keyClick(pane.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    with qtbot.waitSignal(infill_window.inference.loaded, timeout=30000):
        infill_window.use_model(str(smollm2_path))
    qtbot.waitUntil(lambda: not pane.streaming, timeout=5000)
    assert "has no infill tokens" in pane.model_note.text() and not pane.suffix_first.isVisible()
    pane.reject()
    assert pane.editor.toPlainText() == CODE


def test_a_chat_model_fills_by_instruction(qtbot, make_window) -> None:
    window = make_window()  # the embedded SmolLM2: no infill tokens
    window.tabs.setCurrentWidget(window.infill)
    pane = window.infill
    assert "no infill tokens" in pane.model_note.text() and "instruction fill" in pane.model_note.text()
    code = "def add(a, b):\n\n\nprint(add(1, 2))\n"
    put_cursor(pane, code, code.index("\n\nprint"))
    fill(qtbot, window)
    assert "return" in pane.suggestion and "```" not in pane.suggestion
    pane.accept()
    assert "return" in pane.editor.toPlainText()


def test_files_open_save_and_refuse_binaries(qtbot, infill_window, tmp_path: Path) -> None:
    pane = infill_window.infill
    source = tmp_path / "shapes.py"
    source.write_text(CODE)
    pane.open_file(source)
    qtbot.waitUntil(lambda: pane.editor.toPlainText() == CODE, timeout=5000)
    assert pane.editor.highlighter.language == "Python" and pane.language.currentText() == "Python"
    assert pane.path == source and not pane.busy
    pane.editor.appendPlainText("# more")
    edited = pane.editor.toPlainText()
    pane.save()
    qtbot.waitUntil(lambda: source.read_text() == edited, timeout=5000)

    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"\x7fELF\0\0\0" * 100)
    pane.open_file(blob)
    qtbot.waitUntil(lambda: "binary" in infill_window.banner.label.text(), timeout=5000)
    assert pane.editor.toPlainText() == edited  # the editor's text is untouched

    pane.save_to(tmp_path / "no-such-folder" / "x.py")
    qtbot.waitUntil(lambda: "Could not save" in infill_window.banner.label.text(), timeout=5000)


def test_a_2_mb_file_opens_and_can_be_filled(qtbot, infill_window, tmp_path: Path) -> None:
    pane = infill_window.infill
    big = tmp_path / "big.py"
    text = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(60000))
    big.write_text(text)
    assert big.stat().st_size > 2_000_000
    pane.open_file(big)
    qtbot.waitUntil(lambda: pane.editor.document().characterCount() > 2_000_000, timeout=20000)
    put_cursor(pane, pane.editor.toPlainText(), len(text) // 2)
    fill_and_reject(qtbot, infill_window, text)


def test_paste_snippet_replaces_the_text_with_one_undo(qtbot, infill_window) -> None:
    pane = infill_window.infill
    put_cursor(pane, "old = 1\n", 0)
    QGuiApplication.clipboard().setText("#include <stdio.h>\nint main(void) { return 0; }\n")
    pane.paste_snippet()
    assert pane.editor.toPlainText().startswith("#include")
    assert pane.language.currentText() in ("C", "C++", "Objective-C")
    pane.editor.undo()
    assert pane.editor.toPlainText() == "old = 1\n"


def test_an_open_repository_adds_definitions(qtbot, make_window, tiny_bpe, tmp_path: Path) -> None:
    from tests.core.repo.test_index_pack import FILES
    from tests.core.repo.test_scan import make

    window = make_window(load=False)
    with qtbot.waitSignal(window.inference.loaded, timeout=30000):
        window.inference.load(str(tiny_bpe("qwen")))
    root = make(tmp_path / "demo", FILES)
    window.repo.open_folder(root)
    qtbot.waitUntil(lambda: window.repo.root is not None, timeout=20000)
    window.tabs.setCurrentWidget(window.infill)
    pane = window.infill
    assert "Qwen2.5-Coder infill tokens" in pane.model_note.text()
    source = root / "src" / "download.py"
    code = "from src.net.retry import RetryPolicy\n\ndef download(url):\n    policy = RetryPolicy(\n"
    source.write_text(code)
    pane.open_file(source)
    qtbot.waitUntil(lambda: pane.editor.toPlainText() == code, timeout=5000)
    messages: list[str] = []
    pane.status.connect(messages.append)
    put_cursor(pane, code, code.index("(\n") + 1)
    fill(qtbot, window)
    assert any("1 snippet(s) from the open repository: src/net/retry.py" in m for m in messages)
    pane.reject()
    assert pane.editor.toPlainText() == code


def test_the_model_note_is_the_cores_words_emphasised_and_escaped() -> None:
    info = EngineInfo("<img src=x>", "m.gguf", "CPU", 0, 2048, 2048, 1, 1, "chatml", 0.1)
    note = model_note(describe_fill(info))
    assert note.startswith("<b>&lt;img src=x&gt; has no infill tokens.</b>") and "<img" not in note
    assert "<i>instruction fill</i>" in note and note.endswith("(Models, Ctrl+M).")
    assert describe_fill(info).advice.removesuffix(".") in note
    infilling = replace(info, model_name="Tiny", infill_format="Code Llama", infill_family=InfillFamily.CODELLAMA)
    assert model_note(describe_fill(infilling)) == "Tiny fills in the middle with its own Code Llama infill tokens."


def test_carriage_returns_in_a_middle_keep_positions_right(qtbot, infill_window) -> None:
    pane = infill_window.infill
    at = CODE.index("\n\nprint")
    put_cursor(pane, CODE, at)
    pane.inline.begin((at, at))  # what a fill does before the first piece comes
    for text in ("return 1\r", "return 1\r\n    x = 2\r", "return 1\r\n    x = 2\r\n    y"):
        pane.inline.show(text)
    pane.inline.show("return 1\r\n    x = 2\r\n    y", final=True)
    assert pane.editor.toPlainText() == CODE[:at] + "return 1\n    x = 2\n    y" + CODE[at:]
    pane.reject()
    assert pane.editor.toPlainText() == CODE
