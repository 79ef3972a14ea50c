"""Downloads on their own worker thread, one at a time in the order asked; progress comes back as signals.

Pause keeps the partial file (resuming re-queues the model); cancel deletes it. The thread also
runs the other slow model-file jobs of the Models window (remote header checks, fit estimates,
deletes, imports) so the GUI thread never waits on the network or the disk.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from app.core.download import DownloadControl, DownloadOptions, DownloadState, download_model
from app.core.errors import UserError
from app.core.i18n import translate
from app.core.manifest import ModelEntry
from app.workers.worker import OnError, Report, Worker

log = logging.getLogger(__name__)


class DownloadService(QObject):
    progress = Signal(object)  # DownloadProgress
    finished = Signal(str, object)  # model id, final DownloadState (DONE, PAUSED or CANCELLED)
    failed = Signal(str, object)  # model id, UserError

    def __init__(self, models_dir, options: Callable[[], DownloadOptions], *, downloads: Worker, tasks: Worker,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._models_dir = models_dir
        self._options = options
        self._downloads = downloads  # both workers come from the composition root (app.services)
        # Quick jobs (fit, header checks, deletes, imports) get their own thread so they never wait
        # behind a download of several gigabytes.
        self._tasks = tasks
        self._controls: dict[str, DownloadControl] = {}  # GUI thread; each control's events are thread-safe

    @property
    def running(self) -> bool:
        return self._downloads.running or self._tasks.running

    def is_active(self, model_id: str) -> bool:
        return model_id in self._controls

    def enqueue(self, entry: ModelEntry) -> None:
        if entry.id in self._controls:
            return
        control = DownloadControl()
        self._controls[entry.id] = control
        models_dir, options = self._models_dir, self._options

        def work(report: Report) -> DownloadState:
            if control.stopping:  # paused or cancelled while it waited its turn
                return DownloadState.CANCELLED if control.cancel.is_set() else DownloadState.PAUSED
            final = DownloadState.DONE
            for event in download_model(entry, models_dir, options(), control):
                report(event)
                if event.state.stopped_early:
                    final = event.state
            return final

        self._downloads.submit(work, lambda state: self._on_finished(entry.id, state),
                               lambda exc: self._on_failed(entry.id, exc), self.progress.emit,
                               failure=translate("Worker", "Download failed"))

    def pause(self, model_id: str) -> None:
        if model_id in self._controls:
            self._controls[model_id].pause.set()

    def cancel(self, model_id: str) -> None:
        if model_id in self._controls:
            self._controls[model_id].cancel.set()

    def run_task(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
                 on_error: OnError | None = None) -> None:
        """Run `fn` on the model-task thread; callbacks on the GUI thread."""
        self._tasks.submit(lambda _report: fn(), on_done, on_error)

    def _on_finished(self, model_id: str, state: DownloadState) -> None:
        self._controls.pop(model_id, None)
        self.finished.emit(model_id, state)

    def _on_failed(self, model_id: str, error: UserError) -> None:
        self._controls.pop(model_id, None)
        self.failed.emit(model_id, error)

    def shutdown(self, timeout_ms: int = 10000) -> None:
        for control in self._controls.values():
            control.interrupt()  # pause (the partial file is kept for the next start) and end a stalled read
        self._tasks.shutdown(timeout_ms)
        self._downloads.shutdown(timeout_ms)
