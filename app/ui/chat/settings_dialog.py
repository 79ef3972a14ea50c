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

from app.core.settings import RANGES, Settings, Theme
from app.core.settings_owner import SettingsOwner
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
        # The controls' bounds are the settings' own ranges, so every value they give is accepted.
        self.temperature = self._double(*RANGES["temperature"], 0.05, s.temperature, "0 = always the most likely token")
        self.top_p = self._double(*RANGES["top_p"], 0.05, s.top_p, "nucleus sampling")
        self.top_k = self._int(*RANGES["top_k"], s.top_k, "0 = no limit")
        self.repeat_penalty = self._double(*RANGES["repeat_penalty"], 0.05, s.repeat_penalty, "1 = off")
        self.max_tokens = self._int(max(16, int(RANGES["max_tokens"][0])), RANGES["max_tokens"][1], s.max_tokens,
                                    "longest answer in tokens")
        self.seed = self._int(*RANGES["seed"], s.seed, "-1 = random each time")
        self.context_limit = self._int(*RANGES["context_limit"], settings.context_limit,
                                       "upper bound on the context size (applies at next model load)")
        self.theme = QComboBox()
        self.theme.addItems([t.value for t in Theme])
        self.theme.setCurrentText(Theme(settings.theme).value)
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
    def _int(lo: float, hi: float, value: int, tip: str) -> QSpinBox:
        box = QSpinBox()
        box.setRange(int(lo), int(hi))
        box.setValue(value)
        box.setToolTip(tip)
        return box

    def changes(self) -> dict:
        """The dialog's values as a settings change (the owner validates and saves it)."""
        return {
            "sampling": {"temperature": self.temperature.value(), "top_p": self.top_p.value(),
                         "top_k": self.top_k.value(), "repeat_penalty": self.repeat_penalty.value(),
                         "max_tokens": self.max_tokens.value(), "seed": self.seed.value()},
            "context_limit": self.context_limit.value(), "theme": self.theme.currentText(),
            "code_style_light": self.light_style.currentText(), "code_style_dark": self.dark_style.currentText(),
            "system_prompt": self.system_prompt.toPlainText(),
        }

    def apply_to(self, owner: SettingsOwner) -> str:
        """Apply the dialog's values through the settings owner; returns the system prompt."""
        changes = self.changes()
        owner.update(**changes)
        return changes["system_prompt"]
