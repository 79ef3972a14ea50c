"""Mirrors the chat session to the store thread, so the GUI never waits on the database."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.chat import ChatSession, SaveSnapshot
from app.core.errors import UserError
from app.ui.i18n import resolve
from app.workers.store_worker import StoreService

SAVE_INTERVAL_MS = 1000  # persist a streaming answer this often (a crash keeps what came)
RETRY_INTERVAL_MS = 3000  # after a failed save (a locked database), try again this often


class SessionSaver(QObject):
    """Saves on demand, every second while an answer streams, and again after a failure until it works.

    Each save is a snapshot of the session run on the store thread (see ChatSession.save_snapshot);
    the user is told once when saving fails and once when it works again.
    """

    created = Signal()  # a new conversation row exists (the list shows it once refreshed)
    status = Signal(str)

    def __init__(self, session: ChatSession, store: StoreService, model_name: Callable[[], str],
                 show_error: Callable[[UserError | str], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._session, self._store, self._model_name, self._show_error = session, store, model_name, show_error
        self._failing = False
        self._periodic = QTimer(self, interval=SAVE_INTERVAL_MS, timeout=self.save)
        self._retry = QTimer(self, singleShot=True, interval=RETRY_INTERVAL_MS, timeout=self.save)

    def save(self) -> None:
        snapshot = self._session.save_snapshot(self._model_name())
        if snapshot is not None:
            self._store.submit(snapshot, lambda created: self._saved(snapshot, created), self._failed)

    def while_streaming(self, streaming: bool) -> None:
        """Save periodically while an answer streams (a crash then keeps most of it)."""
        if streaming:
            self._periodic.start()
        else:
            self._periodic.stop()

    def _saved(self, snapshot: SaveSnapshot, created: bool) -> None:
        self._session.saved(snapshot)
        if self._failing:
            self._failing = False
            self.status.emit(self.tr("Conversation saved."))
        if created:
            self.created.emit()

    def _failed(self, error: UserError | str) -> None:
        if not self._failing:
            self._failing = True
            reason = resolve(error.message if isinstance(error, UserError) else error)  # a UserError, or its message
            self._show_error(self.tr("{reason} The conversation is kept in memory and will be saved when possible.")
                             .format(reason=reason))
        self._retry.start()
