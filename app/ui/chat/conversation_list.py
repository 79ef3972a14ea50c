"""The conversation list: plain rows with a thin Qt model on top, and a delegate that marks search matches."""

from __future__ import annotations

import html
import time
from dataclasses import dataclass

from PySide6.QtCore import QAbstractListModel, QDate, QLocale, QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QPalette, QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.core.markdown_blocks import MARK_END, MARK_START

ConversationIdRole = Qt.ItemDataRole.UserRole + 1
MarkedRole = Qt.ItemDataRole.UserRole + 2  # the row as HTML, search matches in bold


@dataclass(frozen=True)
class ConversationRow:
    id: int
    title: str
    detail: str  # when it was last used, or the matching text of a search (matches between MARK_START/END)


def when(timestamp: float, now: float | None = None) -> str:
    now = time.time() if now is None else now
    age = now - timestamp
    if age < 86400:
        return time.strftime("%H:%M", time.localtime(timestamp))
    if age < 7 * 86400:  # the weekday in the interface's language (strftime would say it in the C locale's)
        day = time.localtime(timestamp)
        return QLocale().dayName(QDate(day.tm_year, day.tm_mon, day.tm_mday).dayOfWeek(), QLocale.FormatType.ShortFormat)
    return time.strftime("%Y-%m-%d", time.localtime(timestamp))


def unmarked(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "")


def marked_html(text: str) -> str:
    """`text` escaped, its marked matches in bold."""
    return html.escape(text).replace(MARK_START, "<b>").replace(MARK_END, "</b>")


class ConversationListModel(QAbstractListModel):
    rename_requested = Signal(int, str)  # conversation id, the title typed (the list is refreshed once stored)

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

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable if index.isValid() else super().flags(index)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{unmarked(row.title)}\n{unmarked(row.detail)}"
        if role == Qt.ItemDataRole.EditRole:
            return row.title
        if role == MarkedRole:
            return f"{marked_html(row.title)}<br>{marked_html(row.detail)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.title
        if role == ConversationIdRole:
            return row.id
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """An inline rename: asked for here, stored by whoever listens (the row changes once it is)."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not str(value).strip():
            return False
        row = self.rows[index.row()]
        if str(value) != row.title:
            self.rename_requested.emit(row.id, str(value))
        return True


class MarkedDelegate(QStyledItemDelegate):
    """Draws a row's two lines from MarkedRole, so a search match shows in bold without raw marks."""

    def _document(self, option: QStyleOptionViewItem, index: QModelIndex) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(option.font)
        doc.setHtml(index.data(MarkedRole) or "")
        doc.setTextWidth(max(1, option.rect.width() - 8))
        return doc

    def paint(self, painter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        self.initStyleOption(option, index)
        doc = self._document(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        context = QAbstractTextDocumentLayout.PaintContext()
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, option.palette.color(role))
        painter.save()
        painter.translate(option.rect.topLeft().x() + 4, option.rect.topLeft().y() + 2)
        doc.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        self.initStyleOption(option, index)
        doc = self._document(option, index)
        return QSize(int(doc.idealWidth()) + 8, int(doc.size().height()) + 4)
