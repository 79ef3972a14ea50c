"""A thread that runs submitted functions in order, with progress and results delivered as signals."""

from __future__ import annotations

import itertools
import logging
import queue
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.core.errors import UserError

log = logging.getLogger(__name__)

Report = Callable[[object], None]


class _Thread(QThread):
    progress = Signal(int, object)
    done = Signal(int, object, object)

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.jobs: queue.Queue[tuple[int, Callable[[Report], Any]] | None] = queue.Queue()

    def run(self) -> None:
        while (item := self.jobs.get()) is not None:
            task_id, fn = item
            try:
                self.done.emit(task_id, fn(lambda value, t=task_id: self.progress.emit(t, value)), None)
            except UserError as exc:
                self.done.emit(task_id, None, exc.message)
            except Exception as exc:  # reported to the caller, never fatal to the thread
                log.exception("background task failed")
                self.done.emit(task_id, None, f"{exc.__class__.__name__}: {exc}")


class TaskRunner(QObject):
    """`submit(fn, on_done, on_error, on_progress)`: fn(report) runs on the thread; callbacks on the GUI thread."""

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = _Thread(name)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Callable | None, Callable | None, Callable | None]] = {}
        self._thread.progress.connect(self._on_progress)
        self._thread.done.connect(self._on_done)
        self._thread.start()

    def submit(self, fn: Callable[[Report], Any], on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[str], None] | None = None,
               on_progress: Callable[[object], None] | None = None) -> int:
        task_id = next(self._ids)
        self._callbacks[task_id] = (on_done, on_error, on_progress)
        self._thread.jobs.put((task_id, fn))
        return task_id

    @Slot(int, object)
    def _on_progress(self, task_id: int, value: object) -> None:
        callbacks = self._callbacks.get(task_id)
        if callbacks and callbacks[2]:
            callbacks[2](value)

    @Slot(int, object, object)
    def _on_done(self, task_id: int, result: Any, error: str | None) -> None:
        on_done, on_error, _ = self._callbacks.pop(task_id, (None, None, None))
        if error is not None:
            if on_error:
                on_error(error)
        elif on_done:
            on_done(result)

    def shutdown(self, timeout_ms: int = 10000) -> None:
        if self._thread.isRunning():
            self._thread.jobs.put(None)
            if not self._thread.wait(timeout_ms):
                log.error("%s thread did not stop in time; terminating it", self._thread.objectName())
                self._thread.terminate()
                self._thread.wait(2000)
