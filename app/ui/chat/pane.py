"""The chat pane: a view over one ChatSession (app.core.chat), the conversation list, and the composer.

The session is the source of truth for what is shown, sent and stored; the pane turns clicks and keys
into its calls, shows its turns, and hands its save snapshots to the store thread (SessionSaver). It
never waits on the model or the database.
"""

from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QWidget

from app.context import AppContext
from app.core.chat import ChatSession, Turn
from app.core.engine import EngineInfo, GenerationStats
from app.core.engine_figures import describe_figures
from app.core.errors import UserError
from app.core.store import ConversationStore, MessageState
from app.ui.answer_stream import AnswerStream
from app.ui.chat.action_bar import ActionBar
from app.ui.chat.composer import ComposeRow
from app.ui.chat.export import export_conversation
from app.ui.chat.layout import lay_out
from app.ui.chat.message_view import MessageView
from app.ui.chat.meter import ContextMeter
from app.ui.chat.saver import SessionSaver
from app.ui.chat.sidebar import ConversationSidebar
from app.ui.chat.transcript import Transcript
from app.ui.i18n import resolve
from app.ui.pane_support import bind_keys, bind_send_and_stop, loaded_model
from app.workers.inference import ChatJob, InferenceService
from app.workers.store_worker import StoreService

log = logging.getLogger(__name__)


