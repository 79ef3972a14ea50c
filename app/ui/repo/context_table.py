"""What the model saw: the packed chunks, how well each matched (a bar relative to the best), and tokens."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHeaderView, QLabel, QProgressBar, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from app.core.repo.pack import PackResult
from app.ui.plain_text import plain


class ContextTable(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(self.tr("What the model saw")))
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([self.tr("Code"), self.tr("Match"), self.tr("Tokens")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
        self.total = plain(QLabel(""))
        layout.addWidget(self.total)

    def show_context(self, result: PackResult) -> None:
        self.table.setRowCount(len(result.chunks))
        best = max((chunk.score for chunk in result.chunks), default=0.0)
        for row, chunk in enumerate(result.chunks):
            self.table.setItem(row, 0, QTableWidgetItem(chunk.citation))
            self.table.setCellWidget(row, 1, _match_bar(chunk.score, best))
            self.table.setItem(row, 2, QTableWidgetItem(f"{chunk.tokens:,}"))
        self.total.setText(self.tr("{count} chunks + repository map ({map} tokens): {used} of {budget} tokens", "",
                                   len(result.chunks)).format(count=len(result.chunks), map=f"{result.map_tokens:,}",
                                                              used=f"{result.used_tokens:,}", budget=f"{result.budget:,}"))

    def clear(self) -> None:
        self.table.setRowCount(0)
        self.total.setText("")


def _match_bar(score: float, best: float) -> QProgressBar:
    """Raw BM25 scores mean nothing to a reader; the share of the best match does."""
    bar = QProgressBar()
    bar.setRange(0, 100)
    bar.setValue(round(100 * score / best) if best > 0 else 0)
    bar.setTextVisible(False)
    bar.setMaximumHeight(12)
    bar.setToolTip(QCoreApplication.translate("ContextTable", "{percent}% of the best match (score {score})").format(
        percent=bar.value(), score=f"{score:.2f}"))
    return bar
