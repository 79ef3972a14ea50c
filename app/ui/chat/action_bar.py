"""The row under the transcript: the context meter and the conversation's buttons."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget


def _button(text: str, tooltip: str) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tooltip)
    return button


class ActionBar(QWidget):
    def __init__(self) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.meter = QProgressBar()
        self.meter.setObjectName("contextMeter")
        self.meter.setTextVisible(True)
        self.meter.setMinimumWidth(200)
        self.meter.setMaximumWidth(280)
        self.meter.setToolTip(self.tr("Tokens the conversation uses out of the model's context window"))
        self.set_usage(0, None)
        layout.addWidget(self.meter)
        layout.addStretch(1)
        self.settings_button = _button(self.tr("Settings…"), self.tr("System prompt and sampling"))
        self.export_button = _button(self.tr("Export…"), self.tr("Save this conversation as Markdown (Ctrl+Shift+S)"))
        self.edit_button = _button(self.tr("Edit last"),
                                   self.tr("Edit and resend your last message (Ctrl+E, or Up in an empty box)"))
        self.regen_button = _button(self.tr("Regenerate"), self.tr("Answer the last message again (Ctrl+R)"))
        self.stop_button = _button(self.tr("Stop"), self.tr("Stop the answer (Esc)"))
        for button in (self.settings_button, self.export_button, self.edit_button, self.regen_button,
                       self.stop_button):
            layout.addWidget(button)

    def set_usage(self, used: int, n_ctx: int | None, note: str = "") -> None:
        """Tokens used of the context; `n_ctx` None: no model is loaded (`note` says so, or that one is loading)."""
        if n_ctx is None:
            self.meter.setFormat(note or self.tr("No model loaded"))
            self.meter.setRange(0, 1)
            self.meter.setValue(0)
            return
        self.meter.setFormat(self.tr("%v / %m tokens"))
        self.meter.setRange(0, max(1, n_ctx))
        self.meter.setValue(min(used, n_ctx))

    def set_enabled(self, *, busy: bool, can_edit: bool, can_regenerate: bool, can_export: bool) -> None:
        self.stop_button.setEnabled(busy)
        self.regen_button.setEnabled(can_regenerate)
        self.edit_button.setEnabled(can_edit)
        self.export_button.setEnabled(can_export)
