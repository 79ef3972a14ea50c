"""The conversation database on its own thread, so the GUI never waits on the disk.

Calls are closures run in order on the store thread; their results come back to the GUI thread
through a signal and the callbacks given with them. Because everything runs in submission order,
a later call may rely on what an earlier one created (see `Ref`).
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot

from app.core.chat.saving import Ref  # noqa: F401 - re-exported: it moved to the chat use case
from app.core.errors import UserError
from app.core.i18n import translate
from app.core.store import ConversationStore, StoreBusyError, StoreError
from app.workers.worker import OnError, Worker

log = logging.getLogger(__name__)


class StoreService(QObject):
    """`submit(fn, on_done, on_error)`: fn(store) runs on the store thread, callbacks on the GUI thread.

    A database another program holds locked is opened again and again until it is free (or the
    app closes): calls wait in order behind the open, so past conversations appear and the
    session's chat is saved once it is free, and the user is told once meanwhile. A damaged
    database repaired by the store, at open or by any later call, is announced once per repair.
    """

    error = Signal(object)  # a UserError (or a message) of a call submitted without its own error handler
    recovered = Signal(str)  # a corrupt database was moved aside to this path
    _from_store = Signal(str, str)  # (kind, text), emitted on the store thread, relayed on the GUI thread

    OPEN_RETRY_MAX_S = 5.0

    def __init__(self, path: Path, worker: Worker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._from_store.connect(self._relay, Qt.ConnectionType.QueuedConnection)
        self._runner = worker  # created by the composition root (app.services), owns the connection
        self._store: ConversationStore | None = None  # used only on the store thread
        self._open_error: str | None = None
        self._stopping = threading.Event()
        self._told_busy = False
        self._reported_recovery: Path | None = None
        self._runner.submit(lambda _report: self._open(path), None, self.error.emit)

    def _open(self, path: Path) -> None:
        delay = 0.25
        while True:
            try:
                # A short wait per attempt, so that closing the app is noticed between attempts.
                self._store = ConversationStore(path, open_wait_s=1.0, on_busy=self._opening_busy)
                break
            except StoreBusyError as exc:
                self._opening_busy(exc)
                if self._stopping.wait(delay):
                    log.error("the conversation database stayed locked until the app closed")
                    self._open_error = exc.message
                    raise
                delay = min(delay * 2, self.OPEN_RETRY_MAX_S)
            except UserError as exc:
                self._open_error = exc.message
                raise
            except Exception as exc:  # e.g. the data folder cannot be created: report, never crash
                log.exception("opening the conversation database failed")
                self._open_error = translate("Worker", "The conversation database could not be opened: {reason}").format(
                    reason=str(exc))
                raise UserError(self._open_error) from exc
        if self._told_busy:
            log.info("the conversation database is free again")
        self._note_recovery()

    def _opening_busy(self, exc: StoreError) -> None:
        if self._store is None and not self._told_busy:  # later lock waits are told by the caller
            self._told_busy = True
            log.warning("conversation database busy at open: %s", exc.message)
            # Translated here (QCoreApplication.translate is thread-safe): a signal carries a plain str.
            self._from_store.emit("error", QCoreApplication.translate(
                "Worker", "Another program (another copy of the app?) holds the conversation database locked. "
                "Past conversations will appear, and this chat will be saved, as soon as it is free."))

    def _note_recovery(self) -> None:
        recovered = self._store.recovered_from if self._store is not None else None
        if recovered is not None and recovered != self._reported_recovery:
            self._reported_recovery = recovered
            self._from_store.emit("recovered", str(recovered))

    @Slot(str, str)
    def _relay(self, kind: str, text: str) -> None:
        (self.recovered if kind == "recovered" else self.error).emit(text)

    def submit(self, fn: Callable[[ConversationStore], Any], on_done: Callable[[Any], None] | None = None,
               on_error: OnError | None = None) -> None:
        def call(_report) -> Any:
            if self._store is None:
                raise UserError(self._open_error or translate("Worker", "The conversation database is not open."))
            try:
                return fn(self._store)
            except UserError:
                raise
            except Exception as exc:
                log.exception("store call failed")
                raise StoreError(translate("Worker", "Saving conversations failed: {reason}").format(reason=str(exc)),
                                 retryable=False) from exc
            finally:
                self._note_recovery()  # queued before the call's own result: the notice comes first

        self._runner.submit(call, on_done, on_error or self.error.emit)

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Run every call already submitted, close the database, stop the thread."""
        def close(_report) -> None:
            if self._store is not None:
                self._store.close()
                self._store = None

        self._stopping.set()  # a database still locked is given up on rather than waited for
        self._runner.submit(close)
        self._runner.shutdown(timeout_ms)
