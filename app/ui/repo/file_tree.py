"""The repository's files with their token sizes; unchecking a file leaves it out of questions."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem

from app.core.repo.assistant_types import RepoFile

MAX_SHOWN = 20000  # a tree widget beyond this helps no one


class FileTree(QTreeWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setHeaderLabels([self.tr("File"), self.tr("Tokens")])
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._excluded: set[str] = set()
        self.itemChanged.connect(self._changed)

    @property
    def excluded(self) -> frozenset[str]:
        """The files unchecked, to leave out of the code packed for a question."""
        return frozenset(self._excluded)

    def show_files(self, files: list[RepoFile], *, keep_excluded: bool) -> None:
        """Show `files`; a newly opened folder (not `keep_excluded`) starts with everything included."""
        if not keep_excluded:
            self._excluded = set()
        self.blockSignals(True)
        self.clear()
        folders: dict[str, QTreeWidgetItem] = {}
        totals: dict[str, int] = {}
        for path, tokens in files[:MAX_SHOWN]:
            parent: QTreeWidget | QTreeWidgetItem = self
            parts = path.split("/")
            for depth in range(1, len(parts)):
                key = "/".join(parts[:depth])
                if key not in folders:
                    item = QTreeWidgetItem(parent, [parts[depth - 1], ""])
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsAutoTristate | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(0, Qt.CheckState.Checked)
                    folders[key] = item
                parent = folders[key]
            for depth in range(1, len(parts)):  # a folder shows what all its files would cost
                key = "/".join(parts[:depth])
                totals[key] = totals.get(key, 0) + tokens
            leaf = QTreeWidgetItem(parent, [parts[-1], f"{tokens:,}"])
            leaf.setFlags(leaf.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            leaf.setCheckState(0, Qt.CheckState.Unchecked if path in self._excluded else Qt.CheckState.Checked)
            leaf.setData(0, Qt.ItemDataRole.UserRole, path)
            leaf.setTextAlignment(1, Qt.AlignmentFlag.AlignRight)
        for key, item in folders.items():
            item.setText(1, f"{totals.get(key, 0):,}")
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight)
        self.blockSignals(False)

    def _changed(self, item: QTreeWidgetItem, column: int) -> None:
        path = item.data(0, Qt.ItemDataRole.UserRole)
        if path is None or column != 0:
            return
        if item.checkState(0) == Qt.CheckState.Checked:
            self._excluded.discard(path)
        else:
            self._excluded.add(path)