class ChatPane(QWidget):
    status = Signal(str)  # short notes for the status bar
    usage = Signal(int, int)  # tokens used, context size
    settings_requested = Signal()  # the app's one Settings window, on its chat page (the main window opens it)

    def __init__(self, ctx: AppContext, inference: InferenceService, store: StoreService,
                 show_error: Callable[[UserError | str], None], code_style: Callable[[], str]) -> None:
        super().__init__()
        self._restyle_when_done = False  # a theme switch came while an answer was streaming
        self._ctx = ctx
        self._inference = inference
        self._store = store
        self._show_error = show_error
        self._code_style = code_style
        self.session = ChatSession(ctx.settings.system_prompt)  # owned by the GUI thread
        self._stream = AnswerStream(inference, self)
        self._saver = SessionSaver(self.session, store, self._model_name, show_error, self)
        self._build()
        self._meter = ContextMeter(inference, self.actions.set_usage, self)
        self._meter.usage.connect(self.usage)
        self._saver.status.connect(self.status)
        self._saver.created.connect(self._conversation_listed)
        self._stream.render.connect(self._render_streaming)
        self._stream.ended.connect(self._on_ended)
        self._stream.failed.connect(self._on_failed)
        self._stream.progress.connect(self._on_progress)
        inference.loaded.connect(self._on_model_loaded)
        inference.loading.connect(lambda _name: self.actions.set_usage(0, None, self.tr("Loading the model…")))
        inference.load_failed.connect(lambda _error: self._count())  # the model kept, or none
        self.sidebar.refresh()
        self._update_buttons()

    def _build(self) -> None:
        self.sidebar = ConversationSidebar(self._store)
        self.transcript = Transcript()
        self.actions = ActionBar()
        compose = ComposeRow()
        # The widgets the main window, tests and scripts reach by name.
        self.new_button, self.search = self.sidebar.new_button, self.sidebar.search
        self.list_model, self.list_view = self.sidebar.list_model, self.sidebar.list_view
        self.placeholder = self.transcript.placeholder
        self.meter, self.settings_button = self.actions.meter, self.actions.settings_button
        self.export_button, self.edit_button = self.actions.export_button, self.actions.edit_button
        self.regen_button, self.stop_button = self.actions.regen_button, self.actions.stop_button
        self.composer, self.send_button = compose.composer, compose.send_button

        self.sidebar.new_button.clicked.connect(self.new_chat)
        self.sidebar.opened.connect(self.open_conversation)
        self.sidebar.deleted.connect(self._on_deleted)
        self.transcript.edit_requested.connect(self.edit)
        self.transcript.regenerate_requested.connect(self.regenerate)
        self.transcript.continue_requested.connect(lambda _index: self.continue_answer())
        self.transcript.branch_requested.connect(self.switch_branch)
        for button, slot in ((self.settings_button, self.open_settings), (self.export_button, self.export),
                             (self.edit_button, self.edit_last), (self.regen_button, lambda: self.regenerate()),
                             (self.stop_button, self.stop), (self.send_button, self.send)):
            button.clicked.connect(slot)
        self.composer.submit.connect(self.send)
        self.composer.edit_last.connect(self.edit_last)
        self.composer.stop.connect(self.stop)

        lay_out(self, self.sidebar, (self.transcript, self.actions, compose))
        bind_send_and_stop(self, self.send, self.stop)
        # Ctrl+N and Ctrl+Shift+S belong to the File menu (one owner per key: Qt fires neither of two).
        bind_keys(self, {"Ctrl+R": self.regenerate, "Ctrl+E": self.edit_last, "Ctrl+F": self.search.setFocus})

    # What it shows -----------------------------------------------------------------------------
    @property
    def generating(self) -> bool:
        return self._stream.active

    @property
    def entries(self) -> list[Turn]:
        """The session's turns, in order."""
        return self.session.turns

    @property
    def answer_job(self) -> ChatJob | None:
        """The job of the answer being generated, if any."""
        return self._stream.job  # type: ignore[return-value]

    def message_views(self) -> list[MessageView]:
        """One view per turn, in order."""
        return list(self.transcript.views)

    def _show_turns(self) -> None:
        self.transcript.show_turns(self.session.turns, self._code_style(), self.session.branches)
        self.transcript.set_actions_enabled(not self.generating)

    def _update_buttons(self) -> None:
        busy = self.generating
        can_change = not busy and self.session.has_user_turn
        self.actions.set_enabled(busy=busy, can_edit=can_change, can_regenerate=can_change,
                                 can_export=self.session.conversation.id is not None or bool(self.session.turns))
        self.send_button.setEnabled(not busy)
        self.sidebar.set_busy(busy)
        self.transcript.set_actions_enabled(not busy)

    def _model(self, kept: str = "") -> EngineInfo | None:
        return loaded_model(self._inference.info, self._show_error, kept)

    def _model_name(self) -> str:
        return self._inference.info.model_name if self._inference.info else ""

    # Actions -----------------------------------------------------------------------------------
    def send(self) -> None:
        text = self.composer.toPlainText()
        if self.generating:
            return
        if not text.strip():
            self.status.emit(self.tr("Type a message first."))
            return
        if self._model(self.tr("the message")) is None:
            return
        self.composer.clear()
        self.session.add_user(text)
        self._answer()

    def _answer(self, messages: list | None = None) -> None:
        """Generate the answer the session has begun (`messages`: its prompt), or begin a new one."""
        messages = self.session.start_answer() if messages is None else messages
        self._show_turns()
        self._saver.save()  # the question and the empty answer are stored before the first token
        # The settings are an immutable snapshot: a change in the dialog cannot reach a running answer.
        self._stream.start(self._inference.chat(messages, self._ctx.settings.sampling))
        self.transcript.update_turn(len(self.session.turns) - 1, self.session.turns[-1])
        self._saver.while_streaming(True)
        self._update_buttons()
        self.transcript.scroll_to_end()
        self.status.emit(self.tr("Generating…"))

    def stop(self) -> None:
        """Esc: stop the answer; with none running, give up an edit (the message and what followed come back)."""
        if self._stream.active:
            self._stream.stop()
        elif self.session.editing:
            self.session.cancel_edit()
            self.composer.clear()
            self._show_turns()
            self._update_buttons()

    def regenerate(self, index: int | None = None) -> None:
        """Answer again from the answer at `index` (default the last); the old answer stays a version."""
        if self.generating or not self.session.turns or self._model() is None:
            return
        self._give_up_edit()
        if self.session.regenerate(index):
            self._answer()
        else:
            self._show_turns()
            self._update_buttons()

    def continue_answer(self) -> None:
        """Carry on the answer the token limit cut, appending to it."""
        if self.generating or self._model() is None:
            return
        self._give_up_edit()
        if not self.session.can_continue:
            self._update_buttons()
            return
        self._answer(self.session.continue_answer())

    def _give_up_edit(self) -> None:
        """Regenerate or Continue while a message is being edited: the edit is given up first, as Esc does."""
        if self.session.editing:
            self.session.cancel_edit()
            self.composer.clear()
            self._show_turns()

    def switch_branch(self, index: int, step: int) -> None:
        """Show another version of the message at `index`, and what followed it."""
        if self.generating or not self.session.switch_branch(index, step):
            return
        self._show_turns()
        self._saver.save()  # the branch shown is where the conversation reopens
        self._count()
        self._update_buttons()

    def edit_last(self) -> None:
        """Put the last user message back in the box (see `edit`)."""
        users = [i for i, t in enumerate(self.session.turns) if t.role == "user"]
        if users:
            self.edit(users[-1])

    def edit(self, index: int) -> None:
        """Put the user message at `index` in the box; sent, it becomes a new version beside the old one."""
        if self.generating:
            return
        if self.composer.toPlainText().strip():
            self.status.emit(self.tr("Send or clear the message you are writing before editing another one."))
            return
        text = self.session.edit(index)
        if text is None:
            return
        self._show_turns()
        self.composer.setPlainText(text)
        self.composer.setFocus()
        self._update_buttons()
        self.status.emit(self.tr("Editing: send to add it as a new version; the earlier one stays."))

    def prepare_close(self) -> None:
        """Keep what has streamed: mark a running answer stopped and save everything now."""
        if self._stream.active:
            self._finish(MessageState.STOPPED, self._stream.detach())
        self._saver.save()

    def new_chat(self) -> None:
        if self.generating:
            return
        self.session.reset(self._ctx.settings.system_prompt)  # an unsent edit leaves the store as it was
        self.transcript.clear()
        self.sidebar.select(None)
        self._meter.set(0, self._meter.n_ctx())
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
        self.session.load(conversation, messages)
        self.transcript.clear()
        self._show_turns()
        self.sidebar.select(conversation.id)
        self._count()
        self._update_buttons()
        self.transcript.scroll_to_end()

    def _conversation_listed(self) -> None:
        """The conversation was created or retitled: the list shows it, selected."""
        self.sidebar.select(self.session.conversation.id)
        self.sidebar.refresh()

    def _on_deleted(self, conversation_id: int) -> None:
        if self.session.conversation.id == conversation_id:
            self.new_chat()

    def open_settings(self) -> None:
        self.settings_requested.emit()

    def use_system_prompt(self, system: str) -> None:
        """The system prompt for this conversation too (the Settings window's prompt applies to it and new ones)."""
        self.session.system_prompt = system
        conv = self.session.conversation
        self._store.submit(lambda store: conv.id is not None and store.set_system_prompt(conv.id, system),
                           on_error=lambda _e: None)  # also saved with the next save of a new conversation

    def export(self) -> None:
        export_conversation(self, self.session, self._store, self.status.emit, self._show_error)

    def rerender(self) -> None:
        """Rebuild the message views (after a theme or code style change)."""
        if self.generating:
            self._restyle_when_done = True  # the streaming answer's views stay; all are rebuilt at its end
            return
        self._restyle_when_done = False
        self.transcript.clear()
        self._show_turns()

    # Worker signals ----------------------------------------------------------------------------
    def _render_streaming(self, text: str) -> None:
        if self.session.answer is not None:
            self.session.stream(text)
            self.transcript.follow(self.session.answer.text)  # a continued answer: its earlier text and this

    def _finish(self, state: MessageState, text: str, stats: GenerationStats | None = None) -> None:
        self._saver.while_streaming(False)
        # Stored with the answer as shown: in the interface's language.
        figures = resolve(describe_figures(stats)) if stats is not None else ""
        answer = self.session.finish_answer(state, text, stats, figures)
        if self._restyle_when_done and not self.generating:
            QTimer.singleShot(0, self.rerender)  # a theme switch came while it streamed
        if answer is not None:
            self.transcript.update_turn(self.session.turns.index(answer), answer)
        self._saver.save()
        self._update_buttons()

    def _on_ended(self, state: MessageState, stats: GenerationStats) -> None:
        self._finish(state, self._stream.text, stats)
        self._meter.set(stats.prompt_tokens + stats.generated_tokens, self._meter.n_ctx())
        self.status.emit(self._ended_note(stats))
        self.transcript.scroll_to_end()

    def _on_failed(self, error: UserError | str) -> None:
        self._finish(MessageState.FAILED, self._stream.text)
        self._show_error(error)

    def _on_model_loaded(self, info: EngineInfo) -> None:
        self._update_buttons()
        self._count()

    def _count(self) -> None:
        """The meter shows the size of the branch shown once the inference thread has counted it."""
        self._meter.count(self.session.count_messages())

    def _on_progress(self, done: int, total: int) -> None:
        if self.session.answer is not None and self.transcript.views:
            self.transcript.views[-1].set_progress(done, total)

    def _ended_note(self, stats: GenerationStats) -> str:
        """The status line after an answer: its speed, and why it ended when that is news."""
        note = resolve(describe_figures(stats))  # the same figures as under the answer
        if stats.stop_reason == "cancelled":
            note = self.tr("Stopped. {figures}").format(figures=note)
        elif stats.stop_reason == "context":
            note = self.tr("The context is full: the answer was cut. {figures}").format(figures=note)
        if stats.dropped_messages:
            note = self.tr("{note} (the %n oldest messages did not fit the context and were left out)", "",
                           stats.dropped_messages).format(note=note)
        return note
