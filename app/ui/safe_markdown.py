"""Markdown from the model, shown without letting its text reach the disk or start a program.

A model's answer is steered by what it read (a repository's files, a pasted snippet), so its
Markdown is untrusted. Qt loads every image an answer names, straight from the file system and
on the GUI thread: `![x](/dev/zero)` would exhaust memory and a FIFO would hang the window. And a
`file:` link opened by the desktop could run a script. So prose is converted here with raw HTML
off, every image is replaced by its alternative text, and only web links leave the app.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QFont, QTextCharFormat, QTextCursor, QTextDocument

_FEATURES = QTextDocument.MarkdownFeature.MarkdownDialectGitHub | QTextDocument.MarkdownFeature.MarkdownNoHTML
_BODY_STYLE_RE = re.compile(r'<body style="[^"]*">')
WEB_SCHEMES = ("http", "https", "mailto")


def markdown_html(markdown: str, font: QFont) -> str:
    """HTML for a QLabel: `markdown` rendered with no images and no raw HTML of its own."""
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setMarkdown(markdown, _FEATURES)
    images: list[tuple[int, int, str]] = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            if fragment.isValid() and fragment.charFormat().isImageFormat():
                images.append((fragment.position(), fragment.length(), fragment.text()))
            it += 1
        block = block.next()
    for position, length, _text in reversed(images):
        cursor = QTextCursor(doc)
        cursor.setPosition(position)
        cursor.setPosition(position + length, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText("[image]", QTextCharFormat())
    # The label's own font and colours apply, as they did for Markdown it rendered itself.
    return _BODY_STYLE_RE.sub("<body>", doc.toHtml(), count=1)


def open_web_link(link: str) -> None:
    """Open http(s) and mailto links in the browser; anything else (file:, custom schemes) stays closed."""
    url = QUrl(link)
    if url.scheme().lower() in WEB_SCHEMES:
        QDesktopServices.openUrl(url)
