"""System prompt and sampling settings for chat."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.settings import Settings
from app.ui.highlight import available_styles


class ChatSettingsDialog(QDialog):
    def __init__(self, settings: Settings, system_prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Chat settings")
        self.setMinimumWidth(520)
        s = settings.sampling
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("System prompt (applies to this conversation and new ones):"))
        self.system_prompt = QPlainTextEdit(system_prompt)
        self.system_prompt.setMaximumHeight(120)
        layout.addWidget(self.system_prompt)
        form = QFormLayout()
        self.temperature = self._double(0.0, 2.0, 0.05, s.temperature, "0 = always the most likely token")
        self.top_p = self._double(0.05, 1.0, 0.05, s.top_p, "nucleus sampling")
        self.top_k = self._int(0, 1000, s.top_k, "0 = no limit")
        self.repeat_penalty = self._double(1.0, 2.0, 0.05, s.repeat_penalty, "1 = off")
        self.max_tokens = self._int(16, 32768, s.max_tokens, "longest answer in tokens")
        self.seed = self._int(-1, 2**31 - 1, s.seed, "-1 = random each time")
        self.context_limit = self._int(512, 131072, settings.context_limit,
                                       "upper bound on the context size (applies at next model load)")
        self.theme = QComboBox()
        self.theme.addItems(["auto", "light", "dark"])
        self.theme.setCurrentText(settings.theme)
        self.light_style = QComboBox()
        self.dark_style = QComboBox()
        for combo, value in ((self.light_style, settings.code_style_light), (self.dark_style, settings.code_style_dark)):
            combo.addItems(available_styles())
            combo.setCurrentText(value)
        for label, widget in (("Temperature", self.temperature), ("Top-p", self.top_p), ("Top-k", self.top_k),
                              ("Repeat penalty", self.repeat_penalty), ("Max tokens", self.max_tokens),
                              ("Seed", self.seed), ("Context limit", self.context_limit), ("Theme", self.theme),
                              ("Code style (light)", self.light_style), ("Code style (dark)", self.dark_style)):
            form.addRow(label, widget)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @staticmethod
    def _double(lo: float, hi: float, step: float, value: float, tip: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setRange(lo, hi)
        box.setSingleStep(step)
        box.setDecimals(2)
        box.setValue(value)
        box.setToolTip(tip)
        return box

    @staticmethod
    def _int(lo: int, hi: int, value: int, tip: str) -> QSpinBox:
        box = QSpinBox()
        box.setRange(lo, hi)
        box.setValue(value)
        box.setToolTip(tip)
        return box

    def apply_to(self, settings: Settings) -> str:
        """Write the dialog's values into `settings`; returns the system prompt."""
        s = settings.sampling
        s.temperature = self.temperature.value()
        s.top_p = self.top_p.value()
        s.top_k = self.top_k.value()
        s.repeat_penalty = self.repeat_penalty.value()
        s.max_tokens = self.max_tokens.value()
        s.seed = self.seed.value()
        settings.context_limit = self.context_limit.value()
        settings.theme = self.theme.currentText()
        settings.code_style_light = self.light_style.currentText()
        settings.code_style_dark = self.dark_style.currentText()
        settings.system_prompt = self.system_prompt.toPlainText()
        return settings.system_prompt
