"""The repository scan rules, visible and editable: what is indexed and what is skipped."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.repo.scan import DEFAULT_EXCLUDES
from app.core.settings import Settings
from app.core.settings_owner import SettingsOwner


class RulesDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Repository rules"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.gitignore = QCheckBox(self.tr("Honour .gitignore files and .git/info/exclude"))
        self.gitignore.setChecked(settings.repo_honour_gitignore)
        form.addRow(self.gitignore)
        self.max_kb = QSpinBox()
        self.max_kb.setRange(1, 1_000_000)
        self.max_kb.setSuffix(self.tr(" KB"))
        self.max_kb.setValue(settings.repo_max_file_kb)
        form.addRow(self.tr("Skip files larger than"), self.max_kb)
        self.excludes = QPlainTextEdit("\n".join(settings.repo_excludes))
        self.excludes.setPlaceholderText(self.tr("one gitignore-style pattern per line, e.g. docs/  or  *.generated.ts"))
        form.addRow(self.tr("Also exclude"), self.excludes)
        self.includes = QPlainTextEdit("\n".join(settings.repo_includes))
        self.includes.setPlaceholderText(self.tr("patterns to index even when ignored, e.g. vendor/mylib/"))
        form.addRow(self.tr("Always include"), self.includes)
        layout.addLayout(form)
        always = QLabel(self.tr("Always excluded unless included above: {patterns}. Binary, non-UTF-8 and generated "
                                "(minified) files are skipped and listed.").format(patterns=", ".join(DEFAULT_EXCLUDES)))
        always.setWordWrap(True)
        layout.addWidget(always)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def apply_to(self, owner: SettingsOwner) -> None:
        """Apply the rules through the settings owner (validated, saved, announced)."""
        owner.update(
            repo_honour_gitignore=self.gitignore.isChecked(), repo_max_file_kb=self.max_kb.value(),
            repo_excludes=[ln.strip() for ln in self.excludes.toPlainText().splitlines() if ln.strip()],
            repo_includes=[ln.strip() for ln in self.includes.toPlainText().splitlines() if ln.strip()])
