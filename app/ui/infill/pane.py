"""The infill pane: a code editor where the model fills in the middle at the cursor, inline.

Flow: place the cursor (or select text to replace) and press Ctrl+Enter. The middle streams into
the editor as one undo step, marked; Tab accepts it, Esc rejects it (an undo: the text before
is restored exactly), Ctrl+R asks again. The editor is read-only while a suggestion is
pending, so nothing the user typed can be tangled with it. Files are read and written on a task
thread; the model runs on the inference thread; the GUI thread waits on neither.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Callable

from pygments.lexers import TextLexer, get_all_lexers, get_lexer_for_filename
from pygments.util import ClassNotFound
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QKeySequence, QShortcut, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.core.errors import UserError
from app.core.infill.prompt import InfillRequest
from app.core.infill.source import CodeFile, decode_code, read_code_file, write_code_file
from app.core.repo.assistant import RepoAssistant
from app.core.repo.assistant_types import RepoSnippets
from app.core.store import MessageState
from app.ui.answer_stream import AnswerStream
from app.ui.highlight import GUESS_LIMIT, lexer_for
from app.ui.infill.editor import CodeEditor
from app.ui.plain_text import plain
from app.workers.inference import InferenceService
from app.workers.tasks import TaskRunner

log = logging.getLogger(__name__)

AUTO = "Auto"


def _utf16_len(text: str) -> int:
    """Qt counts positions in UTF-16 code units; Python strings count code points."""
    return len(text.encode("utf-16-le")) // 2


def _split_utf16(text: str, start: int, end: int) -> tuple[str, str, str]:
    """(before, between, after) of `text` at Qt positions `start` <= `end`."""
    data = text.encode("utf-16-le")
    part = (data[: 2 * start], data[2 * start: 2 * end], data[2 * end:])
    return tuple(p.decode("utf-16-le") for p in part)  # type: ignore[return-value]


class InfillPane(QWidget):
    status = Signal(str)

    def __init__(self, ctx: AppContext, inference: InferenceService, show_error: Callable[[str], None],
                 code_style: Callable[[], str], repo: RepoAssistant | None = None,
                 repo_runner: TaskRunner | None = None) -> None:
        super().__init__()
        self._ctx = ctx
        self._inference = inference
        self._show_error = show_error
        self._code_style = code_style
        # Definitions from the open repository join the prompt; the assistant is called on its own thread.
        self._repo, self._repo_runner = repo, repo_runner
        self._runner = TaskRunner("files", self)
        self._stream = AnswerStream(inference, self)
        self._path: Path | None = None
        self._form = CodeFile("")  # how the open file was written (line ends, BOM)
        self._suffix_first_ok = False  # the loaded model takes the suffix-first (SPM) option
        self._request_id = 0  # bumped by each request; snippets for an abandoned one are ignored
        self._start = 0  # the suggestion's first position (Qt units)
        self._length = 0  # its length so far (Qt units)
        self._shown = ""  # its text so far
        self._edited = False  # the document holds the suggestion's edit block (undo removes it)
        self._selection = (0, 0)  # what the request replaced, to restore on reject and ask again
        self._pending = False  # a suggestion is streaming or waiting for Tab/Esc
        self._requesting = False  # snippets are being gathered before the job starts
        self._build()
        self._stream.render.connect(self._render)
        self._stream.ended.connect(self._on_ended)
        self._stream.failed.connect(self._on_failed)
        inference.loaded.connect(lambda _info: self._describe_model())
        inference.loading.connect(lambda name: self.model_note.setText(f"Loading {name}…"))
        self._describe_model()
        self._update_buttons()

    # Layout ------------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        files = QHBoxLayout()
        self.open_button = QPushButton("Open…", clicked=self.choose_file)
        self.paste_button = QPushButton("Paste snippet", clicked=self.paste_snippet)
        self.paste_button.setToolTip("Replace the editor's text with the clipboard's (undo brings it back)")
        self.save_button = QPushButton("Save", clicked=self.save)
        self.save_as_button = QPushButton("Save as…", clicked=self.save_as)
        self.language = QComboBox()
        self.language.addItems([AUTO] + sorted({name for name, *_ in get_all_lexers()}, key=str.lower))
        self.language.setEditable(True)
        self.language.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.language.currentTextChanged.connect(self._language_chosen)
        self.file_label = plain(QLabel("Untitled"))
        for w in (self.open_button, self.paste_button, self.save_button, self.save_as_button):
            files.addWidget(w)
        files.addWidget(QLabel("Language:"))
        files.addWidget(self.language)
        files.addWidget(self.file_label, 1)
        layout.addLayout(files)

        self.model_note = plain(QLabel())
        self.model_note.setWordWrap(True)
        layout.addWidget(self.model_note)

        self.editor = CodeEditor(style=self._code_style())
        self.editor.setPlaceholderText("Open or paste code, put the cursor where code is missing (or select code "
                                       "to replace) and press Ctrl+Enter.")
        self.editor.installEventFilter(self)
        self.editor.highlighter.activeChanged.connect(self._highlighting_changed)
        layout.addWidget(self.editor, 1)

        actions = QHBoxLayout()
        self.fill_button = QPushButton("Fill in the middle (Ctrl+Enter)", clicked=self.request_fill)
        self.accept_button = QPushButton("Accept (Tab)", clicked=self.accept)
        self.reject_button = QPushButton("Reject (Esc)", clicked=self.reject)
        self.regenerate_button = QPushButton("Regenerate (Ctrl+R)", clicked=self.regenerate)
        self.copy_button = QPushButton("Copy", clicked=self.copy_suggestion)
        self.mode = QComboBox()
        self.mode.addItems(["Multi-line", "Single line"])
        self.suffix_first = QCheckBox("Suffix first")
        self.suffix_first.setToolTip("Code Llama's suffix-prefix-middle order (SPM); it was trained on both")
        self.max_tokens = QSpinBox(minimum=8, maximum=4096, value=256, singleStep=32)
        self.max_tokens.setToolTip("Most tokens of middle")
        self.temperature = QDoubleSpinBox(minimum=0.0, maximum=2.0, value=0.2, singleStep=0.1)
        self.temperature.setToolTip("Sampling temperature (0 = always the most likely code)")
        for w in (self.fill_button, self.accept_button, self.reject_button, self.regenerate_button, self.copy_button):
            actions.addWidget(w)
        actions.addStretch(1)
        actions.addWidget(self.suffix_first)
        actions.addWidget(self.mode)
        actions.addWidget(QLabel("Max tokens:"))
        actions.addWidget(self.max_tokens)
        actions.addWidget(QLabel("Temperature:"))
        actions.addWidget(self.temperature)
        layout.addLayout(actions)
        self.hint = plain(QLabel())
        layout.addWidget(self.hint)

        for keys, slot in ((QKeySequence("Ctrl+Return"), self.request_fill), (QKeySequence("Ctrl+Enter"),
                                                                               self.request_fill),
                           (QKeySequence("Ctrl+R"), self.regenerate), (QKeySequence("Ctrl+S"), self.save),
                           (QKeySequence("Esc"), self.reject),
                           (QKeySequence("Ctrl+Shift+C"), self.copy_suggestion)):
            QShortcut(keys, self, slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

    def _describe_model(self) -> None:
        info = self._inference.info
        family = info.infill_family if info is not None else None
        self._suffix_first_ok = family is not None and family.suffix_first
        self.suffix_first.setVisible(self._suffix_first_ok)
        if info is None:
            self.model_note.setText("No model loaded yet.")
        elif info.infill_format:
            self.model_note.setText(f"{info.model_name} fills in the middle with its own {info.infill_format} "
                                    "infill tokens.")
        else:
            self.model_note.setText(
                f"<b>{info.model_name} has no infill tokens.</b> Fills are asked for in words through chat "
                "(<i>instruction fill</i>: less exact). For true infill load Code Llama 7B/13B or Qwen2.5-Coder "
                "(Models, Ctrl+M).")

    def _update_buttons(self) -> None:
        busy = self._pending or self._requesting
        streaming = self._stream.active
        for w in (self.open_button, self.paste_button, self.fill_button, self.language, self.save_button,
                  self.save_as_button):
            w.setEnabled(not busy)
        self.accept_button.setEnabled(self._pending and not streaming)
        self.reject_button.setEnabled(self._pending)
        self.regenerate_button.setEnabled(self._pending and not streaming)
        self.copy_button.setEnabled(bool(self._shown))
        self.editor.setReadOnly(busy)
        if self._pending and not streaming:
            self.hint.setText("Tab accepts · Esc rejects · Ctrl+R regenerates · Copy puts it on the clipboard")
        elif streaming:
            self.hint.setText("Generating… Esc stops and rejects.")
        else:
            self.hint.setText("")

    # Keys --------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.editor and event.type() == QEvent.Type.KeyPress and self._pending:
            key = event.key()
            if key == Qt.Key.Key_Tab:
                if not self._stream.active:
                    self.accept()
                return True  # while streaming Tab must not move the focus out of the editor
            if key == Qt.Key.Key_Escape:
                self.reject()
                return True
        return super().eventFilter(watched, event)

    # Asking ------------------------------------------------------------------------------------
    def request_fill(self) -> None:
        if self._pending or self._requesting:
            return
        if self._inference.info is None:
            self._show_error("The model is not loaded yet; try again when it is.")
            return
        cursor = self.editor.textCursor()
        start, end = cursor.selectionStart(), cursor.selectionEnd()
        prefix, _, suffix = _split_utf16(self.editor.toPlainText(), start, end)
        self._selection = (start, end)
        language = self.editor.highlighter.language
        single = self.mode.currentIndex() == 1
        path = self._path
        request = InfillRequest(prefix, suffix, path=path.name if path else "",
                                suffix_first=self._suffix_first_ok and self.suffix_first.isChecked())
        self._requesting = True
        self._request_id += 1
        request_id = self._request_id
        self._update_buttons()

        def go(found: RepoSnippets | None = None) -> None:
            if request_id != self._request_id or not self._requesting:
                return  # abandoned with Esc while the repository was searched
            self._requesting = False
            if found is not None and found.snippets:
                request.snippets, request.repo_name = found.snippets, found.repo_name
                request.path = found.path or request.path
                self.status.emit(f"With {len(found.snippets)} snippet(s) from the open repository: "
                                 + ", ".join(s.path for s in found.snippets[:4]))
            self._start_job(request, single, language)

        repo, runner = self._repo, self._repo_runner
        if repo is None or runner is None or repo.root is None:  # no repository open (a snapshot)
            go()
            return
        runner.submit(lambda _report: repo.infill_snippets(prefix, suffix, path), go,
                      lambda message: (log.warning("no repository snippets: %s", message), go()))

    def _start_job(self, request: InfillRequest, single_line: bool, language: str) -> None:
        sampling = copy.deepcopy(self._ctx.settings.sampling)
        sampling.max_tokens = self.max_tokens.value()
        sampling.temperature = self.temperature.value()
        self._start, self._length, self._shown, self._edited = self._selection[0], 0, "", False
        self._pending = True
        if self._selection[1] > self._selection[0]:
            self._edit(lambda c: c.removeSelectedText(), self._selection[0], self._selection[1])
        self._stream.start(self._inference.infill(request, sampling, single_line=single_line, language=language,
                                                  context_tokens=self._ctx.settings.infill_context))
        self._update_buttons()

    def _edit(self, change: Callable[[QTextCursor], None], start: int, end: int | None = None) -> None:
        """One change to the document, joined to the suggestion's single undo step."""
        cursor = QTextCursor(self.editor.document())
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

    def _render(self, text: str, final: bool = False) -> None:
        # The document stores line breaks as block separators: "\r\n" and a lone "\r" are one "\n"
        # here, or the positions counted below would drift from the document's.
        if not final and text.endswith("\r"):
            text = text[:-1]  # its "\n" may come in the next piece
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if not self._pending or not text.startswith(self._shown):
            return
        delta = text[len(self._shown):]
        if not delta:
            return
        self._edit(lambda c: c.insertText(delta), self._start + self._length)  # read-only stops the user only
        self._shown = text
        self._length += _utf16_len(delta)
        self._mark()

    def _mark(self) -> None:
        selection = QTextEdit.ExtraSelection()
        fmt = QTextCharFormat()
        accent = self.palette().highlight().color()
        fmt.setBackground(QColor(accent.red(), accent.green(), accent.blue(), 60))
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
        fmt.setUnderlineColor(accent)
        selection.format = fmt
        cursor = QTextCursor(self.editor.document())
        cursor.setPosition(self._start)
        cursor.setPosition(self._start + self._length, QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        self.editor.set_extra_marks([selection] if self._length else [])

    def _on_ended(self, state: MessageState, stats) -> None:
        if not self._pending:
            return
        self._render(self._stream.text, final=True)
        if not self._shown.strip():
            self.reject()
            self.status.emit("The model found nothing to fill in here." if state is MessageState.COMPLETE else "Stopped.")
            return
        self.status.emit(f"Suggested {stats.generated_tokens} tokens; Tab accepts, Esc rejects.")
        self._update_buttons()

    def _on_failed(self, message: str) -> None:
        if self._pending:
            self.reject()
        self._show_error(message)

    def accept(self) -> None:
        if not self._pending or self._stream.active:
            return
        self._pending = False
        self.editor.set_extra_marks([])
        cursor = self.editor.textCursor()
        cursor.setPosition(self._start + self._length)
        self.editor.setTextCursor(cursor)
        self._update_buttons()
        self.editor.setFocus()
        self.status.emit("Accepted (Ctrl+Z takes it back).")

    def reject(self) -> None:
        """Remove the suggestion: the document is exactly as before the request."""
        if self._requesting:  # still gathering repository snippets: abandon the request
            self._requesting = False
            self._update_buttons()
            return
        if not self._pending:
            return
        if self._stream.active:
            self._stream.detach()  # later text of this job is ignored
        self._pending = False
        self.editor.set_extra_marks([])
        if self._edited:
            self.editor.setReadOnly(False)
            self.editor.undo()
        cursor = self.editor.textCursor()
        cursor.setPosition(self._selection[0])
        cursor.setPosition(self._selection[1], QTextCursor.MoveMode.KeepAnchor)
        self.editor.setTextCursor(cursor)
        self._edited = False
        self._update_buttons()
        self.editor.setFocus()

    def regenerate(self) -> None:
        if not self._pending or self._stream.active:
            return
        self.reject()  # restores the cursor and selection the last request had
        self.request_fill()

    def copy_suggestion(self) -> None:
        if self._shown:
            QGuiApplication.clipboard().setText(self._shown)
            self.editor.setFocus()  # Tab and Esc act on the suggestion from the editor
            self.status.emit("Suggestion copied.")

    @property
    def suggestion(self) -> str:
        return self._shown if self._pending else ""

    # Files -------------------------------------------------------------------------------------
    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open a code file")
        if name:
            self.open_file(Path(name))

    def open_file(self, path: Path) -> None:
        if self._pending or self._requesting:
            return
        self.status.emit(f"Opening {path.name}…")
        self._runner.submit(lambda _r: read_code_file(path), lambda code: self._opened(path, code), self._show_error)

    def _opened(self, path: Path, code: CodeFile) -> None:
        if self._pending or self._requesting:
            return
        text = code.text
        self._form = code  # line ends and BOM to write back
        self.editor.setPlainText(text)
        self._path = path
        self.file_label.setText(str(path))
        self._set_language(_language_for(path.name, text))
        self.status.emit(f"Opened {path} ({text.count(chr(10)) + 1:,} lines).")

    def paste_snippet(self) -> None:
        """The clipboard's text replaces the editor's (one undo step brings the old text back)."""
        text = QGuiApplication.clipboard().text()
        if not text:
            self.status.emit("The clipboard holds no text.")
            return
        try:
            text = decode_code(text.encode("utf-8", errors="replace"), "The clipboard")
        except UserError as exc:  # binary-looking text: say so rather than paste NULs into code
            self._show_error(exc.message)
            return
        cursor = self.editor.textCursor()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        self.editor.setTextCursor(cursor)
        if self.language.currentText() == AUTO:
            self._set_language(_language_for("", text))

    def save(self) -> None:
        if self._pending or self._requesting:
            self.status.emit("Accept or reject the suggestion first.")
            return
        if self._path is None:
            self.save_as()
        else:
            self._write(self._path)

    def save_as(self) -> None:
        if self._pending or self._requesting:
            self.status.emit("Accept or reject the suggestion first.")
            return
        name, _ = QFileDialog.getSaveFileName(self, "Save code as", str(self._path or ""))
        if name:
            self._write(Path(name))

    def _write(self, path: Path) -> None:
        code = CodeFile(self.editor.toPlainText(), crlf=self._form.crlf, bom=self._form.bom)

        def write(_report) -> None:
            write_code_file(path, code)

        def saved(_result) -> None:
            self._path = path
            self.file_label.setText(str(path))
            self.editor.document().setModified(False)
            self.status.emit(f"Saved {path}.")

        self._runner.submit(write, saved, self._show_error)

    # Language ----------------------------------------------------------------------------------
    def _set_language(self, name: str) -> None:
        self.language.blockSignals(True)
        self.language.setCurrentText(name or AUTO)
        self.language.blockSignals(False)
        self.editor.set_language(name)

    def _language_chosen(self, name: str) -> None:
        if name == AUTO:
            name = _language_for(self._path.name if self._path else "", self.editor.toPlainText()[:GUESS_LIMIT])
        if self.language.findText(name) >= 0 or not name:
            self.editor.set_language(name)

    def _highlighting_changed(self, active: bool) -> None:
        if not active:
            self.status.emit("Highlighting is off for this very large file (editing and infill still work).")

    def set_code_style(self, style: str) -> None:
        self.editor.set_code_style(style)

    def shutdown(self) -> None:
        if self._stream.active:
            self._stream.detach()
        self._runner.shutdown()  # a save in progress finishes first


def _language_for(file_name: str, text: str) -> str:
    """Pygments' name for a file's language: from its name, else from its content."""
    if file_name:
        try:
            return get_lexer_for_filename(file_name, text[:GUESS_LIMIT]).name
        except ClassNotFound:
            pass
    lexer = lexer_for("", text[:GUESS_LIMIT]) if text.strip() else None
    return lexer.name if lexer is not None and not isinstance(lexer, TextLexer) else ""
