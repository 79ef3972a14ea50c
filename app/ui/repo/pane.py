"""The repository pane: drop a folder in, ask about it, follow citations into the code.

Indexing and packing run on the repository thread, generation on the inference thread; the pane
only sends jobs and renders results. The first question packs the context; follow-up questions
keep that context as the unchanged start of the prompt, so llama.cpp reuses its KV cache and only
the new question is evaluated. "New question" packs afresh.
"""

from __future__ import annotations

import copy
import logging
import threading
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.core.prompts.chat import ChatMessage
from app.core.repo.ask import build_repo_messages, context_budget, linkify_citations, parse_citation_link
from app.core.repo.pack import PackResult
from app.core.repo.session import RepoSession, load_session, save_session
from app.core.safe_read import read_inside
from app.core.settings import repo_rules
from app.ui.answer_stream import AnswerStream
from app.ui.chat.message_view import MessageView
from app.ui.highlight import code_html
from app.workers.inference import InferenceService
from app.workers.tasks import TaskRunner

CITED_FILE_BYTES = 20 * 1024 * 1024  # a cited file is source code; a bigger one is not shown

log = logging.getLogger(__name__)


class CodeViewer(QDialog):
    """The cited lines (with a little context), highlighted, with a Copy button."""

    def __init__(self, path: str, start: int, end: int, lines: list[str], style: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{path}:{start}-{end}")
        self.resize(820, 560)
        first = max(1, start - 3)
        last = min(len(lines), end + 3)
        self.code = "\n".join(lines[start - 1 : end])
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(f"{path}, lines {start}-{end} (shown {first}-{last})"))
        top.addStretch(1)
        copy_button = QPushButton("Copy")
        copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.code))
        top.addWidget(copy_button)
        layout.addLayout(top)
        self.view = QTextBrowser()
        self.view.setLineWrapMode(QTextBrowser.LineWrapMode.NoWrap)
        numbered = "\n".join(lines[first - 1 : last])
        self.view.setHtml(code_html(numbered, Path(path).suffix.lstrip(".") or "text", style))
        layout.addWidget(self.view)


