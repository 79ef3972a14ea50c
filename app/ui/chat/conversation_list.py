"""The conversation list: plain rows with a thin Qt model on top."""

from __future__ import annotations

import time
from dataclasses import dataclass

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

ConversationIdRole = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class ConversationRow:
    id: int
    title: str
    detail: str  # when it was last used, or the matching text of a search


def when(timestamp: float, now: float | None = None) -> str:
    now = time.time() if now is None else now
    age = now - timestamp
    if age < 86400:
        return time.strftime("%H:%M", time.localtime(timestamp))
    if age < 7 * 86400:
        return time.strftime("%a", time.localtime(timestamp))
    return time.strftime("%Y-%m-%d", time.localtime(timestamp))


class ConversationListModel(QAbstractListModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ConversationRow] = []

    def set_rows(self, rows: list[ConversationRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def row_of(self, conversation_id: int | None) -> int:
        return next((i for i, r in enumerate(self.rows) if r.id == conversation_id), -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row.title}\n{row.detail}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.title
        if role == ConversationIdRole:
            return row.id
        return None
