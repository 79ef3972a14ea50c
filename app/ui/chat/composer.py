"""The message box and its Send button."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QWidget


class Composer(QPlainTextEdit):
    """The message box: Ctrl+Enter sends, Esc stops, Up in an empty box edits the last message.

    The keys are handled here too, not only by the pane's shortcuts: a key sent straight to the box
    (an input method, a test) never passes the shortcut map.
    """

    submit = Signal()
    edit_last = Signal()
    stop = Signal()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.submit.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.stop.emit()
            return
        if event.key() == Qt.Key.Key_Up and not self.toPlainText():
            self.edit_last.emit()
            return
        super().keyPressEvent(event)


class ComposeRow(QWidget):
    """The composer with the Send button beside it."""

    def __init__(self) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.composer = Composer()
        self.composer.setPlaceholderText(self.tr("Message (Ctrl+Enter to send)"))
        self.composer.setMaximumHeight(110)
        layout.addWidget(self.composer, 1)
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.setDefault(True)
        self.send_button.setToolTip(self.tr("Send (Ctrl+Enter)"))
        layout.addWidget(self.send_button)
