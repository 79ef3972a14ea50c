"""The conversation database on its own thread, so the GUI never waits on the disk.

Calls are closures run in order on the store thread; their results come back to the GUI thread
through a signal and the callbacks given with them. Because everything runs in submission order,
a later call may rely on what an earlier one created (see `Ref`).
"""

from __future__ import annotations

import copy
import itertools
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from app.core.errors import UserError
from app.core.settings import Settings, save_settings
from app.core.store import ConversationStore

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Ref:
    """A row id that the store thread fills in, for calls submitted after the one that creates it.

    `saved` is what the store last wrote for that row, so repeating a sync writes only changes.
    """

    id: int | None = None
    saved: tuple | None = None


class _StoreWorker(QObject):
    done = Signal(int, object, object)  # request id, result, error message (or None)
    opened = Signal(object)  # path a corrupt database was moved to, or None

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path
        self._store: ConversationStore | None = None
        self._open_error: str | None = None

    @Slot()
    def open(self) -> None:
        try:
            self._store = ConversationStore(self._path)
            self.opened.emit(self._store.recovered_from)
        except UserError as exc:
            self._fail_open(exc.message)
        except Exception as exc:  # e.g. the data folder cannot be created: report, never crash
            log.exception("opening the conversation database failed")
            self._fail_open(f"The conversation database could not be opened: {exc}")

    def _fail_open(self, message: str) -> None:
        self._open_error = message
        self.opened.emit(None)
        self.done.emit(0, None, message)

    @Slot(int, object)
    def run(self, request_id: int, fn: Callable[[ConversationStore], Any]) -> None:
        if self._store is None:
            self.done.emit(request_id, None, self._open_error or "The conversation database is not open.")
            return
        try:
            self.done.emit(request_id, fn(self._store), None)
        except UserError as exc:
            self.done.emit(request_id, None, exc.message)
        except Exception as exc:
            log.exception("store call failed")
            self.done.emit(request_id, None, f"Saving conversations failed: {exc}")

    @Slot()
    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class StoreService(QObject):
    error = Signal(str)  # for calls submitted without their own error handler
    recovered = Signal(str)  # a corrupt database was moved aside to this path

    _run = Signal(int, object)
    _open = Signal()
    _close = Signal()

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("store")
        self._worker = _StoreWorker(path)
        self._worker.moveToThread(self._thread)
        self._run.connect(self._worker.run)
        self._open.connect(self._worker.open)
        # Blocking: the close runs after every call already queued, so nothing pending is lost at exit.
        self._close.connect(self._worker.close, Qt.ConnectionType.BlockingQueuedConnection)
        self._worker.done.connect(self._on_done)
        self._worker.opened.connect(self._on_opened)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Callable | None, Callable | None]] = {}
        self._thread.start()
        self._open.emit()

    def submit(self, fn: Callable[[ConversationStore], Any], on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[str], None] | None = None) -> None:
        request_id = next(self._ids)
        self._callbacks[request_id] = (on_done, on_error)
        self._run.emit(request_id, fn)

    @Slot(object)
    def _on_opened(self, recovered_from: object) -> None:
        if recovered_from is not None:
            self.recovered.emit(str(recovered_from))

    @Slot(int, object, object)
    def _on_done(self, request_id: int, result: Any, error: str | None) -> None:
        on_done, on_error = self._callbacks.pop(request_id, (None, None))
        if error is not None:
            (on_error or self.error.emit)(error)
        elif on_done is not None:
            on_done(result)

    def shutdown(self, timeout_ms: int = 5000) -> None:
        if not self._thread.isRunning():
            return  # already shut down: a blocking call into a stopped thread would never return
        self._close.emit()
        self._thread.quit()
        self._thread.wait(timeout_ms)


def save_settings_later(store: StoreService, settings: Settings, path: Path,
                        on_error: Callable[[str], None] | None = None) -> None:
    """Write a snapshot of the settings on the store thread (the GUI thread never touches the disk)."""
    snapshot = copy.deepcopy(settings)
    store.submit(lambda _store: save_settings(snapshot, path), None,
                 on_error or (lambda message: store.error.emit(f"Settings could not be saved: {message}")))
