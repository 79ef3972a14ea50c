"""The one way the GUI runs work in the background: a named thread running jobs in submission order.

`submit(fn, on_done, on_error, on_progress)`: `fn(report)` runs on the worker's thread; the
callbacks run on the GUI thread. Because jobs run in order, a later job may rely on what an
earlier one created, and the objects a job touches (a model, a database connection, an index)
are owned by that one thread.

Failures cross the thread boundary as exception objects, never as strings: a `UserError` reaches
`on_error` as raised (its message, subclass and `retryable` hint intact); anything else is logged
with its traceback and wrapped in an `UnexpectedError` that names the job's `failure` text.
Every worker shuts down the same way: the jobs already submitted run, then the thread ends.
"""

from __future__ import annotations

import itertools
import logging
import queue
from dataclasses import dataclass
from typing import Any, Callable, Generic, TypeVar

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.core.errors import UserError
from app.core.i18n import translate

log = logging.getLogger(__name__)

T = TypeVar("T")
Report = Callable[[object], None]
OnError = Callable[[UserError], None]


class UnexpectedError(UserError):
    """A job failed with an exception that was not meant for the user; the log has the traceback."""

    def __init__(self, failure: str, cause: BaseException) -> None:
        # Marked like a core message: made on the worker's thread, translated where it is shown (resolve).
        super().__init__(translate("Worker", "{failure}: {cause}").format(
            failure=failure, cause=str(cause) or cause.__class__.__name__))


@dataclass(frozen=True)
class _Job(Generic[T]):
    job_id: int
    fn: Callable[[Report], T]
    failure: str


class _Thread(QThread):
    progress = Signal(int, object)  # job id, what the job reported
    done = Signal(int, object, object)  # job id, result, UserError or None

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.jobs: queue.Queue[_Job | None] = queue.Queue()

    def run(self) -> None:
        while (job := self.jobs.get()) is not None:
            def report(value: object, job_id: int = job.job_id) -> None:
                self.progress.emit(job_id, value)

            try:
                result = job.fn(report)
            except UserError as exc:
                self.done.emit(job.job_id, None, exc)
            except Exception as exc:  # reported to the caller, never fatal to the thread
                log.exception("%s job failed", self.objectName())
                wrapped = UnexpectedError(job.failure, exc)
                wrapped.__cause__ = exc
                self.done.emit(job.job_id, None, wrapped)
            else:
                self.done.emit(job.job_id, result, None)


@dataclass
class _Callbacks:
    on_done: Callable[[Any], None] | None
    on_error: OnError | None
    on_progress: Callable[[object], None] | None


class Worker(QObject):
    """A background thread with a job queue; see the module docstring."""

    def __init__(self, name: str, parent: QObject | None = None, *,
                 on_unhandled: OnError | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._thread = _Thread(name)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, _Callbacks] = {}
        # Where a failure goes when its job gave no on_error (the window's one error display).
        self.on_unhandled = on_unhandled
        # Signal-to-slot connections made here are queued onto this object's (the GUI) thread.
        self._thread.progress.connect(self._on_progress)
        self._thread.done.connect(self._on_done)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.isRunning()

    def submit(self, fn: Callable[[Report], T], on_done: Callable[[T], None] | None = None,
               on_error: OnError | None = None, on_progress: Callable[[object], None] | None = None, *,
               failure: str = translate("Worker", "Something went wrong")) -> int:
        job_id = next(self._ids)
        self._callbacks[job_id] = _Callbacks(on_done, on_error, on_progress)
        self._thread.jobs.put(_Job(job_id, fn, failure))
        return job_id

    @Slot(int, object)
    def _on_progress(self, job_id: int, value: object) -> None:
        callbacks = self._callbacks.get(job_id)
        if callbacks is not None and callbacks.on_progress is not None:
            callbacks.on_progress(value)

    @Slot(int, object, object)
    def _on_done(self, job_id: int, result: Any, error: UserError | None) -> None:
        callbacks = self._callbacks.pop(job_id, None)
        if callbacks is None:
            return
        if error is None:
            if callbacks.on_done is not None:
                callbacks.on_done(result)
        elif callbacks.on_error is not None:
            callbacks.on_error(error)
        elif self.on_unhandled is not None:
            self.on_unhandled(error)
        else:
            log.warning("%s job failed with nobody to tell: %s", self.name, error.message)

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Run the jobs already submitted, then end the thread (or, past the timeout, terminate it)."""
        if not self._thread.isRunning():
            return
        self._thread.jobs.put(None)
        if not self._thread.wait(timeout_ms):
            # Destroying a running QThread aborts the process; ending it is the lesser evil at exit.
            log.error("the %s thread did not stop in time; terminating it", self.name)
            self._thread.terminate()
            self._thread.wait(2000)

