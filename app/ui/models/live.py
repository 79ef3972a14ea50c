"""Rows of the Models window: plain state per model with a thin Qt table model on top."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.core.catalogue import CatalogueRow
from app.core.download import DownloadProgress, DownloadState
from app.core.manifest import ModelEntry
from app.core.models import ModelState

COLUMNS = ("Model", "Family", "Size", "Fit", "State")
ProgressRole = Qt.ItemDataRole.UserRole + 1

# What is on disk, or, while one runs or after it ended early, where its download stands.
RowState = ModelState | DownloadState


@dataclass
class ModelRow:
    """A catalogue row (frozen, from the task thread) plus what the GUI follows live: a download's
    state and progress. Only these live fields change between refreshes."""

    item: CatalogueRow
    state: RowState = field(init=False)
    progress: DownloadProgress | None = None
    error: str = ""

    def __post_init__(self) -> None:
        self.state = self.item.state

    @property
    def entry(self) -> ModelEntry:
        return self.item.entry

    @property
    def size(self) -> int | None:
        return self.item.size

    @property
    def on_disk(self) -> int:
        return self.item.on_disk

    @property
    def fit(self) -> str:
        return self.item.verdict + (" · best quant" if self.item.best_quant else "")

    @property
    def fit_detail(self) -> str:
        detail = self.item.fit.detail if self.item.fit else ""
        return detail + ("; the best quantization of this model for this machine" if self.item.best_quant else "")

    def state_text(self) -> str:
        p = self.progress
        if self.state in (DownloadState.DOWNLOADING, DownloadState.RETRYING) and p is not None and p.total:
            eta = p.eta_seconds
            eta_text = f", {int(eta // 60)}:{int(eta % 60):02d} left" if eta is not None else ""
            text = f"{p.fraction * 100:.0f}% · {p.speed / 1e6:.1f} MB/s{eta_text}"
            return text + (" (retrying)" if self.state is DownloadState.RETRYING else "")
        if self.state is DownloadState.FAILED:
            return f"failed: {self.error}"
        if self.state is DownloadState.PAUSED and p is not None and p.total:
            return f"paused at {p.fraction * 100:.0f}%"
        return "paused (resumable)" if self.state is ModelState.PARTIAL else self.state.value


def _size_text(n: int | None, exact: bool) -> str:
    if not n:
        return "?"
    return ("" if exact else "~") + (f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB")


class ModelsTableModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ModelRow] = []

    def set_rows(self, rows: list[ModelRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def row_index(self, model_id: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.entry.id == model_id), -1)

    def update_row(self, model_id: str, **changes) -> None:
        index = self.row_index(model_id)
        if index < 0:
            return
        for key, value in changes.items():
            setattr(self.rows[index], key, value)
        self.dataChanged.emit(self.index(index, 0), self.index(index, len(COLUMNS) - 1))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.entry.name, row.entry.family, _size_text(row.size, row.item.size_exact), row.fit,
                    row.state_text())[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 3:
                return row.fit_detail
            return row.entry.note or row.entry.name
        if role == ProgressRole and column == 4:
            shows_bar = isinstance(row.state, DownloadState) and (row.state.transferring or row.state is DownloadState.PAUSED)
            if shows_bar and row.progress is not None:
                return row.progress.fraction
        return None
