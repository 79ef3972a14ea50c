"""The chat pane: conversation list and search, the transcript, and the composer.

The pane keeps the conversation in memory (the source of truth for what is shown and sent) and
mirrors every change to the store thread; it never waits on the model or the database.
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.core.engine import GenerationStats
from app.core.prompts.chat import ChatMessage
from app.core.store import ConversationStore, MessageState
from app.ui.answer_stream import AnswerStream
from app.ui.chat.conversation_list import ConversationIdRole, ConversationListModel, ConversationRow, when
from app.ui.chat.message_view import MessageView
from app.ui.chat.settings_dialog import ChatSettingsDialog
from app.workers.inference import InferenceService
from app.workers.store_worker import Ref, StoreService, save_settings_later

log = logging.getLogger(__name__)

SAVE_INTERVAL_MS = 1000  # persist a streaming answer this often (a crash keeps what came)
RETRY_INTERVAL_MS = 3000  # after a failed save (a locked database), try again this often


@dataclass
class Entry:
    role: str
    text: str
    state: MessageState = MessageState.COMPLETE
    ref: Ref = field(default_factory=Ref)


class Composer(QPlainTextEdit):
    """The message box: Ctrl+Enter sends, Up in an empty box edits the last message."""

    submit = Signal()
    edit_last = Signal()
    stop = Signal()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.submit.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.stop.emit()
            return
        if event.key() == Qt.Key.Key_Up and not self.toPlainText():
            self.edit_last.emit()
            return
        super().keyPressEvent(event)


class ChatPane(QWidget):
    status = Signal(str)  # short notes for the status bar
    usage = Signal(int, int)  # tokens used, context size
    theme_changed = Signal()

    def __init__(self, ctx: AppContext, inference: InferenceService, store: StoreService,
                 show_error: Callable[[str], None], code_style: Callable[[], str]) -> None:
        super().__init__()
        self._ctx = ctx
        self._inference = inference
        self._store = store
        self._show_error = show_error
        self._code_style = code_style
        self._conv = Ref()
        self._system_prompt = ctx.settings.system_prompt
        self._entries: list[Entry] = []
        self._views: list[MessageView] = []
        self._stream = AnswerStream(inference, self)
        self._answer: Entry | None = None
        self._pending_deletes: list[Ref] = []  # removed messages still to delete from the store
        self._deferred_deletes: list[Ref] = []  # removed by "Edit last": deleted only once resent
        self._sync_failing = False
        self._count_request = 0
        self._build()
        self._save_timer = QTimer(self, interval=SAVE_INTERVAL_MS, timeout=self._sync)
        self._retry_timer = QTimer(self, singleShot=True, interval=RETRY_INTERVAL_MS, timeout=self._sync)
        self._search_timer = QTimer(self, singleShot=True, interval=200, timeout=self._refresh_list)
        self._stream.render.connect(self._render_streaming)
        self._stream.ended.connect(self._on_ended)
        self._stream.failed.connect(self._on_failed)
        inference.counted.connect(self._on_counted)
        inference.loaded.connect(self._on_model_loaded)
        self._refresh_list()
        self._update_buttons()

    # Layout ------------------------------------------------------------------------------------
    def _build(self) -> None:
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(6, 6, 0, 6)
        self.new_button = QPushButton("New chat")
        self.new_button.setToolTip("Start a new conversation (Ctrl+N)")
        self.new_button.clicked.connect(self.new_chat)
        left_layout.addWidget(self.new_button)
        self.search = QLineEdit(placeholderText="Search conversations (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        left_layout.addWidget(self.search)
        self.list_model = ConversationListModel()
        self.list_view = QListView()
        self.list_view.setModel(self.list_model)
        self.list_view.setWordWrap(True)
        self.list_view.setSpacing(2)
        self.list_view.clicked.connect(lambda index: self.open_conversation(index.data(ConversationIdRole)))
        self.list_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list_view.customContextMenuRequested.connect(self._list_menu)
        left_layout.addWidget(self.list_view, 1)
        splitter.addWidget(left)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 6, 6, 6)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.transcript = QWidget()
        self.transcript.setObjectName("transcript")
        self._transcript_layout = QVBoxLayout(self.transcript)
        self._transcript_layout.setSpacing(10)
        self.placeholder = QLabel("Ask a coding question. Ctrl+Enter sends, Esc stops.\n"
                                  "Answers run on your own machine; nothing leaves it.")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setObjectName("placeholder")
        self._transcript_layout.addWidget(self.placeholder)
        self._transcript_layout.addStretch(1)
        self.scroll.setWidget(self.transcript)
        right_layout.addWidget(self.scroll, 1)

        bar = QHBoxLayout()
        self.meter = QProgressBar()
        self.meter.setObjectName("contextMeter")
        self.meter.setTextVisible(True)
        self.meter.setFormat("%v / %m tokens")
        self.meter.setRange(0, 1)
        self.meter.setValue(0)
        self.meter.setMinimumWidth(200)
        self.meter.setMaximumWidth(280)
        self.meter.setToolTip("Tokens the conversation uses out of the model's context window")
        bar.addWidget(self.meter)
        bar.addStretch(1)
        self.settings_button = QPushButton("Settings…")
        self.settings_button.setToolTip("System prompt and sampling")
        self.settings_button.clicked.connect(self.open_settings)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Save this conversation as Markdown (Ctrl+Shift+S)")
        self.export_button.clicked.connect(self.export)
        self.edit_button = QPushButton("Edit last")
        self.edit_button.setToolTip("Edit and resend your last message (Ctrl+E, or Up in an empty box)")
        self.edit_button.clicked.connect(self.edit_last)
        self.regen_button = QPushButton("Regenerate")
        self.regen_button.setToolTip("Answer the last message again (Ctrl+R)")
        self.regen_button.clicked.connect(self.regenerate)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop the answer (Esc)")
        self.stop_button.clicked.connect(self.stop)
        for button in (self.settings_button, self.export_button, self.edit_button, self.regen_button, self.stop_button):
            bar.addWidget(button)
        right_layout.addLayout(bar)

        compose = QHBoxLayout()
        self.composer = Composer()
        self.composer.setPlaceholderText("Message (Ctrl+Enter to send)")
        self.composer.setMaximumHeight(110)
        self.composer.submit.connect(self.send)
        self.composer.edit_last.connect(self.edit_last)
        self.composer.stop.connect(self.stop)
        compose.addWidget(self.composer, 1)
        self.send_button = QPushButton("Send")
        self.send_button.setDefault(True)
        self.send_button.setToolTip("Send (Ctrl+Enter)")
        self.send_button.clicked.connect(self.send)
        compose.addWidget(self.send_button)
        right_layout.addLayout(compose)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([230, 800])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        for keys, slot in ((QKeySequence("Esc"), self.stop), (QKeySequence("Ctrl+N"), self.new_chat),
                           (QKeySequence("Ctrl+R"), self.regenerate), (QKeySequence("Ctrl+E"), self.edit_last),
                           (QKeySequence("Ctrl+F"), self.search.setFocus),
                           (QKeySequence("Ctrl+Shift+S"), self.export)):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    # State helpers -----------------------------------------------------------------------------
    @property
    def generating(self) -> bool:
        return self._stream.active

    @property
    def entries(self) -> list[Entry]:
        return self._entries

    def _update_buttons(self) -> None:
        busy = self.generating
        has_user = any(e.role == "user" for e in self._entries)
        last_is_answer = bool(self._entries) and self._entries[-1].role == "assistant"
        self.stop_button.setEnabled(busy)
        self.send_button.setEnabled(not busy)
        self.regen_button.setEnabled(not busy and has_user and (last_is_answer or self._entries[-1].role == "user"))
        self.edit_button.setEnabled(not busy and has_user)
        self.new_button.setEnabled(not busy)
        self.list_view.setEnabled(not busy)
        self.export_button.setEnabled(self._conv.id is not None or bool(self._entries))

    def _add_view(self, entry: Entry) -> MessageView:
        self.placeholder.hide()
        view = MessageView(entry.role, entry.text, style=self._code_style(), state=entry.state)
        self._transcript_layout.insertWidget(self._transcript_layout.count() - 1, view)
        self._views.append(view)
        return view

    def _clear_views(self) -> None:
        for view in self._views:
            self._transcript_layout.removeWidget(view)
            view.deleteLater()
        self._views.clear()
        self.placeholder.show()

    def _pop_last(self) -> Entry:
        entry = self._entries.pop()
        view = self._views.pop()
        self._transcript_layout.removeWidget(view)
        view.deleteLater()
        if not self._views:
            self.placeholder.show()
        return entry

    def _scroll_to_end(self) -> None:
        bar = self.scroll.verticalScrollBar()
        QTimer.singleShot(0, lambda: bar.setValue(bar.maximum()))

    def _prompt_messages(self) -> list[ChatMessage]:
        system = [ChatMessage("system", self._system_prompt)] if self._system_prompt.strip() else []
        history = [ChatMessage(e.role, e.text) for e in self._entries  # type: ignore[arg-type]
                   if e.state is not MessageState.FAILED and (e.role == "user" or e.text.strip())]
        return system + _alternating(history)

    # Actions -----------------------------------------------------------------------------------
    def send(self) -> None:
        text = self.composer.toPlainText()
        if self.generating:
            return
        if not text.strip():
            self.status.emit("Type a message first.")
            return
        if self._inference.info is None:
            self._show_error("The model is not loaded yet; the message is kept in the box. Try again in a moment.")
            return
        self.composer.clear()
        self._pending_deletes += self._deferred_deletes  # an edited message replaces the old one now
        self._deferred_deletes = []
        entry = Entry("user", text)
        self._entries.append(entry)
        self._add_view(entry)
        self._generate()

    def _generate(self) -> None:
        messages = self._prompt_messages()
        answer = Entry("assistant", "", MessageState.STREAMING)
        self._entries.append(answer)
        self._add_view(answer)
        self._answer = answer
        self._sync()
        self._stream.start(self._inference.chat(messages, copy.deepcopy(self._ctx.settings.sampling)))
        self._save_timer.start()
        self._update_buttons()
        self._scroll_to_end()
        self.status.emit("Generating…")

    # Persistence -------------------------------------------------------------------------------
    def _sync(self) -> None:
        """Mirror the conversation in memory to the store.

        Idempotent: rows not yet written are added, changed ones updated, removed ones deleted,
        so after a failed write (a locked database) the next sync catches up and nothing is lost.
        """
        if not self._entries and not self._pending_deletes:
            return
        conv = self._conv
        first_user = next((e.text for e in self._entries if e.role == "user"), "New chat")
        title = " ".join(first_user.split())[:60] or "New chat"
        model = self._inference.info.model_name if self._inference.info else ""
        system = self._system_prompt
        rows = [(e.ref, e.role, e.text, e.state) for e in self._entries]
        deletes = list(self._pending_deletes)

        def apply(store: ConversationStore) -> bool:
            store.delete_messages([r.id for r in deletes if r.id is not None])
            for ref in deletes:
                ref.id = None
            created = False
            if rows and conv.id is None:
                conv.id = store.create_conversation(title, model, system)
                created = True
            for ref, role, text, state in rows:
                if ref.id is None:
                    ref.id = store.add_message(conv.id, role, text, state)
                elif ref.saved == (text, state):
                    continue
                else:
                    store.update_message(ref.id, text, state)
                ref.saved = (text, state)
            return created

        def done(created: bool) -> None:
            self._pending_deletes = [r for r in self._pending_deletes if r not in deletes]
            if self._sync_failing:
                self._sync_failing = False
                self.status.emit("Conversation saved.")
            if created:
                self._refresh_list()

        def failed(message: str) -> None:
            if not self._sync_failing:
                self._sync_failing = True
                self._show_error(f"{message} The conversation is kept in memory and will be saved when possible.")
            self._retry_timer.start()

        self._store.submit(apply, done, failed)

    def stop(self) -> None:
        self._stream.stop()

    def regenerate(self) -> None:
        if self.generating or not self._entries:
            return
        if self._entries[-1].role == "assistant":
            self._pending_deletes.append(self._pop_last().ref)
        if self._entries and self._entries[-1].role == "user":
            self._generate()

    def edit_last(self) -> None:
        """Put the last user message back in the box; it is replaced in the store only when resent."""
        if self.generating:
            return
        if self.composer.toPlainText().strip():
            self.status.emit("Send or clear the message you are writing before editing the last one.")
            return
        index = max((i for i, e in enumerate(self._entries) if e.role == "user"), default=-1)
        if index < 0:
            return
        user = self._entries[index]
        while len(self._entries) > index:
            self._deferred_deletes.append(self._pop_last().ref)
        self.composer.setPlainText(user.text)
        self.composer.setFocus()
        self._update_buttons()

    def prepare_close(self) -> None:
        """Keep what has streamed: mark a running answer stopped and save everything now."""
        if self._stream.active:
            self._answer.text = self._stream.detach()
            self._finish(MessageState.STOPPED)
        self._sync()

    def new_chat(self) -> None:
        if self.generating:
            return
        self._deferred_deletes = []  # an unsent edit leaves the stored conversation as it was
        self._conv = Ref()
        self._entries = []
        self._clear_views()
        self._system_prompt = self._ctx.settings.system_prompt
        self.list_view.clearSelection()
        self._set_meter(0, self._inference.info.n_ctx if self._inference.info else 1)
        self._update_buttons()
        self.composer.setFocus()

    def open_conversation(self, conversation_id: int | None) -> None:
        if conversation_id is None or self.generating:
            return

        def load(store: ConversationStore):
            return store.conversation(conversation_id), store.messages(conversation_id)

        self._store.submit(load, self._show_conversation)

    def _show_conversation(self, result) -> None:
        conversation, messages = result
        if conversation is None or self.generating:
            return
        self._conv = Ref(conversation.id)
        self._system_prompt = conversation.system_prompt
        self._deferred_deletes = []
        self._pending_deletes = []
        self._clear_views()
        self._entries = [Entry(m.role, m.content, m.state, Ref(m.id, (m.content, m.state))) for m in messages]
        for entry in self._entries:
            self._add_view(entry)
        row = self.list_model.row_of(conversation.id)
        if row >= 0:
            self.list_view.selectionModel().select(self.list_model.index(row),
                                                   QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if self._entries:
            self._count_request = self._inference.count(self._prompt_messages())
        self._update_buttons()
        self._scroll_to_end()

    def open_settings(self) -> None:
        dialog = ChatSettingsDialog(self._ctx.settings, self._system_prompt, self)
        if dialog.exec() != ChatSettingsDialog.DialogCode.Accepted:
            return
        theme_before = (self._ctx.settings.theme, self._code_style())
        self._system_prompt = dialog.apply_to(self._ctx.settings)
        if (self._ctx.settings.theme, self._code_style()) != theme_before:
            self.theme_changed.emit()
        conv, system = self._conv, self._system_prompt
        self._store.submit(lambda store: conv.id is not None and store.set_system_prompt(conv.id, system),
                           on_error=lambda _m: None)  # also saved with the next sync of a new conversation
        save_settings_later(self._store, self._ctx.settings, self._ctx.paths.settings_file)
        self.status.emit("Settings saved.")

    def export(self) -> None:
        if self._conv.id is None:
            self.status.emit("Nothing to export yet.")
            return
        suggested = str(Path.home() / f"{_safe_name(self._entries[0].text if self._entries else 'chat')}.md")
        path, _ = QFileDialog.getSaveFileName(self, "Export conversation", suggested, "Markdown (*.md)")
        if not path:
            return
        conv = self._conv

        def write(store: ConversationStore) -> str:
            Path(path).write_text(store.export_markdown(conv.id), encoding="utf-8")
            return path

        self._store.submit(write, lambda p: self.status.emit(f"Exported to {p}"),
                           lambda message: self._show_error(f"Export failed: {message}"))

    def _list_menu(self, pos) -> None:
        index = self.list_view.indexAt(pos)
        if not index.isValid() or self.generating:
            return
        conversation_id = index.data(ConversationIdRole)
        menu = QMenu(self)
        delete = menu.addAction("Delete conversation")
        if menu.exec(self.list_view.viewport().mapToGlobal(pos)) is delete:
            self._store.submit(lambda store: store.delete_conversation(conversation_id), lambda _r: self._refresh_list())
            if self._conv.id == conversation_id:
                self.new_chat()

    def _refresh_list(self) -> None:
        query = self.search.text().strip()
        if query:
            self._store.submit(lambda store: store.search(query),
                               lambda hits: self.list_model.set_rows(
                                   [ConversationRow(h.conversation_id, h.title, h.snippet) for h in hits]))
        else:
            self._store.submit(lambda store: store.list_conversations(),
                               lambda convs: self.list_model.set_rows(
                                   [ConversationRow(c.id, c.title, when(c.updated)) for c in convs]))

    # Worker signals ----------------------------------------------------------------------------
    def _render_streaming(self, text: str) -> None:
        if self._answer is None:
            return
        self._answer.text = text
        bar = self.scroll.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - 40
        self._views[-1].set_text(text)
        if at_end:
            self._scroll_to_end()

    def _finish(self, state: MessageState) -> Entry | None:
        answer = self._answer
        self._save_timer.stop()
        self._answer = None
        if answer is not None:
            answer.state = state
            view = self._views[self._entries.index(answer)]
            view.set_text(answer.text)
            view.set_state(state)
        self._sync()
        self._update_buttons()
        return answer

    def _on_ended(self, state: MessageState, stats: GenerationStats) -> None:
        if self._answer is not None:
            self._answer.text = self._stream.text
        self._finish(state)
        n_ctx = self._inference.info.n_ctx if self._inference.info else 1
        self._set_meter(stats.prompt_tokens + stats.generated_tokens, n_ctx)
        note = f"{stats.generated_tokens} tokens, {stats.tokens_per_second:.1f} tokens/s"
        if stats.stop_reason == "cancelled":
            note = "Stopped. " + note
        elif stats.stop_reason == "context":
            note = "The context is full: the answer was cut. " + note
        if stats.dropped_messages:
            note += f" (the {stats.dropped_messages} oldest messages did not fit the context and were left out)"
        self.status.emit(note)
        self._scroll_to_end()

    def _on_failed(self, message: str) -> None:
        if self._answer is not None:
            self._answer.text = self._stream.text
        self._finish(MessageState.FAILED)
        self._show_error(message)

    def _on_model_loaded(self, info) -> None:
        self._update_buttons()
        if self._entries:
            self._count_request = self._inference.count(self._prompt_messages())
        else:
            self._set_meter(0, info.n_ctx)

    def rerender(self) -> None:
        """Rebuild the message views (after a theme or code style change)."""
        if self.generating:
            return
        self._clear_views()
        for entry in self._entries:
            self._add_view(entry)

    def _on_counted(self, request_id: int, used: int, n_ctx: int) -> None:
        if request_id == self._count_request:  # an answer for a conversation no longer shown is ignored
            self._set_meter(used, n_ctx)

    def _set_meter(self, used: int, n_ctx: int) -> None:
        self.meter.setRange(0, max(1, n_ctx))
        self.meter.setValue(min(used, n_ctx))
        self.usage.emit(used, n_ctx)


def _alternating(history: list[ChatMessage]) -> list[ChatMessage]:
    """Drop messages that would break user/assistant alternation (a failed answer left two users)."""
    result: list[ChatMessage] = []
    for message in history:
        if result and result[-1].role == message.role:
            result[-1] = message  # keep the later one: it is what the user meant
        else:
            result.append(message)
    return result


def _safe_name(text: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "-_ " else " " for ch in text)[:40].strip()
    return "-".join(cleaned.split()) or "chat"
