"""A suggested middle shown inline in the editor: one undo step, marked, and exactly reversible.

The suggestion replaces what was selected when it was asked for, grows as the text streams in,
and ends accepted (the text stays, Ctrl+Z still takes it back) or rejected (one undo: the
document is exactly as before). Positions are Qt's, counted in UTF-16 code units.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit

from app.ui.infill.editor import CodeEditor


def utf16_len(text: str) -> int:
    """Qt counts positions in UTF-16 code units; Python strings count code points."""
    return len(text.encode("utf-16-le")) // 2


def split_utf16(text: str, start: int, end: int) -> tuple[str, str, str]:
    """(before, between, after) of `text` at Qt positions `start` <= `end`."""
    data = text.encode("utf-16-le")
    part = (data[: 2 * start], data[2 * start: 2 * end], data[2 * end:])
    return tuple(p.decode("utf-16-le") for p in part)  # type: ignore[return-value]


def around_cursor(editor: QPlainTextEdit) -> tuple[str, str, tuple[int, int]]:
    """The text before and after the editor's cursor (or selection), and the selection's span."""
    cursor = editor.textCursor()
    start, end = cursor.selectionStart(), cursor.selectionEnd()
    prefix, _, suffix = split_utf16(editor.toPlainText(), start, end)
    return prefix, suffix, (start, end)


class InlineSuggestion:
    """The suggestion's place in `editor`'s document, and the mark that shows it."""

    def __init__(self, editor: CodeEditor) -> None:
        self._editor = editor
        self.active = False  # shown and waiting for accept or reject (or still streaming)
        self.selection = (0, 0)  # what the request replaced, restored on reject
        self.text = ""  # the suggestion so far, as the document holds it
        self._length = 0  # its length in the document (Qt units)
        self._edited = False  # the document holds the suggestion's edit block (undo removes it)

    @property
    def start(self) -> int:
        return self.selection[0]

    @property
    def end(self) -> int:
        """Where the suggestion ends in the document (Qt units)."""
        return self.selection[0] + self._length

    def begin(self, selection: tuple[int, int]) -> None:
        """Start a suggestion in place of `selection` (start, end): the selected text goes now."""
        self.selection, self.text, self._length, self._edited = selection, "", 0, False
        self.active = True
        if selection[1] > selection[0]:
            self._edit(lambda c: c.removeSelectedText(), selection[0], selection[1])

    def show(self, text: str, final: bool = False) -> None:
        """All the suggestion's text so far (streamed pieces coalesced); only what is new is inserted."""
        # The document stores line breaks as block separators: "\r\n" and a lone "\r" are one "\n"
        # there, or the positions counted here would drift from the document's.
        if not final and text.endswith("\r"):
            text = text[:-1]  # its "\n" may come in the next piece
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if not self.active or not text.startswith(self.text):
            return
        delta = text[len(self.text):]
        if not delta:
            return
        self._edit(lambda c: c.insertText(delta), self.end)  # read-only stops the user only
        self.text = text
        self._length += utf16_len(delta)
        self._mark()

    def accept(self) -> None:
        """Keep the text; the cursor goes to its end."""
        if not self.active:
            return
        self.active = False
        self._editor.set_extra_marks([])
        cursor = self._editor.textCursor()
        cursor.setPosition(self.end)
        self._editor.setTextCursor(cursor)

    def reject(self) -> None:
        """Remove the text: the document is exactly as before, the old selection selected again."""
        if not self.active:
            return
        self.active = False
        self._editor.set_extra_marks([])
        if self._edited:
            self._editor.setReadOnly(False)  # undo is refused while read-only
            self._editor.undo()
        cursor = self._editor.textCursor()
        cursor.setPosition(self.selection[0])
        cursor.setPosition(self.selection[1], QTextCursor.MoveMode.KeepAnchor)
        self._editor.setTextCursor(cursor)
        self._edited = False

    def _edit(self, change: Callable[[QTextCursor], None], start: int, end: int | None = None) -> None:
        """One change to the document, joined to the suggestion's single undo step."""
        cursor = QTextCursor(self._editor.document())
        if self._edited:
            cursor.joinPreviousEditBlock()
        else:
            cursor.beginEditBlock()
        cursor.setPosition(start)
        if end is not None:
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        change(cursor)
        cursor.endEditBlock()
        self._edited = True

    def _mark(self) -> None:
        selection = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        accent = self._editor.palette().highlight().color()
        fmt.setBackground(QColor(accent.red(), accent.green(), accent.blue(), 60))
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
        fmt.setUnderlineColor(accent)
        selection.format = fmt
        cursor = QTextCursor(self._editor.document())
        cursor.setPosition(self.start)
        cursor.setPosition(self.end, QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        self._editor.set_extra_marks([selection] if self._length else [])
