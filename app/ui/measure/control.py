"""The Measure window's runs, on the measure worker: never on the GUI thread, never on the model's.

Every job here runs on `worker` (app.services' "measure" thread), which alone opens the results
database (a ResultStore is safe from any thread, but one owner keeps its opening and closing in
order). A run's loop is app.core.measure.runner.run_measure: it submits each task's generation to
the ModelRunner (the inference thread, in turn with chat answers) and judges the candidate in the
sandbox on this thread. What it reports comes back here as signals on the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.core.errors import UserError
from app.core.measure.results import ResultRow, ResultStore, RunRecord
from app.core.measure.runner import MeasurePlan, Progress, RunSummary
from app.core.measure.suites import Suite
from app.core.model_runner import ModelRunner
from app.workers.worker import Report, Worker

log = logging.getLogger(__name__)


class RunPhase(Enum):
    IDLE = "idle"
    RUNNING = "running"
    CANCELLING = "cancelling"  # asked to stop: the task in flight ends first


@dataclass(frozen=True)
class MeasuredModel:
    """The loaded model as the results know it (app.core.measure.runner.model_key_for)."""

    key: str
    label: str
    size_bytes: int


@dataclass(frozen=True)
class Snapshot:
    """What the window shows of the database: every measured row, and the runs left unfinished."""

    rows: tuple[ResultRow, ...]
    interrupted: tuple[RunRecord, ...]
    model: MeasuredModel | None  # the model loaded when it was read (None: nothing loaded)


@dataclass(frozen=True)
class SuiteProgress:
    """A run's progress, with which of the chosen suites it is on."""

    suite: Suite
    index: int  # 0-based among the suites of this run
    count: int
    progress: Progress


@dataclass(frozen=True)
class _Table:
    snapshot: Snapshot


class MeasureControl(QObject):
    """Starts, cancels and reads back measure runs; see the module docstring."""

    phase_changed = Signal(object)  # RunPhase
    progress = Signal(object)  # SuiteProgress
    table_changed = Signal(object)  # Snapshot
    suite_finished = Signal(object)  # RunSummary
    run_finished = Signal(object)  # tuple[RunSummary, ...]: every suite that ran (the last may be interrupted)
    failed = Signal(object)  # UserError

    def __init__(self, runner: ModelRunner, worker: Worker, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner, self._worker, self._data_dir = runner, worker, data_dir
        self._store: ResultStore | None = None  # opened and used only by jobs on `worker`
        self._cancel: threading.Event | None = None
        self.phase = RunPhase.IDLE

    # Reading ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the table again (queued behind a run in progress, which reports its own updates)."""
        self._worker.submit(lambda _report: self._snapshot(), self.table_changed.emit, self.failed.emit,
                            failure="Could not read the measured results")

    def describe_sandbox(self, on_done) -> None:
        """The sandbox's own account of what it protects against on this machine (it probes: not on the GUI)."""
        def work(_report: Report):
            from app.core.measure.sandbox import describe_sandbox

            return describe_sandbox()

        self._worker.submit(work, on_done, self.failed.emit, failure="Could not check the sandbox")

    # Running ---------------------------------------------------------------------------------
    def start(self, suites: list[Suite], limit: int | None, *, fresh: bool = True) -> bool:
        """Run `suites` one after the other on the loaded model; False when a run is already going.

        `fresh` starts each suite over; otherwise a run with the same key that was interrupted
        resumes (its finished tasks are kept and skipped).
        """
        if self.phase is not RunPhase.IDLE or not suites:
            return False
        cancel = self._cancel = threading.Event()
        runner, chosen = self._runner, tuple(suites)

        def work(report: Report) -> tuple[RunSummary, ...]:
            from app.core.measure.runner import run_measure
            from app.core.measure.sandbox import Sandbox

            store = self._open_store()
            model = self._loaded_model()
            if model is None:
                from app.core.errors import ModelNotLoadedError

                raise ModelNotLoadedError()
            sandbox = Sandbox()
            summaries: list[RunSummary] = []
            for index, suite in enumerate(chosen):
                if cancel.is_set():
                    break

                def on_progress(progress: Progress, suite: Suite = suite, index: int = index) -> None:
                    report(SuiteProgress(suite, index, len(chosen), progress))
                    report(_Table(self._snapshot(model)))  # the row grows as the run goes

                summary = run_measure(runner, MeasurePlan(suite, limit, fresh=fresh), store, sandbox,
                                      model_key=model.key, model_label=model.label, size_bytes=model.size_bytes,
                                      on_progress=on_progress, cancel=cancel)
                summaries.append(summary)
                report(summary)
                report(_Table(self._snapshot(model)))
            return tuple(summaries)

        self._set_phase(RunPhase.RUNNING)
        self._worker.submit(work, self._on_done, self._on_failed, self._on_report, failure="The measure run failed")
        return True

    def resume(self, record: RunRecord) -> bool:
        """Go on with an interrupted run of the loaded model: the same suite and number of problems."""
        if record.key is None:
            return False
        return self.start([record.key.suite], record.total or None, fresh=False)

    def cancel(self) -> None:
        """Stop after the task in flight (its generation is aborted); the run stays resumable."""
        if self._cancel is not None and self.phase is RunPhase.RUNNING:
            self._cancel.set()
            self._set_phase(RunPhase.CANCELLING)

    def shutdown(self) -> None:
        """Cancel a run (the app is quitting) and close the database after it, on the worker."""
        if self._cancel is not None:
            self._cancel.set()

        def close(_report: Report) -> None:
            if self._store is not None:
                self._store.close()
                self._store = None

        self._worker.submit(close)

    # On the worker -----------------------------------------------------------------------------
    def _open_store(self) -> ResultStore:
        if self._store is None:
            self._store = ResultStore.in_data(self._data_dir)
        return self._store

    def _loaded_model(self) -> MeasuredModel | None:
        from app.core.measure.runner import model_key_for

        info = self._runner.info()
        if info is None:
            return None
        key, label, size = model_key_for(info)  # reads the file's first MiB: on this thread, not the GUI's
        return MeasuredModel(key, label, size)

    def _snapshot(self, model: MeasuredModel | None = None) -> Snapshot:
        store = self._open_store()
        if model is None:
            model = self._loaded_model()
        return Snapshot(tuple(store.table()), tuple(store.interrupted()), model)

    # Back on the GUI thread ----------------------------------------------------------------------
    def _on_report(self, value: object) -> None:
        if isinstance(value, SuiteProgress):
            self.progress.emit(value)
        elif isinstance(value, _Table):
            self.table_changed.emit(value.snapshot)
        elif isinstance(value, RunSummary):
            self.suite_finished.emit(value)

    def _on_done(self, summaries: tuple[RunSummary, ...]) -> None:
        self._set_phase(RunPhase.IDLE)
        self.run_finished.emit(summaries)

    def _on_failed(self, error: UserError) -> None:
        self._set_phase(RunPhase.IDLE)
        self.failed.emit(error)
        self.refresh()  # what was written before the failure is kept and shown (and resumable)

    def _set_phase(self, phase: RunPhase) -> None:
        if phase is not self.phase:
            self.phase = phase
            self.phase_changed.emit(phase)
