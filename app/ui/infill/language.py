"""The infill pane's language: chosen in a combo box, or guessed from the file's name and text."""

from __future__ import annotations

from pygments.lexers import TextLexer, get_all_lexers, get_lexer_for_filename
from pygments.util import ClassNotFound
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QWidget

from app.ui.highlight import GUESS_LIMIT, lexer_for


def guess_language(file_name: str, text: str) -> str:
    """Pygments' name for a file's language: from its name, else from its content ('' when unknown)."""
    sample = text[:GUESS_LIMIT]
    if file_name:
        try:
            return get_lexer_for_filename(file_name, sample).name
        except ClassNotFound:
            pass
    lexer = lexer_for("", sample) if sample.strip() else None
    return lexer.name if lexer is not None and not isinstance(lexer, TextLexer) else ""


class LanguageBox(QComboBox):
    """Every language pygments knows, after "Auto"; `chosen` carries the user's pick ('' for Auto)."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.auto = self.tr("Auto")  # the first item, in the interface's language; the rest are pygments' names
        self.addItems([self.auto] + sorted({name for name, *_ in get_all_lexers()}, key=str.lower))
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.currentTextChanged.connect(self._changed)

    @property
    def automatic(self) -> bool:
        return self.currentText() == self.auto

    def show_language(self, name: str) -> None:
        """Show `name` (a guess, '' for Auto) without it counting as the user's choice."""
        self.blockSignals(True)
        self.setCurrentText(name or self.auto)
        self.blockSignals(False)

    def _changed(self, name: str) -> None:
        if name == self.auto:
            self.chosen.emit("")
        elif self.findText(name) >= 0:  # typed text that names no language yet is not a choice
            self.chosen.emit(name)
