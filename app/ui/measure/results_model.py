"""The side-by-side table: one line per measured model (a score per suite, its speed, its size),
then the Code Llama paper's published rows, shown apart (italic, tinted, "published, not measured here").

The store keeps one ResultRow per (model file, suite, settings); here they are laid side by side by
model file. A model measured under several settings of one suite (another answer length, say) shows
its latest run in the cell and every run in the cell's tooltip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QPalette

from app.core.measure.published import PublishedRow
from app.core.measure.results import ResultRow, RunState
from app.core.measure.suites import Suite
from app.ui.i18n import resolve


class Column(IntEnum):
    MODEL = 0
    SIZE = 1
    HUMANEVAL = 2
    INFILL_SINGLE = 3
    INFILL_MULTI = 4
    MBPP = 5
    PROMPT_512 = 6
    PROMPT_4K = 7
    GENERATION = 8
    FIRST_TOKEN = 9
    PEAK_MEMORY = 10
    SOURCE = 11


SCORE_COLUMNS = {Column.HUMANEVAL: Suite.HUMANEVAL, Column.INFILL_SINGLE: Suite.INFILL_SINGLE,
                 Column.INFILL_MULTI: Suite.INFILL_MULTI}
# The speed suite's metrics (app.core.measure.runner) by column, with how each is written.
SPEED_COLUMNS = {Column.PROMPT_512: ("prompt_tps_512", "{:,.0f}"), Column.PROMPT_4K: ("prompt_tps_4k", "{:,.0f}"),
                 Column.GENERATION: ("gen_tps", "{:,.1f}"), Column.FIRST_TOKEN: ("ttft_s", "{:.2f} s"),
                 Column.PEAK_MEMORY: ("peak_rss_mb", "{:,.0f} MB")}


@dataclass
class ModelLine:
    """One measured model file: its runs by suite (latest first)."""

    model_key: str
    label: str
    size_bytes: int
    runs: dict[Suite, list[ResultRow]] = field(default_factory=dict)

    def latest(self, suite: Suite) -> ResultRow | None:
        runs = self.runs.get(suite)
        return runs[0] if runs else None


def side_by_side(rows: list[ResultRow] | tuple[ResultRow, ...]) -> list[ModelLine]:
    """The store's rows grouped by model file, in the order the store gives (by label)."""
    lines: dict[str, ModelLine] = {}
    for row in rows:
        line = lines.setdefault(row.model_key, ModelLine(row.model_key, row.model_label, row.size_bytes))
        line.label, line.size_bytes = row.model_label, row.size_bytes  # the newest name for the same file
        line.runs.setdefault(row.suite, []).append(row)
    for line in lines.values():
        for runs in line.runs.values():
            runs.sort(key=lambda r: (r.finished_at is not None, r.finished_at or 0.0), reverse=True)
    return list(lines.values())


def file_size(size_bytes: int) -> str:
    if size_bytes <= 0:
        return ""
    if size_bytes >= 1e9:
        return f"{size_bytes / 1e9:,.1f} GB"
    return f"{size_bytes / 1e6:,.0f} MB"


