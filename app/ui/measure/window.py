"""The Measure window: HumanEval pass@1, infilling and speed of the model in use, on this machine,
beside every model measured before and the Code Llama paper's published figures.

Nothing slow happens here: a run's loop and the results database are on the measure worker
(MeasureControl), each task's generation on the inference thread, an export's write on the files
worker. This window turns clicks into runs and shows what they report. Model-written code runs
only after the one-time consent (ConsentDialog), kept in Settings.measure_code_consent.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from app.context import AppContext
from app.core.errors import UserError
from app.core.measure.published import PUBLISHED
from app.core.measure.results import RunRecord, RunState
from app.core.measure.runner import RunSummary
from app.core.measure.suites import Suite
from app.ui.i18n import resolve
from app.ui.measure.consent import ConsentDialog
from app.ui.measure.control import MeasureControl, RunPhase, Snapshot, SuiteProgress
from app.ui.measure.export import ExportFormat, ResultsExport
from app.ui.measure.panels import HUMANEVAL_PROBLEMS, PlanBox, ProgressBox, ResultsBox
from app.ui.measure.results_model import ResultsModel, file_size
from app.ui.restyle import PaletteStyled
from app.workers.inference import InferenceService
from app.workers.worker import Worker

log = logging.getLogger(__name__)

# Colours from the palette (a live theme switch restyles them, PaletteStyled); an error keeps a
# fixed red border, readable on both backgrounds, with the palette's own text colour inside.
STYLE = """
#measureModel { font-weight: bold; font-size: 14px; }
#measureFigures { font-weight: bold; }
#measureMessage { border: 1px solid palette(mid); border-radius: 6px; padding: 6px; }
#measureMessage[error="true"] { border: 2px solid #b91c1c; }
#measureNote { color: palette(placeholder-text); }
"""


class MeasureWindow(PaletteStyled, QDialog):
    """See the module docstring."""

    STYLE_SHEET = STYLE  # set again after a theme switch (PaletteStyled)
    message = Signal(str)  # for the main window's status bar

    def __init__(self, ctx: AppContext, inference: InferenceService, control: MeasureControl, files: Worker,
                 show_error: Callable[[UserError | str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Measure models"))
        self.resize(1220, 780)
        self._ctx, self._inference, self.control = ctx, inference, control
        self._show_error = show_error
        self.snapshot: Snapshot | None = None
        self.consent: ConsentDialog | None = None  # while the one-time question is open
        self._pending: Callable[[], bool] | None = None  # the run to start once consent is given
        self._finished: list[str] = []  # what each suite of the run in progress came to
        self.export = ResultsExport(files, self)
        layout = QVBoxLayout(self)
        self.plan = PlanBox(self)
        layout.addWidget(self.plan)
        self.run_progress = ProgressBox(self)
        layout.addWidget(self.run_progress)
        self.results = ResultsBox(self)
        layout.addWidget(self.results, 1)
        self.table_model = ResultsModel(self)
        self.table_model.set_published(PUBLISHED)
        self.results.table.setModel(self.table_model)
        self.results.size_columns()
        self.restyle()
        self._connect()
        self._show_phase(control.phase)
        self._show_model()
        self._show_table()
        control.refresh()

    def _connect(self) -> None:
        plan, results, control, inference = self.plan, self.results, self.control, self._inference
        plan.start.clicked.connect(self.start)
        plan.cancel.clicked.connect(self.cancel)
        plan.resume.clicked.connect(self.resume)
        results.show_published.toggled.connect(
            lambda shown: self.table_model.set_published(PUBLISHED if shown else ()))
        results.export_csv.clicked.connect(lambda: self.ask_export(ExportFormat.CSV))
        results.export_markdown.clicked.connect(lambda: self.ask_export(ExportFormat.MARKDOWN))
        control.phase_changed.connect(self._show_phase)
        control.progress.connect(self._on_progress)
        control.table_changed.connect(self._on_table)
        control.suite_finished.connect(self._on_suite_finished)
        control.run_finished.connect(self._on_run_finished)
        control.failed.connect(self._on_failed)
        inference.loading.connect(self._on_model_loading)
        inference.loaded.connect(lambda _info: self._model_changed())
        inference.unloaded.connect(self._model_changed)
        inference.load_failed.connect(lambda _error: self._model_changed())
        self.export.written.connect(self._on_exported)
        self.export.failed.connect(lambda error: self.run_progress.show_message(resolve(error.message), error=True))

    # Starting --------------------------------------------------------------------------------
    def start(self) -> bool:
        """Measure the chosen suites from their first problem; False when nothing could start."""
        suites = self.plan.chosen_suites()
        if not suites:
            self.run_progress.show_message(self.tr("Choose at least one suite to measure."), error=True)
            return False
        limit = self.plan.chosen_limit()
        return self._with_consent(suites, lambda: self.control.start(suites, limit, fresh=True))

    def resume(self) -> bool:
        record = self.resumable()
        if record is None or record.key is None:
            return False
        return self._with_consent([record.key.suite], lambda: self.control.resume(record))

    def cancel(self) -> None:
        self.control.cancel()

    def _with_consent(self, suites: list[Suite], begin: Callable[[], bool]) -> bool:
        """Run `begin` now, or once the one-time question about model-written code is answered yes."""
        if self._inference.info is None:
            self.run_progress.show_message(self.tr("No model is loaded: load one in Models (Ctrl+M) first."),
                                           error=True)
            return False
        if self._ctx.settings.measure_code_consent or not any(suite.runs_code for suite in suites):
            return self._begin(begin)
        self._pending = begin
        self.plan.start.setEnabled(False)  # one question at a time
        self.control.describe_sandbox(self._ask_consent)
        return True

    def _ask_consent(self, report) -> None:
        if self._pending is None:
            return
        dialog = self.consent = ConsentDialog(report, self)
        dialog.accepted.connect(self._consent_given)
        dialog.rejected.connect(self._consent_refused)
        dialog.open()  # window-modal; returns at once

    def _consent_given(self) -> None:
        self.consent = None
        self._ctx.update_settings(measure_code_consent=True)
        begin, self._pending = self._pending, None
        if begin is not None:
            self._begin(begin)

    def _consent_refused(self) -> None:
        self.consent = None
        self._pending = None
        self._show_phase(self.control.phase)
        self.run_progress.show_message(self.tr(
            "Nothing was run. HumanEval and infilling run the model's code and need your agreement; the speed "
            "suite runs without it."))

    def _begin(self, begin: Callable[[], bool]) -> bool:
        self._finished = []
        self.run_progress.show_message("")
        self.run_progress.bar.setRange(0, 0)  # busy until the first task reports
        self.run_progress.figures.setText(self.tr("Preparing the run…"))
        started = begin()
        if not started:
            self._show_phase(self.control.phase)
        return started

    # What the run reports ----------------------------------------------------------------------
    def _on_progress(self, report: SuiteProgress) -> None:
        progress, bar = report.progress, self.run_progress.bar
        bar.setRange(0, max(progress.total, 1))
        bar.setValue(progress.done)
        suite = resolve(report.suite.label)
        if report.suite is Suite.SPEED:
            done = self.tr("{done} of {total} measurements").format(done=progress.done, total=progress.total)
        else:
            done = self.tr("{done} of {total} done, {passed} passed").format(
                done=progress.done, total=progress.total, passed=progress.passed)
        parts = [suite, done]
        if report.count > 1:
            parts.insert(0, self.tr("Suite {index} of {count}").format(index=report.index + 1, count=report.count))
        if progress.eta_s is not None and progress.done < progress.total:
            parts.append(self.eta(progress.eta_s))
        if progress.task_id:
            parts.append(progress.task_id)
        self.run_progress.figures.setText(" · ".join(parts))

    def eta(self, seconds: float) -> str:
        """"about 40 s left", "about 12 min left", "about 2 h 5 min left"."""
        if seconds < 90:
            return self.tr("about {seconds} s left").format(seconds=max(1, round(seconds)))
        minutes = round(seconds / 60)
        if minutes < 90:
            return self.tr("about {minutes} min left").format(minutes=minutes)
        return self.tr("about {hours} h {minutes} min left").format(hours=minutes // 60, minutes=minutes % 60)

    def summary_text(self, summary: RunSummary) -> str:
        suite = resolve(summary.suite.label)
        if summary.state is not RunState.FINISHED:
            if summary.suite is Suite.SPEED:
                return self.tr("{suite} stopped: it starts over next time.").format(suite=suite)
            return self.tr("{suite} stopped at {done} of {total}: Resume goes on from there.").format(
                suite=suite, done=summary.done, total=summary.total)
        if summary.score is None:
            generation, prompt = summary.metrics.get("gen_tps"), summary.metrics.get("prompt_tps_512")
            if isinstance(generation, (int, float)) and isinstance(prompt, (int, float)):
                return self.tr("{suite}: generation {generation:.1f} tokens/s, a 512-token prompt at "
                               "{prompt:,.0f} tokens/s.").format(suite=suite, generation=generation, prompt=prompt)
            return self.tr("{suite}: measured.").format(suite=suite)
        return self.tr("{suite}: {score:.1f}% passed ({passed} of {done}).").format(
            suite=suite, score=summary.score * 100, passed=round(summary.score * summary.done), done=summary.done)

    def _on_suite_finished(self, summary: RunSummary) -> None:
        self._finished.append(self.summary_text(summary))
        text = "\n".join(self._finished)  # every suite of this run so far, one a line
        self.run_progress.show_message(text)
        self.message.emit(self._finished[-1])

    def _on_run_finished(self, summaries: tuple[RunSummary, ...]) -> None:
        if summaries and all(s.state is RunState.FINISHED for s in summaries):
            self.run_progress.figures.setText(self.tr("Finished."))
            bar = self.run_progress.bar
            bar.setValue(bar.maximum())
        elif not summaries:
            self.run_progress.figures.setText(self.tr("Cancelled before the first problem."))
            self.run_progress.bar.setRange(0, 1)

    def _on_failed(self, error: UserError) -> None:
        text = resolve(error.message)
        self.run_progress.figures.setText(self.tr("The run stopped."))
        self.run_progress.bar.setRange(0, 1)
        self.run_progress.show_message(text, error=True)
        if not self.isVisible():
            self._show_error(error)  # the window was closed while it ran: the main window's banner tells

    def _on_table(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._show_table()
        self._show_model()
        self._show_phase(self.control.phase)

    def _show_table(self) -> None:
        rows = self.snapshot.rows if self.snapshot is not None else ()
        self.table_model.set_rows(rows)
        self.results.empty.setVisible(not rows)

    # The model in use ----------------------------------------------------------------------------
    def _on_model_loading(self, name: str) -> None:
        if self.control.phase is RunPhase.RUNNING:
            self.control.cancel()  # its answers would come from another model
            self.run_progress.show_message(self.tr(
                "Another model is loading, so the run stops after the problem in progress; load the "
                "measured model again to resume it."), error=True)
        self.plan.model.setText(self.tr("Loading {name}…").format(name=name))
        self._show_phase(self.control.phase)

    def _model_changed(self) -> None:
        self._show_model()
        self._show_phase(self.control.phase)
        self.control.refresh()  # the new model's key (a hash of its file's start) is read on the worker

    def _show_model(self) -> None:
        info = self._inference.info
        if info is None:
            self.plan.model.setText(self.tr("No model is loaded: load one in Models (Ctrl+M) to measure it."))
            return
        model = self.snapshot.model if self.snapshot is not None else None
        size = file_size(model.size_bytes) if model is not None else ""
        if size:
            self.plan.model.setText(self.tr("Measuring {name} · {size} · {backend}").format(
                name=info.model_name, size=size, backend=info.backend))
        else:
            self.plan.model.setText(self.tr("Measuring {name} · {backend}").format(name=info.model_name,
                                                                                   backend=info.backend))

    def resumable(self) -> RunRecord | None:
        """The latest interrupted run of the model in use, if any (speed always starts over: its
        figures from another session would not mix, so it has nothing to resume)."""
        snapshot = self.snapshot
        if snapshot is None or snapshot.model is None or self._inference.info is None:
            return None
        mine = [r for r in snapshot.interrupted if r.key is not None and r.key.model_key == snapshot.model.key
                and r.key.suite is not Suite.SPEED]
        return mine[-1] if mine else None

    def _show_phase(self, phase: RunPhase) -> None:
        idle = phase is RunPhase.IDLE
        asking = self._pending is not None
        plan = self.plan
        plan.start.setEnabled(idle and not asking and self._inference.info is not None)
        plan.cancel.setEnabled(phase is RunPhase.RUNNING)
        plan.cancel.setText(self.tr("Cancelling…") if phase is RunPhase.CANCELLING else self.tr("Cancel"))
        for box in plan.suites.values():
            box.setEnabled(idle)
        plan.all_problems.setEnabled(idle)
        plan.some_problems.setEnabled(idle)
        plan.limit.setEnabled(idle and plan.some_problems.isChecked())
        record = self.resumable() if idle else None
        plan.resume.setVisible(record is not None)
        plan.resume.setEnabled(record is not None and not asking)
        if record is not None and record.key is not None:
            plan.resume.setText(self.tr("Resume {suite} ({done} of {total} done)").format(
                suite=resolve(record.key.suite.label), done=len(record.done_ids),
                total=record.total or HUMANEVAL_PROBLEMS))

    # Export ------------------------------------------------------------------------------------
    def ask_export(self, kind: ExportFormat):
        published = self.table_model.published
        if not self.table_model.rows and not published:
            self.run_progress.show_message(self.tr("Nothing to export yet."))
            return None
        return self.export.ask(self, kind, self.table_model.rows, published, Path.home())

    def _on_exported(self, path: str) -> None:
        text = self.tr("Exported to {path}").format(path=path)
        self.run_progress.show_message(text)
        self.message.emit(text)

    def shutdown(self) -> None:
        """The app is quitting: a run is cancelled (the worker closes the database after it)."""
        self.control.shutdown()
