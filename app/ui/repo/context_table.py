"""What the model saw: the packed chunks with their scores and token counts."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from app.core.repo.pack import PackResult
from app.ui.plain_text import plain


class ContextTable(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("What the model saw"))
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Code", "Score", "Tokens"])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
        self.total = plain(QLabel(""))
        layout.addWidget(self.total)

    def show_context(self, result: PackResult) -> None:
        self.table.setRowCount(len(result.chunks))
        for row, chunk in enumerate(result.chunks):
            self.table.setItem(row, 0, QTableWidgetItem(chunk.citation))
            self.table.setItem(row, 1, QTableWidgetItem(f"{chunk.score:.2f}"))
            self.table.setItem(row, 2, QTableWidgetItem(f"{chunk.tokens:,}"))
        self.total.setText(f"{len(result.chunks)} chunks + repository map ({result.map_tokens:,} tokens): "
                           f"{result.used_tokens:,} of {result.budget:,} tokens")

    def clear(self) -> None:
        self.table.setRowCount(0)
        self.total.setText("")
