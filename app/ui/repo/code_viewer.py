"""A cited file's lines (with a little context), highlighted, with a Copy button."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from app.core.repo.assistant_types import CitedCode
from app.ui.highlight import code_html
from app.ui.plain_text import plain

CONTEXT_LINES = 3


class CodeViewer(QDialog):
    def __init__(self, cited: CitedCode, style: str, parent: QWidget) -> None:
        super().__init__(parent)
        path, start, end, lines = cited.path, cited.start, cited.end, cited.lines
        self.setWindowTitle(f"{path}:{start}-{end}")
        self.resize(820, 560)
        first = max(1, start - CONTEXT_LINES)
        last = min(len(lines), end + CONTEXT_LINES)
        self.code = cited.code
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(plain(QLabel(self.tr("{path}, lines {start}-{end} (shown {first}-{last})").format(
            path=path, start=start, end=end, first=first, last=last))))
        top.addStretch(1)
        copy_button = QPushButton(self.tr("Copy"))
        copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.code))
        top.addWidget(copy_button)
        layout.addLayout(top)
        self.view = QTextBrowser()
        self.view.setLineWrapMode(QTextBrowser.LineWrapMode.NoWrap)
        numbered = "\n".join(lines[first - 1 : last])
        # Line numbers as in the file, and the cited lines marked, so the citation can be checked at a glance.
        self.view.setHtml(code_html(numbered, Path(path).suffix.lstrip(".") or "text", style, first_line=first,
                                    marked=(start, min(end, last))))
        layout.addWidget(self.view)
