"""The Measure window on the real app: the embedded SmolLM2 through the real InferenceService, the real
sandbox running the model's code, the real results database, the real export on the files worker.

Runs are --limit sized (two or three HumanEval problems). Every wait is on a signal or a condition
(qtbot.waitSignal / waitUntil), never a sleep: the GUI thread keeps running while the run goes on
the measure worker and the model's thread.
"""

from __future__ import annotations

import csv
import io
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QThread
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from app.core.measure.published import PUBLISHED
from app.core.measure.results import ItemResult, ResultStore, RunKey, RunState
from app.core.measure.suites import Suite
from app.core.measure.verdict import Outcome
from app.ui.measure.control import RunPhase
from app.ui.measure.results_model import Column, ResultsModel

RUN_TIMEOUT_MS = 240000  # two problems of up to 512 tokens each on a shared 2-core machine


def open_measure(window):
    """Tools > Measure models…, as a person opens it."""
    window.actions_by_name["measure"].trigger()
    measure = window.measure_window
    assert measure is not None and measure.isVisible()
    return measure


def choose(measure, suites: tuple[Suite, ...], limit: int | None) -> None:
    for suite, box in measure.plan.suites.items():
        box.setChecked(suite in suites)
    if limit is None:
        measure.plan.all_problems.setChecked(True)
    else:
        measure.plan.some_problems.setChecked(True)
        measure.plan.limit.setValue(limit)


def agree(qtbot, measure) -> None:
    """Answer the one-time question with "Run model-written code"."""
    qtbot.waitUntil(lambda: measure.consent is not None and measure.consent.isVisible(), timeout=60000)
    measure.consent.run_button.click()


def line_for(measure, label: str) -> int:
    model = measure.table_model
    for row in range(model.rowCount()):
        if not model.is_published(row) and model.index(row, Column.MODEL).data() == label:
            return row
    raise AssertionError(f"no measured line for {label}")


class Recorder:
    """Everything the control reports, in order, with the thread it was delivered on."""

    def __init__(self, measure) -> None:
        self.progress: list = []
        self.figures: list[str] = []  # the window's line after each report (its own slot ran first)
        self.tables: list = []
        self.threads: set[str] = set()
        self._measure = measure
        control = measure.control
        control.progress.connect(self._progress)
        control.table_changed.connect(self.tables.append)

    def _progress(self, report) -> None:
        self.progress.append(report)
        self.figures.append(self._measure.run_progress.figures.text())
        on_gui = QThread.currentThread() is QApplication.instance().thread()
        self.threads.add("gui" if on_gui else QThread.currentThread().objectName())


def test_a_run_of_two_problems_asks_once_shows_progress_and_fills_the_table(qtbot, make_window) -> None:
    window = make_window()
    measure = open_measure(window)
    assert "SmolLM2" in measure.plan.model.text()
    assert window.ctx.settings.measure_code_consent is False
    seen = Recorder(measure)
    choose(measure, (Suite.HUMANEVAL,), 2)

    order: list[str] = []
    measure.control.run_finished.connect(lambda _summaries: order.append("run finished"))
    with qtbot.waitSignal(measure.control.run_finished, timeout=RUN_TIMEOUT_MS) as finished:
        assert measure.start()
        agree(qtbot, measure)
        # Queued on the measure worker behind the run: it runs once the run's loop has returned.
        window.services.measure.submit(lambda _r: QThread.currentThread().objectName(), order.append)
    qtbot.waitUntil(lambda: len(order) == 2, timeout=10000)
    assert order == ["run finished", "measure"]  # the run's loop held the measure worker (not the GUI's thread)
    summaries = finished.args[0]
    assert [s.suite for s in summaries] == [Suite.HUMANEVAL]
    assert summaries[0].state is RunState.FINISHED and summaries[0].done == 2 and summaries[0].total == 2
    assert window.ctx.settings.measure_code_consent is True  # kept: never asked again

    # Progress came task by task, on the GUI thread, and the window shows where it ended.
    done = [r.progress.done for r in seen.progress]
    assert done and done[-1] == 2 and done == sorted(done)
    assert all(r.progress.total == 2 for r in seen.progress)
    assert seen.threads == {"gui"}
    assert measure.run_progress.bar.maximum() == 2 and measure.run_progress.bar.value() == 2
    passed = round(summaries[0].score * 2)
    assert f"2 of 2 done, {passed} passed" in seen.figures[-1] and "HumanEval" in seen.figures[-1]
    assert measure.run_progress.figures.text() == "Finished."

    # The table grew while the run went (a row after the first task), and holds the finished run.
    assert any(any(row.done == 1 for row in t.rows) for t in seen.tables)
    label = seen.tables[-1].model.label
    row = line_for(measure, label)
    cell = measure.table_model.index(row, Column.HUMANEVAL).data()
    assert cell == f"{summaries[0].score * 100:.1f}%"
    assert measure.table_model.index(row, Column.SOURCE).data() == "measured here"
    assert measure.results.empty.isHidden()

    # A second run: no question this time, and a fresh start replaces the row (one per file and suite).
    with qtbot.waitSignal(measure.control.run_finished, timeout=RUN_TIMEOUT_MS):
        choose(measure, (Suite.HUMANEVAL,), 1)
        assert measure.start()
        assert measure.consent is None
    humaneval_rows = [r for r in measure.snapshot.rows if r.suite is Suite.HUMANEVAL]
    assert len(humaneval_rows) == 1 and humaneval_rows[0].total == 1 and humaneval_rows[0].done == 1


