"""An instruction fill shown as a diff to review: the embedded model end to end (apply as one undo step,
discard changes nothing, a selection's lines shown removed), colours readable in both themes, keys
that clash with nothing, and true infill still inline."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication

from app.core.infill.preview import DiffKind, preview_fill
from app.ui.infill.controls import FillState
from app.ui.infill.editor import CodeEditor
from app.ui.infill.preview import APPLY_KEYS, DiffView, InstructionPreview, PreviewPanel
from tests.ui.test_infill_pane import put_cursor as place

CODE = "def add(a, b):\n    \n\nprint(add(1, 2))\n"
CURSOR = CODE.index("\n\nprint")  # after the body's indentation


@pytest.fixture
def chat_window(qtbot, make_window):
    window = make_window()  # the embedded SmolLM2: no infill tokens, so an instruction fill
    window.tabs.setCurrentWidget(window.infill)
    return window


def fill(qtbot, window) -> None:
    pane = window.infill
    with qtbot.waitSignal(window.inference.finished, timeout=60000):
        qtbot.keyClick(pane.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not pane.streaming, timeout=5000)


def test_an_instruction_fill_is_previewed_and_applied_as_one_undo_step(qtbot, chat_window) -> None:
    pane = chat_window.infill
    place(pane, CODE, CURSOR)
    fill(qtbot, chat_window)
    assert pane.state is FillState.PREVIEWING
    middle = pane.suggestion
    assert "return" in middle and "def add" not in middle and "```" not in middle
    # Nothing has changed yet: the diff is shown in the editor's place.
    assert pane.editor.toPlainText() == CODE and not pane.editor.document().isModified()
    assert pane.stack.currentWidget() is pane.preview_panel
    added = [line.text for line in pane.preview_panel.view.lines if line.kind is DiffKind.ADDED]
    assert added and all(line.strip() in middle for line in added)
    assert pane.accept_button.text().startswith("Apply") and pane.reject_button.text().startswith("Discard")
    assert pane.preview_panel.view.hasFocus()  # the keys act from the diff
    qtbot.keyClick(pane.preview_panel.view, Qt.Key.Key_Return,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert pane.state is FillState.IDLE and pane.stack.currentWidget() is pane.editor
    assert pane.editor.toPlainText() == CODE[:CURSOR] + middle + CODE[CURSOR:]
    assert pane.editor.textCursor().position() == CURSOR + len(middle)
    pane.editor.undo()
    assert pane.editor.toPlainText() == CODE  # one step takes it all back


def test_discard_changes_nothing_and_a_selection_shows_as_removed(qtbot, chat_window) -> None:
    pane = chat_window.infill
    code = "def add(a, b):\n    return 0\n\nprint(add(1, 2))\n"
    start, end = code.index("return 0"), code.index("\n\nprint")
    place(pane, code, end, anchor=start)
    fill(qtbot, chat_window)
    assert pane.state is FillState.PREVIEWING
    removed = [line.text for line in pane.preview_panel.view.lines if line.kind is DiffKind.REMOVED]
    assert removed == ["    return 0"]  # the selected code, which the middle would replace
    assert pane.editor.toPlainText() == code
    qtbot.keyClick(pane.preview_panel.view, Qt.Key.Key_Escape)
    assert pane.state is FillState.IDLE and not pane.preview.active
    assert pane.editor.toPlainText() == code and not pane.editor.document().isUndoAvailable()
    assert pane.stack.currentWidget() is pane.editor
    assert (pane.editor.textCursor().selectionStart(), pane.editor.textCursor().selectionEnd()) == (start, end)


def test_regenerate_asks_again_and_stopping_previews_nothing(qtbot, chat_window) -> None:
    pane = chat_window.infill
    place(pane, CODE, CURSOR)
    fill(qtbot, chat_window)
    first = pane.suggestion
    with qtbot.waitSignal(chat_window.inference.finished, timeout=60000):
        qtbot.keyClick(pane.preview_panel.view, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not pane.streaming, timeout=5000)
    assert pane.state is FillState.PREVIEWING and pane.suggestion and first
    assert pane.editor.toPlainText() == CODE
    pane.reject()
    qtbot.keyClick(pane.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert pane.state is FillState.STREAMING and "review" in pane.hint.text()
    pane.reject()  # Esc while the middle is written: nothing to review, nothing changed
    assert pane.state is FillState.IDLE and pane.editor.toPlainText() == CODE


def test_true_infill_keeps_the_inline_suggestion(qtbot, make_window, tiny_codellama: Path) -> None:
    window = make_window(load=False)
    with qtbot.waitSignal(window.inference.loaded, timeout=30000):
        window.inference.load(str(tiny_codellama))
    window.tabs.setCurrentWidget(window.infill)
    pane = window.infill
    place(pane, CODE, CURSOR)
    fill(qtbot, window)
    assert pane.state is FillState.REVIEWING and not pane.preview.active
    assert pane.stack.currentWidget() is pane.editor and pane.editor.toPlainText() != CODE  # shown inline
    assert pane.accept_button.text() == "Accept (Tab)"
    qtbot.keyClick(pane.editor, Qt.Key.Key_Escape)
    assert pane.editor.toPlainText() == CODE


def test_the_apply_keys_are_bound_once_in_the_whole_window(qtbot, make_window) -> None:
    window = make_window(load=False)
    bound = [shortcut.key() for shortcut in window.findChildren(QShortcut)]
    bound += [key for action in window.findChildren(QAction) for key in action.shortcuts()]
    for keys in APPLY_KEYS:
        assert bound.count(QKeySequence(keys)) == 1, keys
    assert QKeySequence("Tab") not in bound  # Tab belongs to the editor and the inline suggestion


def _luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in colour.getRgbF()[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("style", ["friendly", "monokai", "default", "github-dark", "solarized-light", "native"])
def test_every_diff_line_is_readable_in_light_and_dark_styles(qtbot, style: str) -> None:
    view = DiffView(style="friendly")
    qtbot.addWidget(view)
    head = "".join(f"import m{i}\n" for i in range(9))
    preview = preview_fill(head + "\ndef f():\n", "    pass\n", "\n\nf()\n", "    return os.sep\n    x = 1\n")
    view.show_lines(preview.lines)
    view.set_code_style(style)  # a live theme switch recolours what is shown
    kinds = {line.kind for line in view.lines}
    assert kinds == {DiffKind.ADDED, DiffKind.REMOVED, DiffKind.CONTEXT, DiffKind.GAP}
    block = view.document().firstBlock()
    seen = 0
    while block.isValid():
        background = block.blockFormat().background().color()
        if block.blockFormat().background().style() == Qt.BrushStyle.NoBrush:
            background = view.viewport().palette().base().color()
        for fragment in (it.fragment() for it in _fragments(block)):
            foreground = fragment.charFormat().foreground().color()
            assert contrast(foreground, background) >= 4.5, (style, block.text())
            seen += 1
        block = block.next()
    assert seen == len(view.lines)


def _fragments(block):
    it = block.begin()
    while not it.atEnd():
        yield it
        it += 1


def test_added_and_removed_look_different_from_each_other_and_from_context(qtbot) -> None:
    for style in ("friendly", "monokai"):
        colours = DiffView(style=style).colours
        backgrounds = {colours.of(kind)[0] for kind in (DiffKind.ADDED, DiffKind.REMOVED, DiffKind.CONTEXT)}
        assert len(backgrounds) == 3
        added, removed = QColor(colours.added[0]), QColor(colours.removed[0])
        assert added.green() > added.red() and removed.red() > removed.green()  # green and red, as people expect


def test_the_preview_applies_only_what_was_reviewed(qtbot) -> None:
    editor, panel = CodeEditor(), PreviewPanel()
    qtbot.addWidget(editor)
    qtbot.addWidget(panel)
    editor.setPlainText("a = 1\nb = 2\n")
    preview = InstructionPreview(editor, panel)
    preview.begin("a = 1\n", "b = 2", "\n", (6, 11))
    assert preview.show("   ") is None and not preview.active  # blank: nothing to review
    preview.begin("a = 1\n", "b = 2", "\n", (6, 11))
    assert preview.show("b = 2") is None  # the same text: no change
    preview.begin("a = 1\n", "b = 2", "\n", (6, 11))
    shown = preview.show("b = 3\nc = 4")
    assert shown is not None and shown.summary == "+2 −1 lines" and "+2 −1 lines" in panel.title.text()
    assert editor.toPlainText() == "a = 1\nb = 2\n"
    assert preview.apply() and editor.toPlainText() == "a = 1\nb = 3\nc = 4\n" and not preview.active
    assert not preview.apply()  # once
    QApplication.processEvents()
