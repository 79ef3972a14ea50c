"""Saving the settings soon after they change, on a background thread (the GUI thread never writes).

The files worker does the writing, not the store's: settings must be saved even when the
conversation database cannot be opened.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from app.core.i18n import translate
from app.core.settings import Settings, save_settings
from app.workers.worker import Worker

SAVE_DELAY_MS = 300  # several quick changes (a dialog's fields, a drag of the window) make one write


class SettingsAutosave(QObject):
    """The GUI's saver for the settings owner: the latest snapshot is written shortly after a change."""

    def __init__(self, worker: Worker, path: Path, on_error, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker, self._path, self._on_error = worker, path, on_error
        self._pending: Settings | None = None
        self._timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS, timeout=self.flush)

    def __call__(self, settings: Settings) -> None:
        self._pending = settings
        self._timer.start()

    def flush(self) -> None:
        """Queue the pending snapshot now (at exit: before the store thread's last jobs)."""
        self._timer.stop()
        snapshot, self._pending = self._pending, None
        if snapshot is None:
            return
        path = self._path
        self._worker.submit(lambda _report: save_settings(snapshot, path), None, self._on_error,
                            failure=translate("Worker", "The settings could not be saved"))