def test_declining_runs_nothing_and_asks_again(qtbot, make_window) -> None:
    window = make_window()
    measure = open_measure(window)
    choose(measure, (Suite.HUMANEVAL,), 1)
    started: list = []
    measure.control.phase_changed.connect(started.append)
    assert measure.start()
    qtbot.waitUntil(lambda: measure.consent is not None and measure.consent.isVisible(), timeout=60000)
    text = measure.consent.protects.text() + measure.consent.does_not_protect.text()
    assert "temporary folder" in text and "virtual machine" in text  # the sandbox's own account of itself
    assert not measure.plan.start.isEnabled()  # one question at a time
    measure.consent.decline_button.click()
    assert measure.consent is None and started == [] and measure.control.phase is RunPhase.IDLE
    assert "Nothing was run" in measure.run_progress.message.text()
    assert window.ctx.settings.measure_code_consent is False
    assert measure.plan.start.isEnabled()
    assert measure.start()  # asked again: the answer was not yes
    qtbot.waitUntil(lambda: measure.consent is not None and measure.consent.isVisible(), timeout=60000)
    measure.consent.decline_button.click()


def test_cancel_mid_run_leaves_it_resumable_and_resume_skips_what_was_done(qtbot, make_window) -> None:
    window = make_window(measure_code_consent=True)
    measure = open_measure(window)
    seen = Recorder(measure)
    choose(measure, (Suite.HUMANEVAL,), 3)
    cancelled = threading.Event()

    def cancel_after_the_first(report) -> None:
        if report.progress.done >= 1 and not cancelled.is_set():
            cancelled.set()
            measure.plan.cancel.click()

    measure.control.progress.connect(cancel_after_the_first)
    with qtbot.waitSignal(measure.control.run_finished, timeout=RUN_TIMEOUT_MS) as finished:
        assert measure.start()
        assert measure.consent is None  # agreed before (settings)
    summary = finished.args[0][0]
    assert summary.state is RunState.INTERRUPTED and 1 <= summary.done < 3
    measure.control.progress.disconnect(cancel_after_the_first)
    first_ids = {r.progress.task_id for r in seen.progress}

    # Resume names the run, and goes on from where it stopped.
    qtbot.waitUntil(lambda: measure.plan.resume.isVisible(), timeout=10000)
    assert f"{summary.done} of 3 done" in measure.plan.resume.text()
    label = seen.tables[-1].model.label
    assert "interrupted" in measure.table_model.index(line_for(measure, label), Column.HUMANEVAL).data()
    seen.progress.clear()
    with qtbot.waitSignal(measure.control.run_finished, timeout=RUN_TIMEOUT_MS) as resumed:
        measure.plan.resume.click()
    again = resumed.args[0][0]
    assert again.state is RunState.FINISHED and again.done == 3 and again.run_id == summary.run_id
    resumed_ids = {r.progress.task_id for r in seen.progress if r.progress.task_id}
    done_before = {t for t in first_ids if t} - resumed_ids
    assert len(done_before) >= 1 and not (resumed_ids & done_before)
    assert measure.plan.resume.isHidden()
    assert measure.table_model.index(line_for(measure, label), Column.HUMANEVAL).data().endswith("%")


def _store_with_a_measured_model(app_home: Path) -> ResultStore:
    """A results database as a finished run leaves it (the store's own API, real SQLite)."""
    from app.core.paths import app_paths

    store = ResultStore.in_data(app_paths().data)
    record = store.open_run(RunKey("file:tiny:1234:abcd", Suite.HUMANEVAL, "chat,512"), "Tiny Coder 1B", 734_003_200,
                            {"max_tokens": 512}, total=2)
    store.record(record.run_id, ItemResult("HumanEval/0", Outcome.PASSED, "", 0.4, 40))
    store.record(record.run_id, ItemResult("HumanEval/1", Outcome.FAILED, "AssertionError", 0.3, 52))
    store.finish(record.run_id)
    speed = store.open_run(RunKey("file:tiny:1234:abcd", Suite.SPEED, "speed"), "Tiny Coder 1B", 734_003_200, {},
                           total=1)
    store.finish(speed.run_id, {"prompt_tps_512": 812.5, "prompt_tps_4k": 640.0, "gen_tps": 41.25, "ttft_s": 0.31,
                                "peak_rss_mb": 1210.0})
    return store


