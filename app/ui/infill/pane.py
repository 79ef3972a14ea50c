"""The infill pane: a code editor where the model fills in the middle at the cursor, inline.

Flow: place the cursor (or select text to replace) and press Ctrl+Enter. The middle streams into
the editor as one undo step, marked; Tab accepts it, Esc rejects it (an undo: the text before
is restored exactly), Ctrl+R asks again. A model without infill tokens (an instruction fill) is
less exact: its middle is shown as a diff in place of the editor (preview.py), applied with
Ctrl+Shift+Enter as one undo step or discarded with Esc. The editor is read-only while a suggestion
is pending, so nothing the user typed can be tangled with it. The pane is a view: how a model fills
(app.core.infill.fill) and what the suggestion does to the document (suggestion.py) live
elsewhere; files are read and written on a task thread, the model runs on the inference thread.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from app.context import AppContext
from app.core.engine_figures import describe_figures
from app.core.errors import UserError
from app.core.infill.fill import FillDescription, FillMode, describe_fill, with_repository
from app.core.infill.prompt import InfillRequest
from app.core.repo.assistant import RepoAssistant
from app.core.repo.assistant_types import RepoSnippets
from app.core.store import MessageState
from app.ui.answer_stream import AnswerStream
from app.ui.i18n import resolve
from app.ui.infill.controls import ActionBar, FillState, reading_hint, state_hint, writing_hint
from app.ui.infill.document import EditorDocument
from app.ui.infill.editor import CodeEditor
from app.ui.infill.files import FileBar
from app.ui.infill.preview import APPLY_KEYS, InstructionPreview, PreviewPanel
from app.ui.infill.suggestion import InlineSuggestion, around_cursor, split_utf16
from app.ui.pane_support import bind_keys, bind_send_and_stop, loaded_model
from app.ui.plain_text import plain
from app.workers.inference import InferenceService
from app.workers.worker import Worker

log = logging.getLogger(__name__)


def model_note(described: FillDescription) -> str:
    """The core's words on the model's fill mode, as rich text (every word from outside escaped)."""
    headline, detail, advice = (html.escape(resolve(part)) for part in (described.headline, described.detail,
                                                                        described.advice))
    if described.mode is not FillMode.INSTRUCTION:
        return headline
    # The core's name for the mode, as its detail words it in the interface's language.
    term = html.escape(QCoreApplication.translate("InfillPane", "instruction fill"))
    return QCoreApplication.translate("InfillPane", "<b>{headline}</b> {detail} {advice} (Models, Ctrl+M).").format(
        headline=headline, detail=detail.replace(term, f"<i>{term}</i>", 1), advice=advice.rstrip(".。"))


class InfillPane(QWidget):
    status = Signal(str)

    def __init__(self, ctx: AppContext, inference: InferenceService, show_error: Callable[[UserError | str], None],
                 code_style: Callable[[], str], repo: RepoAssistant | None = None,
                 repo_runner: Worker | None = None, *, files_runner: Worker) -> None:
        super().__init__()
        self._ctx = ctx
        self._inference = inference
        self._show_error = show_error
        self._code_style = code_style
        # Definitions from the open repository join the prompt; the assistant is called on its own thread.
        self._repo, self._repo_runner = repo, repo_runner
        self._stream = AnswerStream(inference, self)
        self._request_id = 0  # bumped by each request; snippets for an abandoned one are ignored
        self._gathering = False
        self._build()
        # Files are read and written on the window's files thread (its owner stops it, after a save finishes).
        self.document = EditorDocument(self.editor, self.file_bar, files_runner, lambda: self.busy, self._report, self)
        self.document.status.connect(self.status)
        self.inline = InlineSuggestion(self.editor)
        self.preview = InstructionPreview(self.editor, self.preview_panel)
        self._stream.render.connect(self.inline.show)
        self._stream.ended.connect(self._on_ended)
        self._stream.failed.connect(self._on_failed)
        self._stream.progress.connect(self._on_progress)
        inference.loaded.connect(lambda _info: self._describe_model())
        inference.loading.connect(lambda name: self.model_note.setText(
            self.tr("Loading {name}…").format(name=html.escape(name))))
        self._describe_model()
        self._update_buttons()

    # Layout ------------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.file_bar = bar = FileBar()
        for button, slot in zip(bar.buttons, (self.choose_file, self.paste_snippet, self.save, self.save_as)):
            button.clicked.connect(slot)
        self.open_button, self.paste_button, self.save_button, self.save_as_button = bar.buttons
        self.language, self.file_label = bar.language, bar.file_label
        layout.addWidget(bar)

        self.model_note = QLabel()  # rich text: model_note() escapes the model's name
        self.model_note.setTextFormat(Qt.TextFormat.RichText)
        self.model_note.setWordWrap(True)
        layout.addWidget(self.model_note)

        self.editor = CodeEditor(style=self._code_style())
        self.editor.setPlaceholderText(self.tr("Open or paste code, put the cursor where code is missing (or "
                                               "select code to replace) and press Ctrl+Enter."))
        self.editor.installEventFilter(self)
        self.preview_panel = PreviewPanel(style=self._code_style())
        self.stack = QStackedWidget()  # the editor, or an instruction fill's diff in its place
        self.stack.addWidget(self.editor)
        self.stack.addWidget(self.preview_panel)
        layout.addWidget(self.stack, 1)

        self.actions = ActionBar()
        for button, slot in zip(self.actions.buttons, (self.request_fill, self.accept, self.reject, self.regenerate,
                                                       self.copy_suggestion)):
            button.clicked.connect(slot)
        (self.fill_button, self.accept_button, self.reject_button, self.regenerate_button,
         self.copy_button) = self.actions.buttons
        self.options = options = self.actions.options
        self.mode, self.suffix_first, self.max_tokens, self.temperature = (options.mode, options.suffix_first,
                                                                           options.max_tokens, options.temperature)
        layout.addWidget(self.actions)
        self.hint = plain(QLabel())
        self.figures = plain(QLabel())  # the last fill's figures, quietly at the side
        self.figures.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        status_row = QHBoxLayout()
        status_row.addWidget(self.hint, 1)
        status_row.addWidget(self.figures)
        layout.addLayout(status_row)

        bind_send_and_stop(self, self.request_fill, self.reject)
        bind_keys(self, {"Ctrl+R": self.regenerate, "Ctrl+S": self.save, "Ctrl+Shift+C": self.copy_suggestion,
                         **{keys: self.accept for keys in APPLY_KEYS}})

    def _describe_model(self) -> None:
        described = describe_fill(self._inference.info)
        self.options.offer_suffix_first(described.suffix_first)
        self.model_note.setText(model_note(described))

    @property
    def state(self) -> FillState:
        if self._gathering:
            return FillState.GATHERING
        if self._stream.active:
            return FillState.STREAMING
        if self.preview.active:
            return FillState.PREVIEWING
        return FillState.REVIEWING if self.inline.active else FillState.IDLE

    @property
    def busy(self) -> bool:
        """A fill is being prepared, streamed or reviewed: the text and the file are not to change."""
        return self.state is not FillState.IDLE

    @property
    def streaming(self) -> bool:
        return self.state is FillState.STREAMING

    @property
    def suggestion(self) -> str:
        """The pending suggestion's text, inline or previewed ('' when none is pending)."""
        if self.preview.active:
            return self.preview.middle
        return self.inline.text if self.inline.active else ""

    @property
    def path(self) -> Path | None:
        """The file the editor holds (None: text not saved anywhere yet)."""
        return self.document.path

    def _update_buttons(self) -> None:
        state = self.state
        self.file_bar.enable(state is FillState.IDLE)
        self.actions.show_state(state, bool(self.suggestion), preview=self.preview.waiting or self.preview.active)
        self.editor.setReadOnly(state is not FillState.IDLE)
        self.stack.setCurrentWidget(self.preview_panel if self.preview.active else self.editor)
        self.hint.setText(writing_hint() if self.preview.waiting and state is FillState.STREAMING
                          else state_hint(state))

    def _report(self, error: UserError | str) -> None:
        """A UserError keeps its retry hint on the way to the one error display; text from older code works too."""
        self._show_error(error)

    # Keys --------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.editor and event.type() == QEvent.Type.KeyPress and self.inline.active:
            key = event.key()
            if key == Qt.Key.Key_Tab:
                if not self.streaming:
                    self.accept()
                return True  # while streaming Tab must not move the focus out of the editor
            if key == Qt.Key.Key_Escape:
                self.reject()
                return True
        return super().eventFilter(watched, event)

    # Asking ------------------------------------------------------------------------------------
    def request_fill(self) -> None:
        if self.busy:
            return
        info = loaded_model(self._inference.info, self._report)
        if info is None:
            return
        prefix, suffix, selection = around_cursor(self.editor)
        path = self.document.path
        request = InfillRequest(prefix, suffix, path=path.name if path else "",
                                suffix_first=self.options.wants_suffix_first)
        language, single_line = self.editor.highlighter.language, self.options.single_line
        preview = describe_fill(info).mode is FillMode.INSTRUCTION  # less exact: reviewed as a diff first
        selected = split_utf16(self.editor.toPlainText(), *selection)[1]
        self._gathering = True
        self._request_id += 1
        request_id = self._request_id
        self._update_buttons()

        def go(found: RepoSnippets | None = None) -> None:
            if request_id != self._request_id or not self._gathering:
                return  # abandoned with Esc while the repository was searched
            self._gathering = False
            if found is not None and found.snippets:
                self.status.emit(self.tr("With %n snippet(s) from the open repository: {paths}", "",
                                         len(found.snippets)).format(paths=", ".join(s.path for s in found.snippets[:4])))
            if preview:
                self.preview.begin(prefix, selected, suffix, selection)
            self._start_job(with_repository(request, found), selection, single_line, language)

        repo, runner = self._repo, self._repo_runner
        if not describe_fill(info).uses_repository or repo is None or runner is None or repo.root is None:
            go()  # no repository open (or a model that would not use its definitions)
            return
        runner.submit(lambda _report: repo.infill_snippets(prefix, suffix, path), go,
                      lambda error: (log.warning("no repository snippets: %s", error), go()))

    def _start_job(self, request: InfillRequest, selection: tuple[int, int], single_line: bool,
                   language: str) -> None:
        sampling = self.options.sampling(self._ctx.settings.sampling)
        self.figures.clear()
        if not self.preview.waiting:
            self.inline.begin(selection)
        self._stream.start(self._inference.infill(request, sampling, single_line=single_line, language=language,
                                                  context_tokens=self._ctx.settings.infill_context))
        self._update_buttons()

    def _on_progress(self, done: int, total: int) -> None:
        """The prompt is read in batches: how far, until the middle starts to come."""
        if self.state is FillState.STREAMING:
            writing = writing_hint() if self.preview.waiting else state_hint(FillState.STREAMING)
            self.hint.setText(reading_hint(done, total) if done < total else writing)

    def _on_ended(self, state: MessageState, stats) -> None:
        self.figures.setText(resolve(describe_figures(stats)))
        if self.preview.waiting:
            self._preview_ready(state, stats)
            return
        if not self.inline.active:
            return
        self.inline.show(self._stream.text, final=True)
        if not self.inline.text.strip():
            self.reject()
            self.status.emit(self.tr("The model found nothing to fill in here.") if state is MessageState.COMPLETE
                             else self.tr("Stopped."))
            return
        self.status.emit(self.tr("Suggested %n tokens; Tab accepts, Esc rejects.", "", stats.generated_tokens))
        self._update_buttons()

    def _preview_ready(self, state: MessageState, stats) -> None:
        preview = self.preview.show(self._stream.text)
        self._update_buttons()
        if preview is None:
            self.status.emit(self.tr("The model found nothing to fill in here.") if state is MessageState.COMPLETE
                             else self.tr("Stopped."))
            self.editor.setFocus()
            return
        self.preview_panel.view.setFocus()  # the pane's keys act from the diff
        self.status.emit(self.tr("Suggested {summary} (%n tokens); Ctrl+Shift+Enter applies, Esc discards.", "",
                                 stats.generated_tokens).format(summary=resolve(preview.summary)))

    def _on_failed(self, error: UserError | str) -> None:
        if self.inline.active or self.preview.waiting:
            self.reject()
        self._report(error)

    def accept(self) -> None:
        if self.state is FillState.PREVIEWING:
            self.preview.apply()
            self._update_buttons()
            self.editor.setFocus()
            self.status.emit(self.tr("Applied as one step (Ctrl+Z takes it back)."))
            return
        if self.state is not FillState.REVIEWING:
            return
        self.inline.accept()
        self._update_buttons()
        self.editor.setFocus()
        self.status.emit(self.tr("Accepted (Ctrl+Z takes it back)."))

    def reject(self) -> None:
        """Remove the suggestion: the document is exactly as before the request."""
        if self._gathering:  # still gathering repository snippets: abandon the request
            self._gathering = False
            self._update_buttons()
            return
        if self.preview.waiting or self.preview.active:  # nothing was put into the document
            if self._stream.active:
                self._stream.detach()
            self.preview.clear()
            self._update_buttons()
            self.editor.setFocus()
            return
        if not self.inline.active:
            return
        if self._stream.active:
            self._stream.detach()  # later text of this job is ignored
        self.inline.reject()
        self._update_buttons()
        self.editor.setFocus()

    def regenerate(self) -> None:
        if self.state not in (FillState.REVIEWING, FillState.PREVIEWING):
            return
        self.reject()  # restores the cursor and selection the last request had
        self.request_fill()

    def copy_suggestion(self) -> None:
        if text := self.suggestion or self.inline.text:
            QGuiApplication.clipboard().setText(text)
            if not self.preview.active:
                self.editor.setFocus()  # Tab and Esc act on the suggestion from the editor
            self.status.emit(self.tr("Suggestion copied."))

    # The document (document.py): the pane's own buttons, menus and tests call these -----------
    def choose_file(self) -> None:
        self.document.choose_file()

    def open_file(self, path: Path) -> None:
        self.document.open_file(path)

    def paste_snippet(self) -> None:
        self.document.paste_snippet()

    def save(self) -> None:
        self.document.save()

    def save_as(self) -> None:
        self.document.save_as()

    def save_to(self, path: Path) -> None:
        self.document.save_to(path)

    def set_code_style(self, style: str) -> None:
        self.editor.set_code_style(style)
        self.preview_panel.view.set_code_style(style)

    def shutdown(self) -> None:
        if self._stream.active:
            self._stream.detach()
