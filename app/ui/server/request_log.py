"""The live request log: the server's requests as a bounded table, newest last.

Entries arrive on the server's own thread; `RequestLogBridge` carries each one to the GUI thread
through a queued signal, and the model keeps only the last `limit` rows so a busy editor
(llama.vscode sends a request per keystroke pause) cannot grow the window's memory without end.
"""

from __future__ import annotations

import time
from collections import deque
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal

if TYPE_CHECKING:  # app.server loads starlette and uvicorn: imported on the server worker, not at start-up
    from app.server import RequestLogEntry

LOG_LIMIT = 500  # rows kept; older ones scroll out

COLUMN_COUNT = 7  # time, method, path, status, tokens, seconds, client (titles in RequestLogModel.titles)


class RequestLogBridge(QObject):
    """Hands entries from the server's thread to the GUI thread (a signal emitted off-thread is queued)."""

    entry = Signal(object)  # app.server.RequestLogEntry

    def deliver(self, entry: RequestLogEntry) -> None:
        """The server's `on_request` callback: runs on the server's thread, touches no widget."""
        self.entry.emit(entry)


def _cell(entry: RequestLogEntry, column: int) -> str:
    if column == 0:
        return time.strftime("%H:%M:%S", time.localtime(entry.time))
    if column == 1:
        return str(entry.method)
    if column == 2:
        return str(entry.path)
    if column == 3:
        return str(entry.status)
    if column == 4:  # prompt + generated, as `serve` logs them
        return f"{entry.tokens_in:,} + {entry.tokens_out:,}" if entry.tokens_in or entry.tokens_out else ""
    if column == 5:
        return f"{entry.seconds:.2f}"
    return entry.client


class RequestLogModel(QAbstractTableModel):
    """The last `limit` request log entries, as table rows (plain Python state under a thin model)."""

    def __init__(self, limit: int = LOG_LIMIT, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.limit = limit
        self._rows: deque[RequestLogEntry] = deque()
        self.total = 0  # every entry seen since the server started, dropped ones included

    def entries(self) -> list[RequestLogEntry]:
        return list(self._rows)

    def append(self, entry: RequestLogEntry) -> None:
        self.total += 1
        if len(self._rows) >= self.limit:
            self.beginRemoveRows(QModelIndex(), 0, 0)
            self._rows.popleft()
            self.endRemoveRows()
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(entry)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self.total = 0
        self.endResetModel()

    # Qt model -------------------------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt override
        return 0 if parent.isValid() else COLUMN_COUNT

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        entry = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _cell(entry, index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (3, 4, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt override
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.titles()[section]
        return None

    def titles(self) -> tuple[str, ...]:
        """The column titles in the interface's language (asked for when drawn: the translator is installed by then)."""
        return (self.tr("Time"), self.tr("Method"), self.tr("Path"), self.tr("Status"),
                self.tr("Tokens (prompt + answer)"), self.tr("Seconds"), self.tr("Client"))