class ResultsModel(QAbstractTableModel):
    """See the module docstring. Rows: the measured lines, then (when shown) the published ones."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lines: list[ModelLine] = []
        self.rows: tuple[ResultRow, ...] = ()  # as read, for the export
        self.published: tuple[PublishedRow, ...] = ()

    def set_rows(self, rows: tuple[ResultRow, ...]) -> None:
        self.beginResetModel()
        self.rows = tuple(rows)
        self.lines = side_by_side(self.rows)
        self.endResetModel()

    def set_published(self, published: tuple[PublishedRow, ...]) -> None:
        self.beginResetModel()
        self.published = tuple(published)
        self.endResetModel()

    def is_published(self, row: int) -> bool:
        return row >= len(self.lines)

    # Qt's model interface ----------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.lines) + len(self.published)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers()[Column(section)][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._headers()[Column(section)][1]
        return None

    def _headers(self) -> dict[Column, tuple[str, str]]:
        return {
            Column.MODEL: (self.tr("Model"), self.tr("The model file measured, or the paper's model")),
            Column.SIZE: (self.tr("Size"), self.tr("The file's size on disk; for the paper's rows, parameters")),
            Column.HUMANEVAL: (self.tr("HumanEval"), self.tr("HumanEval pass@1, greedy: problems whose tests passed")),
            Column.INFILL_SINGLE: (self.tr("Infill (line)"),
                                   self.tr("Single-line infilling: one line of each solution masked")),
            Column.INFILL_MULTI: (self.tr("Infill (block)"),
                                  self.tr("Multi-line infilling: a block of each solution masked")),
            Column.MBPP: (self.tr("MBPP"), self.tr("MBPP pass@1: published only, not measured by this app")),
            Column.PROMPT_512: (self.tr("Prompt 512"),
                                self.tr("Prompt evaluation at 512 tokens, tokens per second")),
            Column.PROMPT_4K: (self.tr("Prompt 4k"), self.tr("Prompt evaluation at 4,096 tokens, tokens per second")),
            Column.GENERATION: (self.tr("Generation"), self.tr("Generation, tokens per second")),
            Column.FIRST_TOKEN: (self.tr("First token"), self.tr("Time to the first generated token")),
            Column.PEAK_MEMORY: (self.tr("Peak memory"), self.tr("The app's peak memory while measuring speed")),
            Column.SOURCE: (self.tr("Source"), self.tr("Measured on this machine, or published in the paper")),
        }

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = index.row(), Column(index.column())
        if self.is_published(row):
            return self._published_data(self.published[row - len(self.lines)], column, role)
        return self._measured_data(self.lines[row], column, role)

    # Measured lines ------------------------------------------------------------------------------
    def _measured_data(self, line: ModelLine, column: Column, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            return self._measured_text(line, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._measured_tip(line, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column not in (Column.MODEL, Column.SOURCE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _measured_text(self, line: ModelLine, column: Column) -> str:
        if column is Column.MODEL:
            return line.label
        if column is Column.SIZE:
            return file_size(line.size_bytes)
        if column is Column.SOURCE:
            return self.tr("measured here")
        if column in SCORE_COLUMNS:
            run = line.latest(SCORE_COLUMNS[column])
            return self.score_text(run) if run is not None else ""
        if column in SPEED_COLUMNS:
            run = line.latest(Suite.SPEED)
            name, pattern = SPEED_COLUMNS[column]
            value = run.metrics.get(name) if run is not None else None
            if not isinstance(value, (int, float)):
                return ""
            tokens = run.metrics.get("prompt_tokens_4k") if run is not None else None
            if column is Column.PROMPT_4K and isinstance(tokens, int) and tokens < 4096:
                # A context under 4k tokens: the figure is for the longest prompt that fits, and says so.
                return self.tr("{speed} at {tokens}").format(speed=pattern.format(value), tokens=f"{tokens:,}")
            return pattern.format(value)
        return ""

    def score_text(self, run: ResultRow) -> str:
        """"41.5%" once finished; "50.0% (2 of 164 done)" while running or interrupted."""
        if run.score is None:
            return self.tr("…") if run.state is RunState.RUNNING else ""
        percent = f"{run.score * 100:.1f}%"
        if run.state is RunState.FINISHED and run.done >= run.total:
            return percent
        if run.state is RunState.RUNNING:
            return self.tr("{score} ({done} of {total}, running)").format(score=percent, done=run.done,
                                                                          total=run.total)
        return self.tr("{score} ({done} of {total}, interrupted)").format(score=percent, done=run.done,
                                                                          total=run.total)

    def _measured_tip(self, line: ModelLine, column: Column) -> str | None:
        suite = SCORE_COLUMNS.get(column) or (Suite.SPEED if column in SPEED_COLUMNS else None)
        if suite is None:
            return line.label if column is Column.MODEL else None
        runs = line.runs.get(suite, [])
        if not runs:
            return self.tr("Not measured yet")
        tips = []
        for run in runs:
            if suite is Suite.SPEED:
                tips.append(self.tr("{settings}: {state}").format(settings=run.settings_key or "-",
                                                                  state=self.state_text(run.state)))
            else:
                tips.append(self.tr("{settings}: {passed} of {done} passed ({total} problems, {state})").format(
                    settings=run.settings_key or "-", passed=run.passed, done=run.done, total=run.total,
                    state=self.state_text(run.state)))
        return "\n".join(tips)

    def state_text(self, state: RunState) -> str:
        return {RunState.RUNNING: self.tr("running"), RunState.INTERRUPTED: self.tr("interrupted"),
                RunState.FINISHED: self.tr("finished")}[state]

    # Published rows ------------------------------------------------------------------------------
    def _published_data(self, row: PublishedRow, column: Column, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            return self._published_text(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("Published in {source}, on the original 16-bit weights: not measured here.").format(
                source=resolve(row.source))
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.BackgroundRole:
            # Read at paint time, so a live theme switch repaints with the new palette's colours; the
            # text keeps the palette's own colour (a greyed one failed contrast on the dark theme).
            return QBrush(_tint(QGuiApplication.palette()))
        if role == Qt.ItemDataRole.TextAlignmentRole and column not in (Column.MODEL, Column.SOURCE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _published_text(self, row: PublishedRow, column: Column) -> str:
        if column is Column.MODEL:
            return self.tr("{model} {size}B").format(model=row.model, size=row.size_b)
        if column is Column.SIZE:
            return self.tr("{size}B params").format(size=row.size_b)
        if column is Column.HUMANEVAL:
            return f"{row.humaneval * 100:.1f}%"
        if column is Column.MBPP:
            return f"{row.mbpp * 100:.1f}%"
        if column is Column.SOURCE:
            return self.tr("published, not measured here")
        return ""


def _tint(palette: QPalette) -> QColor:
    """The base colour moved a little toward the link colour: visibly apart in light and dark themes."""
    base, toward = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Link)
    mix = 0.12
    return QColor(round(base.red() + (toward.red() - base.red()) * mix),
                  round(base.green() + (toward.green() - base.green()) * mix),
                  round(base.blue() + (toward.blue() - base.blue()) * mix))

