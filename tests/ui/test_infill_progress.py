"""The infill pane while the embedded model reads a long prompt: "Reading the context… N%" after each
batch, then the fill's figures quietly at the side."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt

from app.ui.infill.controls import FillState, reading_hint

# About 600 tokens: two of llama.cpp's 512-token batches.
LONG = "".join(f"def step_{i}(value):\n    return value * {i} + {i % 7}\n\n\n" for i in range(26))


def test_reading_the_context_shows_a_percentage_then_the_figures(qtbot, make_window) -> None:
    window = make_window()  # the embedded SmolLM2 (instruction fill); its prompt takes several batches
    window.tabs.setCurrentWidget(window.infill)
    pane = window.infill
    code = LONG + "def total(values):\n    \n"
    pane.editor.setPlainText(code)
    cursor = pane.editor.textCursor()
    cursor.setPosition(len(code) - 1)
    pane.editor.setTextCursor(cursor)
    pane.editor.setFocus()
    hints: list[tuple[int, int, str]] = []
    # Connected after the pane's own stream: each call sees the hint the pane has just set.
    window.inference.prompt_progress.connect(lambda _job, done, total: hints.append((done, total, pane.hint.text())))
    with qtbot.waitSignal(window.inference.finished, timeout=300000) as finished:
        qtbot.keyClick(pane.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not pane.streaming, timeout=5000)
    reading = [(done, total, text) for done, total, text in hints if done < total]
    assert len(reading) >= 2, hints  # more than one batch was read, each reported
    for done, total, text in reading:
        assert text == reading_hint(done, total)
        assert re.fullmatch(r"Reading the context… \d+% \(Esc stops\)", text)
    percents = [int(re.search(r"(\d+)%", text).group(1)) for _, _, text in reading]
    assert percents == sorted(percents) and percents[0] < 100
    assert hints[-1][0] == hints[-1][1] and "Reading" not in hints[-1][2]  # read: now it is being written
    stats = finished.args[1]
    assert pane.state in (FillState.PREVIEWING, FillState.IDLE)
    assert pane.figures.text() and f"{stats.generated_tokens:,} token" in pane.figures.text()
    assert "Reading" not in pane.hint.text()


def test_the_reading_hint_in_words() -> None:
    assert reading_hint(0, 1500) == "Reading the context… 0% (Esc stops)"
    assert reading_hint(1024, 1500) == "Reading the context… 68% (Esc stops)"
    assert reading_hint(0, 0) == "Reading the context… 0% (Esc stops)"
