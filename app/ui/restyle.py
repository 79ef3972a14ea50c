"""A window whose style sheet uses palette(...) colours, set again after a live theme switch.

Qt resolves palette(...) in a style sheet when the sheet is set, so a window keeps the old theme's
colours until its sheet is set again. Mixed in before the Qt class: `class W(PaletteStyled, QDialog)`.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent


class PaletteStyled:
    """Sets `STYLE_SHEET` on the window now and whenever its palette changes to other colours."""

    STYLE_SHEET = ""

    def restyle(self) -> None:
        palette = self.palette()  # type: ignore[attr-defined]
        key = palette.base().color().name() + palette.text().color().name()
        if key != getattr(self, "_styled_for", None):
            self._styled_for = key
            self.setStyleSheet(self.STYLE_SHEET)  # type: ignore[attr-defined]

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)  # type: ignore[misc]
        if event.type() == QEvent.Type.PaletteChange:
            self.restyle()
