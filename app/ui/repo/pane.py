"""The repository pane: drop a folder in, ask about it, follow citations into the code.

A view over the repository assistant (app.core.repo.assistant), whose calls run on the repository
thread (the Worker it is given; that thread owns the index); generation runs on the inference
thread. The pane only turns input into calls and shows their results. Follow-up questions keep the
first question's packed context as the start of the prompt; "New question" packs afresh.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QSplitter, QVBoxLayout, QWidget

from app.context import AppContext
from app.core.engine_figures import describe_figures, describe_prompt_progress
from app.core.repo.assistant import RepoAssistant
from app.core.repo.assistant_types import EmptyRepoError, OpenedRepo, PreparedQuestion, RepoState, follow_up
from app.core.repo.session import RepoSession
from app.core.settings import repo_rules
from app.core.store import MessageState
from app.ui.answer_stream import AnswerStream
from app.ui.i18n import resolve
from app.ui.pane_support import bind_send_and_stop, loaded_model
from app.ui.plain_text import plain
from app.ui.repo.answers import AnswerColumn
from app.ui.repo.citations import CitationOpener
from app.ui.repo.context_table import ContextTable
from app.ui.repo.conversation import RepoConversation
from app.ui.repo.file_tree import FileTree
from app.ui.repo.repo_bar import RepoBar
from app.workers.inference import InferenceService
from app.workers.worker import Worker

log = logging.getLogger(__name__)


class RepoPane(QWidget):
    status = Signal(str)
    question_sent = Signal(object)  # the PreparedQuestion given to the model, as it is sent

    def __init__(self, ctx: AppContext, inference: InferenceService, show_error: Callable[[str], None],
                 code_style: Callable[[], str], assistant: RepoAssistant, runner: Worker) -> None:
        super().__init__()
        self._ctx, self._inference, self._show_error, self._code_style = ctx, inference, show_error, code_style
        self._assistant = assistant  # called only on `runner`'s thread
        self._runner = runner
        self._root: Path | None = None  # of the repository shown
        self._known_paths: frozenset[str] = frozenset()
        self._session: RepoSession | None = None  # the conversation shown
        self._stream = AnswerStream(inference, self)
        self._pending_question = ""
        self._generation = 0  # bumped by each open: results of older tasks are ignored
        self._task: RepoState | None = None  # INDEXING or PACKING while such a task is in flight
        self._cancel = threading.Event()  # ends a running index update at shutdown
        self._citations = CitationOpener(self, assistant, runner, code_style, show_error)
        self._build()
        self._stream.render.connect(self.conversation.render)
        self._stream.ended.connect(self._on_ended)
        self._stream.failed.connect(self._on_failed)
        self._stream.progress.connect(self._on_prompt_progress)
        self._figures: QLabel | None = None  # under the answer being written: prompt progress, then figures
        self.setAcceptDrops(True)

    # What is shown -----------------------------------------------------------------------------
    @property
    def root(self) -> Path | None:
        return self._root

    @property
    def session(self) -> RepoSession | None:
        """The conversation shown: its packed context and the turns since (None: the next question packs)."""
        return self._session

    @property
    def known_paths(self) -> frozenset[str]:
        return self._known_paths

    @property
    def excluded(self) -> frozenset[str]:
        return self.tree.excluded

    @property
    def state(self) -> RepoState:
        if self._stream.active:
            return RepoState.ANSWERING
        if self._task is not None:
            return self._task
        return RepoState.IDLE if self._root is None else RepoState.READY

    # Layout ------------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.bar = RepoBar()
        self.open_button, self.recent, self.rules_button = self.bar.open_button, self.bar.recent, self.bar.rules_button
        self.progress = self.bar.progress
        self.open_button.clicked.connect(self.choose_folder)
        self.recent.textActivated.connect(lambda text: self.open_folder(Path(text)))
        self.rules_button.clicked.connect(self.edit_rules)
        self.bar.show_recent(self._ctx.settings.recent_repos, -1)
        layout.addWidget(self.bar)
        self.summary = plain(QLabel(self.tr("Drop a project folder here, or open one, then ask about it.")))
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.tree = FileTree()
        splitter.addWidget(self.tree)
        middle = AnswerColumn()
        self.scroll, box = middle.answers, middle.box
        self.conversation = RepoConversation(self.scroll, self._code_style, self.open_citation, lambda: self._known_paths)
        self.question, self.budget = box.question, box.budget
        self.ask_button, self.stop_button, self.new_button = box.ask_button, box.stop_button, box.new_button
        self.ask_button.clicked.connect(self.ask)
        self.stop_button.clicked.connect(self.stop)
        self.new_button.clicked.connect(self.new_question)
        bind_send_and_stop(self, self.ask, self.stop)
        splitter.addWidget(middle)
        self.context_table = ContextTable()
        self.seen, self.seen_total = self.context_table.table, self.context_table.total
        self.seen.cellDoubleClicked.connect(self._open_seen)
        splitter.addWidget(self.context_table)
        splitter.setSizes([260, 620, 300])
        layout.addWidget(splitter, 1)
        self._update_buttons()

    def _update_buttons(self) -> None:
        state = self.state
        idle = state in (RepoState.IDLE, RepoState.READY)
        self.ask_button.setEnabled(state is RepoState.READY)
        self.stop_button.setEnabled(state is RepoState.ANSWERING)
        self.new_button.setEnabled(idle and self._session is not None)
        for widget in (self.open_button, self.rules_button, self.recent):
            widget.setEnabled(idle)

    # Opening and indexing ----------------------------------------------------------------------
    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Open a repository"), str(Path.home()))
        if path:
            self.open_folder(Path(path))

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if any(Path(u.toLocalFile()).is_dir() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        folders = [Path(u.toLocalFile()) for u in event.mimeData().urls() if Path(u.toLocalFile()).is_dir()]
        if folders:
            self.open_folder(folders[0])

    def open_folder(self, path: Path) -> None:
        if self.state not in (RepoState.IDLE, RepoState.READY):
            return
        self._generation += 1
        generation = self._generation
        self._root = None
        self.conversation.clear()
        self.new_question()
        self.bar.indexing()
        self.summary.setText(self.tr("Indexing {path}…").format(path=path))
        assistant, rules, cancel = self._assistant, repo_rules(self._ctx.settings), self._cancel
        self._run(RepoState.INDEXING, lambda report: (generation, assistant.open(path, rules, cancel, report)),
                  self._opened, self._open_failed, self.bar.index_progress)

    def edit_rules(self) -> None:
        from app.ui.repo.rules_dialog import RulesDialog

        dialog = RulesDialog(self._ctx.settings, self)
        if dialog.exec() != RulesDialog.DialogCode.Accepted:
            return
        dialog.apply_to(self._ctx.settings_owner)
        if self._root is not None:
            self.open_folder(self._root)  # re-index under the new rules

    def _run(self, task: RepoState, work: Callable, on_done: Callable, on_error: Callable,
             on_progress: Callable | None = None) -> None:
        """Run `work` on the repository thread as the pane's one task in flight."""
        def finish(callback: Callable) -> Callable:
            def call(value) -> None:
                self._task = None
                callback(value)
                self._update_buttons()
            return call

        self._task = task
        self._update_buttons()
        self._runner.submit(work, finish(on_done), finish(on_error), on_progress)

    def _open_failed(self, message: str) -> None:
        self.bar.indexed()
        self.summary.setText(self.tr("Could not open that folder."))
        self._show_error(message)

    def _opened(self, result: tuple[int, OpenedRepo]) -> None:
        generation, opened = result
        if generation != self._generation:
            return
        self.bar.indexed()
        root = self._root = opened.root
        self.summary.setText(resolve(opened.summary()))
        if opened.empty:
            self._show_error(self.tr("{reason}.").format(reason=resolve(EmptyRepoError(root).message)))
        self._show_files(opened.files, keep_excluded=False)
        # Saved by the owner soon after, not only on a clean exit.
        self._ctx.update_settings(recent_repos=([str(root)] + [r for r in self._ctx.settings.recent_repos
                                                                if r != str(root)])[:10])
        self.bar.show_recent(self._ctx.settings.recent_repos, 0)
        if opened.session is not None:
            self._resume(opened.session)

    def _show_files(self, files, keep_excluded: bool) -> None:
        self._known_paths = frozenset(f.path for f in files)
        self.tree.show_files(files, keep_excluded=keep_excluded)

    def _resume(self, session: RepoSession) -> None:
        """Show the last conversation on this repository; a follow-up continues it (and its saved state)."""
        self._session = session
        self.context_table.show_context(session.context)
        self.conversation.show_session(session)
        self.status.emit(self.tr("The last conversation on this repository is shown; a follow-up continues it, "
                                 "New question starts afresh."))

    # Asking ------------------------------------------------------------------------------------
    def new_question(self) -> None:
        self._session = None
        self.context_table.clear()
        self._update_buttons()

    def ask(self) -> None:
        question = self.question.toPlainText().strip()
        if self.state is not RepoState.READY:
            return
        if not question:
            self.status.emit(self.tr("Type a question first."))
            return
        info = loaded_model(self._inference.info, self._show_error, kept=self.tr("the question"))
        if info is None:
            return
        answer_tokens = self._ctx.settings.sampling.max_tokens
        if self._session is not None:
            prepared, why = follow_up(self._session, question, info.n_ctx, answer_tokens, self.tree.excluded)
            if prepared is not None:
                self._send(prepared)  # the same prompt prefix: its cached state is reused
                return
            self.status.emit(resolve(why))
            self.new_question()
        assistant, generation, model_path = self._assistant, self._generation, Path(info.model_path)
        budget, exclude, rules, cancel = self.budget.value(), self.tree.excluded, repo_rules(self._ctx.settings), self._cancel

        def work(_report):  # edits made since the folder was opened are indexed first
            return generation, assistant.prepare(question, info.n_ctx, assistant.counter_for(model_path),
                                                 answer_tokens, budget, exclude=exclude, rules=rules, cancel=cancel)

        self.status.emit(self.tr("Choosing the code for this question…"))
        self._run(RepoState.PACKING, work, self._packed, self._show_error)

    def _packed(self, result: tuple[int, PreparedQuestion]) -> None:
        generation, prepared = result
        if generation != self._generation:  # another folder was opened meanwhile
            return
        if prepared.files is not None:  # files changed since the last look: show the tree as it is now
            self._show_files(prepared.files, keep_excluded=True)
            self.status.emit(self.tr("Files changed since the folder was opened; the index was updated."))
        self._session = prepared.session
        self.context_table.show_context(prepared.session.context)
        self._send(prepared)

    def _send(self, prepared: PreparedQuestion) -> None:
        self.question.clear()
        self.conversation.start_answer(prepared.question)
        self._pending_question = prepared.question
        self.question_sent.emit(prepared)
        # The state is saved on disk too, so a question after re-opening the repository starts from it.
        self._stream.start(self._inference.chat(prepared.messages, self._ctx.settings.sampling,  # a snapshot
                                                keep_leading=prepared.keep_leading,
                                                state_scope=prepared.state_scope))
        self._figures = self.scroll.add_figures(resolve(describe_prompt_progress(0, 1, self.tr("the context"))))
        self._update_buttons()
        self.status.emit(self.tr("Answering…"))

    def _on_prompt_progress(self, done: int, total: int) -> None:
        text = resolve(describe_prompt_progress(done, total, self.tr("the context")))
        if self._figures is not None:
            self._figures.setText(text)
        self.status.emit(text)

    def stop(self) -> None:
        self._stream.stop()

    def _done(self, state: MessageState) -> None:
        self._figures = None  # the next answer gets its own
        text = self._stream.text
        self.conversation.finish(state, text, self._session)
        if self._session is not None and state is not MessageState.FAILED and text.strip():
            self._session.record(self._pending_question, text)
            # A copy: the next turn may change the shown conversation while this one is written.
            session, assistant = self._session.snapshot(), self._assistant
            self._runner.submit(lambda _report: assistant.save(session), None,
                                lambda error: log.warning("could not save the conversation: %s", error))
        elif self._session is not None and not self._session.history:
            self._session = None  # the first answer failed: the next question packs afresh
        self._update_buttons()

    def _on_ended(self, state: MessageState, stats) -> None:
        if self._figures is not None:
            self._figures.setText(resolve(describe_figures(stats)))
        self._done(state)
        self.status.emit(self.tr("%n tokens; {reused} of {prompt} prompt tokens reused from the cache", "",
                                 stats.generated_tokens).format(reused=f"{stats.reused_tokens:,}",
                                                                prompt=f"{stats.prompt_tokens:,}"))

    def _on_failed(self, message: str) -> None:
        if self._figures is not None:
            self._figures.hide()  # no figures for an answer that failed; the error says why
        self._done(MessageState.FAILED)
        self._show_error(message)

    def set_code_style(self, style: str) -> None:
        """Show the conversation again in a new code style (after a theme change)."""
        self.conversation.restyle(style)

    # Citations ---------------------------------------------------------------------------------
    def _open_seen(self, row: int, _column: int) -> None:
        if self._session is not None and row < len(self._session.context.chunks):
            self._citations.open_chunk(self._session.context.chunks[row])

    def open_citation(self, link: str) -> None:
        if self._root is not None:
            self._citations.open_link(link)

    @property
    def viewer(self):
        """The code viewer last opened from a citation (None before the first)."""
        return self._citations.viewer

    def shutdown(self) -> None:
        """Stop answering and end an index update in progress at its next file."""
        self.stop()
        self._cancel.set()
