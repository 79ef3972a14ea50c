"""The bar above the repository pane: open a folder, recent ones, the scan rules, indexing progress."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QProgressBar, QPushButton, QWidget


class RepoBar(QWidget):
    def __init__(self) -> None:
        super().__init__()
        top = QHBoxLayout(self)
        top.setContentsMargins(0, 0, 0, 0)
        self.open_button = QPushButton(self.tr("Open folder…"))
        top.addWidget(self.open_button)
        self.recent = QComboBox()
        self.recent.setPlaceholderText(self.tr("Recent repositories"))
        top.addWidget(self.recent, 1)
        self.rules_button = QPushButton(self.tr("Rules…"))
        self.rules_button.setToolTip(self.tr("What is indexed: .gitignore, size limit, extra excludes and includes"))
        top.addWidget(self.rules_button)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        top.addWidget(self.progress)

    def indexing(self) -> None:
        self.progress.setRange(0, 0)  # busy until the scan knows how many files there are
        self.progress.show()

    def index_progress(self, step) -> None:
        """An IndexProgress from the repository thread: files done of the total."""
        self.progress.setRange(0, step.total)
        self.progress.setValue(step.done)

    def indexed(self) -> None:
        self.progress.hide()

    def show_recent(self, folders: list[str], current: int) -> None:
        self.recent.clear()
        self.recent.addItems(folders)
        self.recent.setCurrentIndex(current)
