"""The conversation database on its own thread, so the GUI never waits on the disk.

Calls are closures run in order on the store thread; their results come back to the GUI thread
through a signal and the callbacks given with them. Because everything runs in submission order,
a later call may rely on what an earlier one created (see `Ref`).
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from app.core.errors import UserError
from app.core.settings import Settings, save_settings
from app.core.store import ConversationStore
from app.workers.tasks import TaskRunner

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Ref:
    """A row id that the store thread fills in, for calls submitted after the one that creates it.

    `saved` is what the store last wrote for that row, so repeating a sync writes only changes.
    """

    id: int | None = None
    saved: tuple | None = None


class StoreService(QObject):
    """`submit(fn, on_done, on_error)`: fn(store) runs on the store thread, callbacks on the GUI thread."""

    error = Signal(str)  # for calls submitted without their own error handler
    recovered = Signal(str)  # a corrupt database was moved aside to this path

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = TaskRunner("store", self)
        self._store: ConversationStore | None = None  # used only on the store thread
        self._open_error: str | None = None
        self._runner.submit(lambda _report: self._open(path), self._on_opened, self.error.emit)

    def _open(self, path: Path) -> Path | None:
        try:
            self._store = ConversationStore(path)
        except UserError as exc:
            self._open_error = exc.message
            raise
        except Exception as exc:  # e.g. the data folder cannot be created: report, never crash
            log.exception("opening the conversation database failed")
            self._open_error = f"The conversation database could not be opened: {exc}"
            raise UserError(self._open_error) from exc
        return self._store.recovered_from

    def _on_opened(self, recovered_from: Path | None) -> None:
        if recovered_from is not None:
            self.recovered.emit(str(recovered_from))

    def submit(self, fn: Callable[[ConversationStore], Any], on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[str], None] | None = None) -> None:
        def call(_report) -> Any:
            if self._store is None:
                raise UserError(self._open_error or "The conversation database is not open.")
            try:
                return fn(self._store)
            except UserError:
                raise
            except Exception as exc:
                log.exception("store call failed")
                raise UserError(f"Saving conversations failed: {exc}") from exc

        self._runner.submit(call, on_done, on_error or self.error.emit)

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Run every call already submitted, close the database, stop the thread."""
        def close(_report) -> None:
            if self._store is not None:
                self._store.close()
                self._store = None

        self._runner.submit(close)
        self._runner.shutdown(timeout_ms)


def save_settings_later(store: StoreService, settings: Settings, path: Path,
                        on_error: Callable[[str], None] | None = None) -> None:
    """Write a snapshot of the settings on the store thread (the GUI thread never touches the disk)."""
    snapshot = copy.deepcopy(settings)
    store.submit(lambda _store: save_settings(snapshot, path), None,
                 on_error or (lambda message: store.error.emit(f"Settings could not be saved: {message}")))
