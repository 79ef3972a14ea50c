"""The infill pane's open file: read and written on a task thread, in the form it was found in.

A file is written back with the line ends and byte-order mark it was read with, so a fill never
turns a CRLF file into a half-LF one. The GUI thread waits on neither reading nor writing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from app.core.errors import UserError
from app.core.infill.source import CodeFile, decode_code, read_code_file, write_code_file
from app.ui.infill.language import LanguageBox
from app.ui.plain_text import plain
from app.workers.worker import Worker

ErrorSink = Callable[[UserError | str], None]  # a Worker sends UserError objects; older code, strings


class CodeFileSession(QObject):
    """Which file the editor holds, and its reading and writing on `runner`."""

    opened = Signal(object, str)  # Path, its text
    saved = Signal(object)  # Path

    def __init__(self, runner: Worker, report_error: ErrorSink, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._report_error = report_error
        self.path: Path | None = None
        self._form = CodeFile("")  # how the open file was written (line ends, BOM)

    def open(self, path: Path, still_wanted: Callable[[], bool] = lambda: True) -> None:
        """Read `path`; `opened` follows unless `still_wanted()` says no by then (a fill began)."""

        def read(_report) -> CodeFile:
            return read_code_file(path)

        def done(code: CodeFile) -> None:
            if still_wanted():
                self.path, self._form = path, code
                self.opened.emit(path, code.text)

        self._runner.submit(read, done, self._report_error)

    def write(self, path: Path, text: str) -> None:
        """Write `text` to `path` in the open file's form; `saved` follows, and `path` is the file then."""
        code = CodeFile(text, crlf=self._form.crlf, bom=self._form.bom)

        def write(_report) -> None:
            write_code_file(path, code)

        def done(_result: None) -> None:
            self.path = path
            self.saved.emit(path)

        self._runner.submit(write, done, self._report_error)


class FileBar(QWidget):
    """Open, paste, save, save as, the language and the file's name; the pane connects the buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.open_button = QPushButton(self.tr("Open…"))
        self.paste_button = QPushButton(self.tr("Paste snippet"))
        self.paste_button.setToolTip(self.tr("Replace the editor's text with the clipboard's (undo brings it back)"))
        self.save_button = QPushButton(self.tr("Save"))
        self.save_as_button = QPushButton(self.tr("Save as…"))
        self.language = LanguageBox()
        self.file_label = plain(QLabel(self.tr("Untitled")))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (*self.buttons, QLabel(self.tr("Language:")), self.language):
            layout.addWidget(widget)
        layout.addWidget(self.file_label, 1)

    @property
    def buttons(self) -> tuple[QPushButton, ...]:
        return self.open_button, self.paste_button, self.save_button, self.save_as_button

    def enable(self, enabled: bool) -> None:
        for widget in (*self.buttons, self.language):
            widget.setEnabled(enabled)


def ask_open_path(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, QCoreApplication.translate("InfillFiles", "Open a code file"))
    return Path(name) if name else None


def ask_save_path(parent: QWidget, current: Path | None) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, QCoreApplication.translate("InfillFiles", "Save code as"),
                                          str(current or ""))
    return Path(name) if name else None


def clipboard_code() -> str:
    """The clipboard's text as code ('' when it holds none); a UserError for binary-looking text,
    so no NULs are pasted into code."""
    text = QGuiApplication.clipboard().text()
    return decode_code(text.encode("utf-8", errors="replace"),
                       QCoreApplication.translate("InfillFiles", "The clipboard")) if text else ""