class RepoPane(QWidget):
    status = Signal(str)

    def __init__(self, ctx: AppContext, inference: InferenceService, show_error: Callable[[str], None],
                 code_style: Callable[[], str]) -> None:
        super().__init__()
        self._ctx = ctx
        self._inference = inference
        self._show_error = show_error
        self._code_style = code_style
        self._runner = TaskRunner("repository", self)
        self._sessions_dir = ctx.paths.cache / "repo-sessions"
        self._index = None  # RepoIndex, used only on the repository thread
        self._counter = None  # (model path, VocabCounter), used only on the repository thread
        self._root: Path | None = None
        self._known_paths: set[str] = set()
        self._excluded: set[str] = set()
        self._context: PackResult | None = None
        self._history: list[ChatMessage] = []  # user/assistant turns after the context message
        self._stream = AnswerStream(inference, self)
        self._answer_view: MessageView | None = None
        self._generation = 0  # bumped by each open: results of older tasks are ignored
        self._pending = 0  # repository-thread tasks in flight (open, pack)
        self._cancel = threading.Event()  # ends a running index update at shutdown
        self._build()
        self._stream.render.connect(self._render)
        self._stream.ended.connect(self._on_ended)
        self._stream.failed.connect(self._on_failed)
        self.setAcceptDrops(True)

    # Layout ------------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.open_button = QPushButton("Open folder…")
        self.open_button.clicked.connect(self.choose_folder)
        top.addWidget(self.open_button)
        self.recent = QComboBox()
        self.recent.setPlaceholderText("Recent repositories")
        self.recent.addItems(self._ctx.settings.recent_repos)
        self.recent.setCurrentIndex(-1)
        self.recent.textActivated.connect(lambda text: self.open_folder(Path(text)))
        top.addWidget(self.recent, 1)
        self.rules_button = QPushButton("Rules…")
        self.rules_button.setToolTip("What is indexed: .gitignore, size limit, extra excludes and includes")
        self.rules_button.clicked.connect(self.edit_rules)
        top.addWidget(self.rules_button)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        top.addWidget(self.progress)
        layout.addLayout(top)
        self.summary = QLabel("Drop a project folder here, or open one, then ask about it.")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["File", "Tokens"])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.itemChanged.connect(self._tree_changed)
        splitter.addWidget(self.tree)

        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.answers = QWidget()
        self._answers_layout = QVBoxLayout(self.answers)
        self._answers_layout.addStretch(1)
        self.scroll.setWidget(self.answers)
        middle_layout.addWidget(self.scroll, 1)
        ask_row = QHBoxLayout()
        self.question = QPlainTextEdit()
        self.question.setPlaceholderText("Ask about the code (Ctrl+Enter): where is…, why does…, how do I…")
        self.question.setMaximumHeight(80)
        ask_row.addWidget(self.question, 1)
        buttons = QVBoxLayout()
        self.ask_button = QPushButton("Ask")
        self.ask_button.clicked.connect(self.ask)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop)
        self.new_button = QPushButton("New question")
        self.new_button.setToolTip("Forget the packed context and pack afresh for the next question")
        self.new_button.clicked.connect(self.new_question)
        for b in (self.ask_button, self.stop_button, self.new_button):
            buttons.addWidget(b)
        ask_row.addLayout(buttons)
        middle_layout.addLayout(ask_row)
        budget_row = QHBoxLayout()
        budget_row.addWidget(QLabel("Context budget (tokens, 0 = what the model leaves):"))
        self.budget = QSpinBox()
        self.budget.setRange(0, 1_000_000)
        self.budget.setSingleStep(1024)
        budget_row.addWidget(self.budget)
        budget_row.addStretch(1)
        middle_layout.addLayout(budget_row)
        splitter.addWidget(middle)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(QLabel("What the model saw"))
        self.seen = QTableWidget(0, 3)
        self.seen.setHorizontalHeaderLabels(["Code", "Score", "Tokens"])
        self.seen.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.seen.verticalHeader().hide()
        self.seen.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.seen.cellDoubleClicked.connect(self._open_seen)
        right_layout.addWidget(self.seen, 1)
        self.seen_total = QLabel("")
        right_layout.addWidget(self.seen_total)
        splitter.addWidget(right)
        splitter.setSizes([260, 620, 300])
        layout.addWidget(splitter, 1)
        self._update_buttons()

    def _update_buttons(self) -> None:
        answering = self._stream.active
        busy = answering or self._pending > 0
        self.ask_button.setEnabled(not busy and self._root is not None)
        self.stop_button.setEnabled(answering)
        self.new_button.setEnabled(not busy and self._context is not None)
        self.open_button.setEnabled(not busy)
        self.rules_button.setEnabled(not busy)
        self.recent.setEnabled(not busy)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.ask()
        elif event.key() == Qt.Key.Key_Escape:
            self.stop()
        else:
            super().keyPressEvent(event)

    # Opening and indexing ----------------------------------------------------------------------
    def choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open a repository", str(Path.home()))
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
        if self._stream.active or self._pending:
            return
        cache = self._ctx.paths.cache / "repos"
        self._generation += 1
        generation = self._generation
        self._root = None
        self._clear_answers()
        self.new_question()
        self.progress.setRange(0, 0)
        self.progress.show()
        self.summary.setText(f"Indexing {path}…")
        cancel = self._cancel
        rules = repo_rules(self._ctx.settings)
        sessions = self._sessions_dir

        def work(report):
            from app.core.repo.index import IndexStats, RepoIndex
            from app.core.repo.pack import file_sizes

            index = RepoIndex(path, cache)  # built first, swapped in only once it worked
            try:
                stats = None
                for step in index.update_steps(rules, cancel=cancel):
                    if isinstance(step, IndexStats):
                        stats = step
                    else:
                        report(step)
                sizes = file_sizes(index)
            except BaseException:
                index.close()
                raise
            if self._index is not None:
                self._index.close()
            self._index = index
            # The last conversation continues only over the code it was asked about.
            unchanged = stats is not None and not stats.reindexed and not stats.removed
            session = load_session(sessions, index.root) if unchanged else None
            return generation, index.root, stats, sizes, session

        self._pending += 1
        self._update_buttons()
        self._runner.submit(work, self._opened, self._open_failed, self._index_progress)

    def edit_rules(self) -> None:
        from app.ui.repo.rules_dialog import RulesDialog

        dialog = RulesDialog(self._ctx.settings, self)
        if dialog.exec() != RulesDialog.DialogCode.Accepted:
            return
        dialog.apply_to(self._ctx.settings)
        if self._root is not None:
            self.open_folder(self._root)  # re-index under the new rules

    def _index_progress(self, step) -> None:
        self.progress.setRange(0, step.total)
        self.progress.setValue(step.done)

    def _clear_answers(self) -> None:
        while self._answers_layout.count() > 1:
            widget = self._answers_layout.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()

    def _open_failed(self, message: str) -> None:
        self._pending -= 1
        self._update_buttons()
        self.progress.hide()
        self.summary.setText("Could not open that folder.")
        self._show_error(message)

    def _opened(self, result) -> None:
        self._pending -= 1
        generation, root, stats, sizes, session = result
        if generation != self._generation:
            self._update_buttons()
            return
        self.progress.hide()
        self._root = root
        self._known_paths = {p for p, _ in sizes}
        self._excluded = set()  # a newly opened folder starts with everything included
        skipped = len(stats.skipped)
        reasons: dict[str, int] = {}
        for s in stats.skipped:
            key = s.reason.split(" (")[0]
            reasons[key] = reasons.get(key, 0) + 1
        detail = ", ".join(f"{n} {r}" for r, n in sorted(reasons.items(), key=lambda kv: -kv[1])[:5])
        self.summary.setText(
            f"{root}: {stats.files:,} files, {stats.chunks:,} chunks ({stats.reindexed:,} read now)"
            + (f"; {skipped:,} skipped: {detail}" if skipped else "")
            + ("; the file limit was reached" if stats.truncated else ""))
        if stats.files == 0:
            self._show_error(f"{root} has no source files to index (empty, or everything is ignored).")
        self._fill_tree(sizes)
        recent = [str(root)] + [r for r in self._ctx.settings.recent_repos if r != str(root)]
        self._ctx.settings.recent_repos = recent[:10]
        self.recent.clear()
        self.recent.addItems(self._ctx.settings.recent_repos)
        self.recent.setCurrentIndex(0)
        if session is not None:
            self._resume(session)
        self._update_buttons()

    def _resume(self, session: RepoSession) -> None:
        """Show the last conversation on this repository; a follow-up continues it (and its saved state)."""
        self._context = session.context
        self._history = list(session.history)
        self._show_context(session.context)
        self._add_view("user", session.context.question)
        for message in self._history:
            self._add_view(message.role, message.content)
        self.status.emit("The last conversation on this repository is shown; a follow-up continues it, "
                         "New question starts afresh.")

    def _fill_tree(self, sizes: list[tuple[str, int]]) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        folders: dict[str, QTreeWidgetItem] = {}
        for path, tokens in sizes[:20000]:  # a tree widget beyond this helps no one
            parent: QTreeWidget | QTreeWidgetItem = self.tree
            parts = path.split("/")
            for depth in range(1, len(parts)):
                key = "/".join(parts[:depth])
                if key not in folders:
                    item = QTreeWidgetItem(parent, [parts[depth - 1], ""])
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsAutoTristate | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(0, Qt.CheckState.Checked)
                    folders[key] = item
                parent = folders[key]
            leaf = QTreeWidgetItem(parent, [parts[-1], f"{tokens:,}"])
            leaf.setFlags(leaf.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            leaf.setCheckState(0, Qt.CheckState.Unchecked if path in self._excluded else Qt.CheckState.Checked)
            leaf.setData(0, Qt.ItemDataRole.UserRole, path)
            leaf.setTextAlignment(1, Qt.AlignmentFlag.AlignRight)
        self.tree.blockSignals(False)

    def _tree_changed(self, item: QTreeWidgetItem, column: int) -> None:
        path = item.data(0, Qt.ItemDataRole.UserRole)
        if path is None or column != 0:
            return
        if item.checkState(0) == Qt.CheckState.Checked:
            self._excluded.discard(path)
        else:
            self._excluded.add(path)

    # Asking ------------------------------------------------------------------------------------
    def new_question(self) -> None:
        self._context = None
        self._history = []
        self.seen.setRowCount(0)
        self.seen_total.setText("")
        self._update_buttons()

    def ask(self) -> None:
        question = self.question.toPlainText().strip()
        if self._stream.active or self._root is None:
            return
        if not question:
            self.status.emit("Type a question first.")
            return
        info = self._inference.info
        if info is None:
            self._show_error("The model is not loaded yet; the question is kept in the box.")
            return
        sampling = self._ctx.settings.sampling
        if self._context is not None:
            if self._context.used_tokens + sampling.max_tokens + 256 <= info.n_ctx:
                self._send(question)  # a follow-up: same packed context, same prompt prefix
                return
            # Packed for a larger window (another model, a resumed conversation): start afresh.
            self.status.emit("The code packed for this conversation does not fit this model's context; "
                             "choosing code for the question afresh.")
            self.new_question()
        budget = self.budget.value()
        model_path = Path(info.model_path)
        exclude = frozenset(self._excluded)

        rules = repo_rules(self._ctx.settings)
        cancel = self._cancel

        def work(_report):
            from app.core.repo.pack import file_sizes, pack

            # Catch edits made since the folder was opened: only changed files are re-read.
            stats = self._index.update(rules, cancel)
            sizes = file_sizes(self._index) if (stats.reindexed or stats.removed) else None
            counter = self._counter_for(model_path)
            overhead = sum(counter(m.content) for m in build_repo_messages("", question)) + 64
            room = context_budget(info.n_ctx, overhead, sampling.max_tokens, budget, followups=True)
            return generation, pack(self._index, question, room, counter, exclude), sizes

        generation = self._generation
        self._pending += 1
        self._update_buttons()
        self.status.emit("Choosing the code for this question…")
        self._runner.submit(work, lambda result: self._packed(result, question), self._pack_failed)

    def _pack_failed(self, message: str) -> None:
        self._pending -= 1
        self._update_buttons()
        self._show_error(message)

    def _packed(self, packed: tuple[int, PackResult, list | None], question: str) -> None:
        self._pending -= 1
        generation, result, sizes = packed
        if generation != self._generation:  # another folder was opened meanwhile
            self._update_buttons()
            return
        if sizes is not None:  # files changed since the last look: show the tree as it is now
            self._known_paths = {p for p, _ in sizes}
            self._fill_tree(sizes)
            self.status.emit("Files changed since the folder was opened; the index was updated.")
        self._context = result
        self._show_context(result)
        self._send(question)

    def _show_context(self, result: PackResult) -> None:
        self.seen.setRowCount(len(result.chunks))
        for row, chunk in enumerate(result.chunks):
            self.seen.setItem(row, 0, QTableWidgetItem(chunk.citation))
            self.seen.setItem(row, 1, QTableWidgetItem(f"{chunk.score:.2f}"))
            self.seen.setItem(row, 2, QTableWidgetItem(f"{chunk.tokens:,}"))
        self.seen_total.setText(f"{len(result.chunks)} chunks + repository map ({result.map_tokens:,} tokens): "
                                f"{result.used_tokens:,} of {result.budget:,} tokens")

    def messages_for(self, question: str) -> list[ChatMessage]:
        """The prompt: the packed context with the first question, the turns since, then `question`.

        Everything before `question` is exactly the previous prompt plus its answer, so the
        inference thread's KV cache covers it.
        """
        assert self._context is not None
        first = build_repo_messages(self._context.render(), self._context.question)
        if not self._history:  # the first question is part of the context message
            return first
        return [*first, *self._history, ChatMessage("user", question)]

    def _send(self, question: str) -> None:
        messages = self.messages_for(question)
        self.question.clear()
        self._add_view("user", question)
        self._answer_view = self._add_view("assistant", "")
        self._answer_view.set_state("streaming")
        self._pending_question = question
        # The system and packed-code messages (and the first answer) are never dropped to make room.
        # Saved on disk too, so a question after re-opening the repository starts from this state.
        self._stream.start(self._inference.chat(messages, copy.deepcopy(self._ctx.settings.sampling), keep_leading=3,
                                                state_scope=f"repo:{self._root}"))
        self._update_buttons()
        self.status.emit("Answering…")

    def stop(self) -> None:
        self._stream.stop()

    def _add_view(self, role: str, text: str) -> MessageView:
        known = self._known_paths
        view = MessageView(role, text, style=self._code_style(),
                           display=lambda t: linkify_citations(t, known), on_link=self.open_citation)
        self._answers_layout.insertWidget(self._answers_layout.count() - 1, view)
        QTimer.singleShot(0, lambda: self.scroll.verticalScrollBar().setValue(self.scroll.verticalScrollBar().maximum()))
        return view

    def _render(self, text: str) -> None:
        if self._answer_view is not None:
            self._answer_view.set_text(text)

    def _done(self, state: str) -> None:
        text = self._stream.text
        if self._answer_view is not None:
            self._answer_view.set_text(text)
            self._answer_view.set_state(state)
        if state != "failed" and text.strip():
            if self._history:  # a follow-up; the first question lives in the context message
                self._history.append(ChatMessage("user", self._pending_question))
            self._history.append(ChatMessage("assistant", text))
            self._save_session()
        elif not self._history:
            self._context = None  # the first answer failed: the next question packs afresh
        self._update_buttons()

    def _save_session(self) -> None:
        if self._root is None or self._context is None:
            return
        session = RepoSession(str(self._root), self._context, list(self._history))
        sessions = self._sessions_dir

        def save(_report):
            save_session(sessions, session)

        self._runner.submit(save, None, lambda m: log.warning("could not save the conversation: %s", m))

    def _on_ended(self, state: str, stats) -> None:
        self._done(state)
        self.status.emit(f"{stats.generated_tokens} tokens; {stats.reused_tokens:,} of {stats.prompt_tokens:,} "
                         "prompt tokens reused from the cache")

    def _on_failed(self, message: str) -> None:
        self._done("failed")
        self._show_error(message)

    # Citations ---------------------------------------------------------------------------------
    def _open_seen(self, row: int, _column: int) -> None:
        if self._context is not None and row < len(self._context.chunks):
            chunk = self._context.chunks[row]
            self.open_citation(f"cite:{chunk.path}:{chunk.start_line}-{chunk.end_line}")

    def open_citation(self, link: str) -> None:
        parsed = parse_citation_link(link)
        if parsed is None or self._root is None:
            return
        path, start, end = parsed
        root = self._root

        def read(_report):  # the same bounded, inside-the-root read as indexing (the file may have changed)
            return read_inside(root, path, CITED_FILE_BYTES).decode("utf-8", errors="replace").split("\n")

        def show(lines: list[str]) -> None:
            self.viewer = CodeViewer(path, start, min(end, len(lines)), lines, self._code_style(), self)
            self.viewer.show()

        self._runner.submit(read, show, lambda m: self._show_error(f"Cannot open {path}: {m}"))

    def infill_snippets(self, prefix: str, suffix: str, path: Path | None,
                        done: Callable[..., None]) -> bool:
        """Definitions from the open repository of the names around an infill cursor.

        Returns False when no repository is open; otherwise `done(snippets, repo name, path in
        the repository)` is called on the GUI thread once they are found (with none on failure).
        """
        root = self._root
        if root is None or self._index is None:
            return False
        rel = ""
        if path is not None:
            try:
                rel = str(path.resolve().relative_to(root))
            except ValueError:
                rel = ""  # a file from elsewhere still benefits from the repository's definitions

        def find(_report):
            from app.core.infill.repo_context import snippets_for

            return snippets_for(self._index, prefix, suffix, rel)

        self._runner.submit(find, lambda snippets: done(snippets, root.name, rel),
                            lambda message: (log.warning("no repository snippets: %s", message), done()))
        return True

    def _counter_for(self, model_path: Path):
        """The current model's tokenizer (vocabulary only), loaded once per model; repository thread only."""
        from app.core.engine import VocabCounter

        if self._counter is None or self._counter[0] != model_path:
            if self._counter is not None:
                self._counter[1].close()
            self._counter = (model_path, VocabCounter(model_path))
        return self._counter[1]

    def shutdown(self) -> None:
        self.stop()
        self._cancel.set()  # an index update in progress stops at the next file

        def close(_report):
            if self._index is not None:
                self._index.close()
                self._index = None
            if self._counter is not None:
                self._counter[1].close()
                self._counter = None

        self._runner.submit(close)
        self._runner.shutdown()
