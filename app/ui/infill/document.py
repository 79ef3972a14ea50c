"""The infill editor's document: opening, pasting and saving code, and the language it is shown in.

Split from the pane, which keeps the fill flow: this part only needs the editor, the file bar and
whether a suggestion is pending (nothing is opened or saved over one). Files are read and written
on the window's files thread through CodeFileSession; `status` carries what the status bar says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QWidget

from app.core.errors import UserError
from app.ui.infill.editor import CodeEditor
from app.ui.infill.files import CodeFileSession, FileBar, ask_open_path, ask_save_path, clipboard_code
from app.ui.infill.language import guess_language
from app.workers.worker import Worker


class EditorDocument(QObject):
    status = Signal(str)

    def __init__(self, editor: CodeEditor, bar: FileBar, files_runner: Worker, busy: Callable[[], bool],
                 report: Callable[[UserError | str], None], dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self._editor, self._bar, self._busy, self._report = editor, bar, busy, report
        self._parent = dialog_parent
        self._files = CodeFileSession(files_runner, report, self)
        self._files.opened.connect(self._opened)
        self._files.saved.connect(self._saved)
        bar.language.chosen.connect(self._language_chosen)
        editor.highlighter.activeChanged.connect(self._highlighting_changed)

    @property
    def path(self) -> Path | None:
        return self._files.path

    # Opening -----------------------------------------------------------------------------------
    def choose_file(self) -> None:
        if (path := ask_open_path(self._parent)) is not None:
            self.open_file(path)

    def open_file(self, path: Path) -> None:
        if self._busy():
            return
        self.status.emit(self.tr("Opening {name}…").format(name=path.name))
        self._files.open(path, still_wanted=lambda: not self._busy())

    def _opened(self, path: Path, text: str) -> None:
        self._editor.setPlainText(text)
        self._bar.file_label.setText(str(path))
        self._set_language(guess_language(path.name, text))
        lines = text.count("\n") + 1  # the plural form follows `lines`; {count} keeps its thousands separator
        self.status.emit(self.tr("Opened {path} ({count} lines).", "", lines).format(path=path, count=f"{lines:,}"))

    def paste_snippet(self) -> None:
        """The clipboard's text replaces the editor's (one undo step brings the old text back)."""
        try:
            text = clipboard_code()
        except UserError as exc:
            self._report(exc)
            return
        if not text:
            self.status.emit(self.tr("The clipboard holds no text."))
            return
        cursor = self._editor.textCursor()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        self._editor.setTextCursor(cursor)
        if self._bar.language.automatic:
            self._set_language(guess_language("", text))

    # Saving ------------------------------------------------------------------------------------
    def save(self) -> None:
        if self._files.path is None:
            self.save_as()
        else:
            self.save_to(self._files.path)

    def save_as(self) -> None:
        if not self._refuse_while_busy() and (path := ask_save_path(self._parent, self._files.path)) is not None:
            self.save_to(path)

    def save_to(self, path: Path) -> None:
        """Write the editor's text to `path` (on the files thread), in the open file's line ends and BOM."""
        if not self._refuse_while_busy():
            self._files.write(path, self._editor.toPlainText())

    def _refuse_while_busy(self) -> bool:
        busy = self._busy()
        if busy:
            self.status.emit(self.tr("Accept or reject the suggestion first."))
        return busy

    def _saved(self, path: Path) -> None:
        self._bar.file_label.setText(str(path))
        self._editor.document().setModified(False)
        self.status.emit(self.tr("Saved {path}.").format(path=path))

    # Language ----------------------------------------------------------------------------------
    def _set_language(self, name: str) -> None:
        self._bar.language.show_language(name)
        self._editor.set_language(name)

    def _language_chosen(self, name: str) -> None:
        path = self._files.path
        self._editor.set_language(name or guess_language(path.name if path else "", self._editor.toPlainText()))

    def _highlighting_changed(self, active: bool) -> None:
        if not active:
            self.status.emit(self.tr("Highlighting is off for this very large file (editing and infill still work)."))
