"""Downloads on their own thread, one at a time in the order asked; progress comes back as signals.

Pause keeps the partial file (resuming re-queues the model); cancel deletes it. The thread also
runs the other slow model-file jobs of the Models window (remote header checks, fit estimates,
deletes, imports) so the GUI thread never waits on the network or the disk.
"""

from __future__ import annotations

import logging
import queue
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.core.download import DownloadControl, DownloadOptions, DownloadProgress, DownloadState, download_model
from app.core.errors import UserError
from app.core.manifest import ModelEntry
from app.workers.tasks import TaskRunner

log = logging.getLogger(__name__)


@dataclass
class _Job:
    entry: ModelEntry
    control: DownloadControl


class _Runner(QThread):
    progress = Signal(object)  # DownloadProgress
    finished_model = Signal(str, object)  # model id, final DownloadState (DONE, PAUSED or CANCELLED)
    failed_model = Signal(str, str)  # model id, message

    def __init__(self, models_dir, options: Callable[[], DownloadOptions]) -> None:
        super().__init__()
        self.setObjectName("downloads")
        self._models_dir = models_dir
        self._options = options
        self.jobs: queue.Queue[_Job | None] = queue.Queue()

    def run(self) -> None:
        while (job := self.jobs.get()) is not None:
            self._download(job)

    def _download(self, job: _Job) -> None:
        entry, control = job.entry, job.control
        if control.stopping:
            self.finished_model.emit(entry.id, DownloadState.CANCELLED if control.cancel.is_set() else DownloadState.PAUSED)
            return
        final = DownloadState.DONE
        try:
            for event in download_model(entry, self._models_dir, self._options(), control):
                self.progress.emit(event)
                if event.state.stopped_early:
                    final = event.state
            self.finished_model.emit(entry.id, final)
        except UserError as exc:
            self.failed_model.emit(entry.id, exc.message)
        except Exception as exc:
            log.exception("download failed")
            self.failed_model.emit(entry.id, f"Download failed: {exc}")


class DownloadService(QObject):
    progress = Signal(object)
    finished = Signal(str, object)  # model id, final DownloadState
    failed = Signal(str, str)

    def __init__(self, models_dir, options: Callable[[], DownloadOptions], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = _Runner(models_dir, options)
        # Quick jobs (fit, header checks, deletes, imports) get their own thread so they never wait
        # behind a download of several gigabytes.
        self._tasks = TaskRunner("model-tasks", self)
        self._controls: dict[str, DownloadControl] = {}
        self._runner.progress.connect(self._on_progress)
        self._runner.finished_model.connect(self._on_finished)
        self._runner.failed_model.connect(self._on_failed)
        self._runner.start()

    def is_active(self, model_id: str) -> bool:
        return model_id in self._controls

    def enqueue(self, entry: ModelEntry) -> None:
        if entry.id in self._controls:
            return
        control = DownloadControl()
        self._controls[entry.id] = control
        self._runner.jobs.put(_Job(entry, control))

    def pause(self, model_id: str) -> None:
        if model_id in self._controls:
            self._controls[model_id].pause.set()

    def cancel(self, model_id: str) -> None:
        if model_id in self._controls:
            self._controls[model_id].cancel.set()

    def run_task(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
                 on_error: Callable[[str], None] | None = None) -> None:
        """Run `fn` on the model-task thread; callbacks on the GUI thread."""
        self._tasks.submit(lambda _report: fn(), on_done, on_error)

    @Slot(object)
    def _on_progress(self, event: DownloadProgress) -> None:
        self.progress.emit(event)

    @Slot(str, object)
    def _on_finished(self, model_id: str, state: DownloadState) -> None:
        self._controls.pop(model_id, None)
        self.finished.emit(model_id, state)

    @Slot(str, str)
    def _on_failed(self, model_id: str, message: str) -> None:
        self._controls.pop(model_id, None)
        self.failed.emit(model_id, message)

    def shutdown(self, timeout_ms: int = 10000) -> None:
        for control in self._controls.values():
            control.interrupt()  # pause (the partial file is kept for the next start) and end a stalled read
        self._tasks.shutdown(timeout_ms)
        if self._runner.isRunning():
            self._runner.jobs.put(None)
            if not self._runner.wait(timeout_ms):
                # Destroying a running QThread aborts the process; ending it is the lesser evil at exit.
                log.error("the download thread did not stop in time; terminating it")
                self._runner.terminate()
                self._runner.wait(2000)
