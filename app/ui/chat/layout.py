"""Where the chat pane's parts sit: the conversation list on the left; the transcript, the action bar and
the composer on the right, in a splitter the user can drag. Only placement: the pane wires the parts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget


def lay_out(pane: QWidget, sidebar: QWidget, right_column: tuple[QWidget, ...]) -> None:
    """Put `sidebar` beside `right_column` (the first widget stretches, the others keep their height)."""
    right = QWidget()
    right_layout = QVBoxLayout(right)
    right_layout.setContentsMargins(0, 6, 6, 6)
    for position, widget in enumerate(right_column):
        right_layout.addWidget(widget, 1 if position == 0 else 0)
    splitter = QSplitter(Qt.Orientation.Horizontal, pane)
    splitter.addWidget(sidebar)
    splitter.addWidget(right)
    splitter.setStretchFactor(0, 0)
    splitter.setStretchFactor(1, 1)
    splitter.setSizes([230, 800])
    layout = QVBoxLayout(pane)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(splitter)
