"""Labels and tooltips that show text as text.

Qt renders a label's or tooltip's text as HTML whenever it merely looks like HTML, and loads every
image such HTML names from the disk, on the GUI thread. Folder names, file paths, model names
(from a GGUF file) and error messages that quote them are not the app's to trust: a folder named
`<img src=/dev/zero>` would exhaust memory the moment its name is shown.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel


def plain(label: QLabel) -> QLabel:
    """`label`, set to show its text literally, never as HTML."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def tooltip(text: str) -> str:
    """A tooltip for untrusted text: as HTML that shows it literally (tooltips have no plain mode)."""
    return "<p style='white-space:pre'>" + html.escape(text) + "</p>"
