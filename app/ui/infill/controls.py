"""The infill pane's action row: the fill's buttons, enabled for the pane's state, and its knobs
(multi- or single-line, suffix first, length, temperature)."""

from __future__ import annotations

from dataclasses import replace
from enum import Enum

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from app.core.engine_figures import describe_prompt_progress
from app.core.settings import SamplingSettings
from app.ui.i18n import resolve


class FillState(Enum):
    IDLE = "idle"
    GATHERING = "gathering"  # repository definitions are looked up before the job starts
    STREAMING = "streaming"  # the middle is coming in
    REVIEWING = "reviewing"  # the whole middle is shown, waiting for accept or reject
    PREVIEWING = "previewing"  # an instruction fill's change is shown as a diff, waiting for apply or discard


def state_hint(state: FillState) -> str:
    """The keys that act in `state`, in the interface's language ('' when none do)."""
    # Translated when asked for, not at import: the translators are installed after the modules load.
    if state is FillState.REVIEWING:
        return QCoreApplication.translate("InfillHints", "Tab accepts · Esc rejects · Ctrl+R regenerates · Copy puts "
                                                         "it on the clipboard")
    if state is FillState.PREVIEWING:
        return QCoreApplication.translate("InfillHints", "Ctrl+Shift+Enter applies · Esc discards · Ctrl+R "
                                                         "regenerates · Copy puts it on the clipboard")
    if state is FillState.STREAMING:
        return QCoreApplication.translate("InfillHints", "Generating… Esc stops and rejects.")
    return ""


def writing_hint() -> str:
    """While an instruction fill's middle is written (it is reviewed as a diff once complete)."""
    return QCoreApplication.translate("InfillHints", "Writing the middle; it is shown as a change to review when "
                                                     "complete. Esc stops.")


def reading_hint(done: int, total: int) -> str:
    """What the pane says while the model reads the prompt (`done` of `total` tokens evaluated)."""
    what = QCoreApplication.translate("InfillHints", "the context")
    return QCoreApplication.translate("InfillHints", "{progress} (Esc stops)").format(
        progress=resolve(describe_prompt_progress(done, total, what)))


class FillOptions(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = QComboBox()
        self.mode.addItems([self.tr("Multi-line"), self.tr("Single line")])
        self.suffix_first = QCheckBox(self.tr("Suffix first"))
        self.suffix_first.setToolTip(self.tr("Code Llama's suffix-prefix-middle order (SPM); it was trained on both"))
        self.max_tokens = QSpinBox(minimum=8, maximum=4096, value=256, singleStep=32)
        self.max_tokens.setToolTip(self.tr("Most tokens of middle"))
        self.temperature = QDoubleSpinBox(minimum=0.0, maximum=2.0, value=0.2, singleStep=0.1)
        self.temperature.setToolTip(self.tr("Sampling temperature (0 = always the most likely code)"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.suffix_first, self.mode, QLabel(self.tr("Max tokens:")), self.max_tokens,
                       QLabel(self.tr("Temperature:")), self.temperature):
            layout.addWidget(widget)
        self._suffix_first_offered = False

    def offer_suffix_first(self, offered: bool) -> None:
        """Show the suffix-first box only for a model trained on that order."""
        self._suffix_first_offered = offered
        self.suffix_first.setVisible(offered)

    @property
    def wants_suffix_first(self) -> bool:
        return self._suffix_first_offered and self.suffix_first.isChecked()

    @property
    def single_line(self) -> bool:
        return self.mode.currentIndex() == 1

    def sampling(self, base: SamplingSettings) -> SamplingSettings:
        """`base` (the settings') with this fill's length and temperature; `base` is left as it is."""
        return replace(base, max_tokens=self.max_tokens.value(), temperature=self.temperature.value())


class ActionBar(QWidget):
    """Fill, accept, reject, regenerate and copy, then the options; the pane connects the buttons."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fill_button = QPushButton(self.tr("Fill in the middle (Ctrl+Enter)"))
        self.accept_button = QPushButton(self.tr("Accept (Tab)"))
        self.reject_button = QPushButton(self.tr("Reject (Esc)"))
        self.regenerate_button = QPushButton(self.tr("Regenerate (Ctrl+R)"))
        self.copy_button = QPushButton(self.tr("Copy"))
        self.options = FillOptions()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for button in self.buttons:
            layout.addWidget(button)
        layout.addStretch(1)
        layout.addWidget(self.options)

    @property
    def buttons(self) -> tuple[QPushButton, ...]:
        return self.fill_button, self.accept_button, self.reject_button, self.regenerate_button, self.copy_button

    def show_state(self, state: FillState, has_suggestion: bool, preview: bool = False) -> None:
        """Buttons for `state`; `preview`: the fill is an instruction fill's, reviewed as a diff."""
        reviewing = state in (FillState.REVIEWING, FillState.PREVIEWING)
        self.fill_button.setEnabled(state is FillState.IDLE)
        self.accept_button.setEnabled(reviewing)
        self.reject_button.setEnabled(state is FillState.STREAMING or reviewing)
        self.regenerate_button.setEnabled(reviewing)
        self.accept_button.setText(self.tr("Apply (Ctrl+Shift+Enter)") if preview else self.tr("Accept (Tab)"))
        self.reject_button.setText(self.tr("Discard (Esc)") if preview else self.tr("Reject (Esc)"))
        self.copy_button.setEnabled(has_suggestion)