def test_published_rows_are_marked_apart_from_measured_ones(qtbot, make_window, app_home) -> None:
    store = _store_with_a_measured_model(app_home)
    window = make_window(load=False)
    measure = open_measure(window)
    qtbot.waitUntil(lambda: measure.snapshot is not None, timeout=30000)
    model: ResultsModel = measure.table_model
    assert model.rowCount() == 1 + len(PUBLISHED)
    measured = line_for(measure, "Tiny Coder 1B")
    assert model.index(measured, Column.HUMANEVAL).data() == "50.0%"
    assert model.index(measured, Column.SIZE).data() == "734 MB"
    assert model.index(measured, Column.GENERATION).data() == "41.2"
    assert model.index(measured, Column.PEAK_MEMORY).data() == "1,210 MB"
    assert model.index(measured, Column.MBPP).data() == ""  # MBPP is never measured here
    published = [row for row in range(model.rowCount()) if model.is_published(row)]
    assert len(published) == len(PUBLISHED) and min(published) > measured  # below every measured line
    first = PUBLISHED[0]
    row = published[0]
    assert model.index(row, Column.SOURCE).data() == "published, not measured here"
    assert model.index(row, Column.HUMANEVAL).data() == f"{first.humaneval * 100:.1f}%"
    assert model.index(row, Column.SIZE).data() == f"{first.size_b}B params"
    font = model.index(row, Column.MODEL).data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.italic()
    assert model.index(measured, Column.MODEL).data(Qt.ItemDataRole.FontRole) is None
    assert model.index(row, Column.MODEL).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.index(measured, Column.MODEL).data(Qt.ItemDataRole.BackgroundRole) is None
    assert "not measured here" in model.index(row, Column.HUMANEVAL).data(Qt.ItemDataRole.ToolTipRole)
    assert "published, not measured here" in measure.results.note.text()
    measure.results.show_published.setChecked(False)
    assert model.rowCount() == 1
    store.close()


@pytest.mark.parametrize("kind", ["csv", "md"])
def test_export_writes_the_table_on_the_files_worker(qtbot, make_window, app_home, tmp_path, kind) -> None:
    from app.ui.measure.export import ExportFormat

    store = _store_with_a_measured_model(app_home)
    window = make_window(load=False)
    measure = open_measure(window)
    qtbot.waitUntil(lambda: measure.snapshot is not None and bool(measure.table_model.rows), timeout=30000)
    target = tmp_path / f"results.{kind}"
    writers: list[str] = []
    window.services.files.submit(lambda _r: writers.append(QThread.currentThread().objectName()))
    with qtbot.waitSignal(measure.export.written, timeout=30000) as written:
        dialog = measure.ask_export(ExportFormat.CSV if kind == "csv" else ExportFormat.MARKDOWN)
        assert dialog is not None and dialog.isVisible()
        dialog.selectFile(str(target))
        dialog.accept()
    assert written.args[0] == str(target) and writers == ["files"]
    text = target.read_text(encoding="utf-8")
    assert "Tiny Coder 1B" in text and "Code Llama" in text
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) >= 1 + 1 + len(PUBLISHED)  # a header, the measured model, the paper's rows
    else:
        assert text.count("|") > 10
    assert str(target) in measure.run_progress.message.text()
    store.close()


def test_without_a_model_nothing_starts_and_the_window_says_why(qtbot, make_window) -> None:
    window = make_window(load=False)
    measure = open_measure(window)
    assert "No model is loaded" in measure.plan.model.text()
    assert not measure.plan.start.isEnabled()
    assert measure.start() is False
    assert "No model is loaded" in measure.run_progress.message.text()
    assert measure.control.phase is RunPhase.IDLE


def test_a_run_that_fails_says_why_in_the_window(qtbot, make_window) -> None:
    """The model is unloaded after Start but before the run's turn on the measure worker: the run
    fails with the core's own message, shown in the window, and nothing is left running."""
    window = make_window(measure_code_consent=True)
    measure = open_measure(window)
    choose(measure, (Suite.HUMANEVAL,), 1)
    gate = threading.Event()
    window.services.measure.submit(lambda _report: gate.wait(30))  # the worker is busy until the unload is done
    with qtbot.waitSignal(measure.control.failed, timeout=60000) as failed:
        assert measure.start()
        window.inference.unload()
        gate.set()
    assert "not loaded" in failed.args[0].message
    assert measure.control.phase is RunPhase.IDLE
    assert "not loaded" in measure.run_progress.message.text()
    assert measure.run_progress.message.property("error") is True
    assert measure.run_progress.figures.text() == "The run stopped."
