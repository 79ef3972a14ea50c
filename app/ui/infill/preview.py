"""An instruction fill shown as a diff to review before anything changes in the editor.

A chat model's middle is less exact than a true infill's, so the pane shows the change it would
make (added lines green, removed red, each line signed + or - so colour is not the only cue) and
changes the document only when the user applies it, as one undo step. Discarding leaves the
document untouched: nothing was ever inserted.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontDatabase, QPalette, QTextBlockFormat, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from app.core.infill.preview import DiffKind, DiffLine, FillPreview, preview_fill
from app.ui.highlight import style_colors
from app.ui.i18n import resolve
from app.ui.infill.editor import CodeEditor

APPLY_KEYS = ("Ctrl+Shift+Return", "Ctrl+Shift+Enter")  # Tab and Esc act on the inline suggestion


@dataclass(frozen=True)
class DiffColours:
    """Background and text of each kind of line; every pair keeps WCAG AA contrast (4.5:1)."""

    base: str
    text: str
    added: tuple[str, str]
    removed: tuple[str, str]
    gap: tuple[str, str]

    def of(self, kind: DiffKind) -> tuple[str, str]:
        return {DiffKind.ADDED: self.added, DiffKind.REMOVED: self.removed,
                DiffKind.GAP: self.gap}.get(kind, (self.base, self.text))


def _is_dark(colour: str) -> bool:
    return QColor(colour).lightnessF() < 0.5


def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in QColor(colour).getRgbF()[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def diff_colours(style: str) -> DiffColours:
    """Colours for the code style `style`: its own background and text, tints for the changes."""
    base, text = style_colors(style)
    if contrast(base, text) < 4.5:  # some styles (solarized) keep their plain text faint: not for a review
        text = "#e6e6e6" if _is_dark(base) else "#1f2328"
    if _is_dark(base):
        return DiffColours(base, text, added=("#133d22", "#d3f5dc"), removed=("#4d1a1e", "#ffdcd9"),
                           gap=("#262c36", "#c9d1d9"))
    return DiffColours(base, text, added=("#dafbe1", "#0b3d1d"), removed=("#ffebe9", "#7d0d15"),
                       gap=("#eef1f5", "#3b4350"))


class DiffView(QPlainTextEdit):
    """The diff, read-only: old and new line numbers, the sign, the line."""

    def __init__(self, parent: QWidget | None = None, *, style: str = "friendly") -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard
                                     | Qt.TextInteractionFlag.TextSelectableByMouse)
        self.lines: tuple[DiffLine, ...] = ()
        self.colours = diff_colours(style)
        self.set_code_style(style)

    def set_code_style(self, style: str) -> None:
        self.colours = colours = diff_colours(style)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Base, QColor(colours.base))
        palette.setColor(QPalette.ColorRole.Text, QColor(colours.text))
        self.setPalette(palette)
        self.viewport().setPalette(palette)  # a polished viewport no longer follows the widget's palette
        self.show_lines(self.lines)

    def show_lines(self, lines: tuple[DiffLine, ...]) -> None:
        self.lines = lines
        self.clear()
        width = max((len(str(n)) for line in lines for n in (line.old, line.new) if n is not None), default=1)
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        for n, line in enumerate(lines):
            background, foreground = self.colours.of(line.kind)
            block = QTextBlockFormat()
            block.setBackground(QColor(background))
            chars = QTextCharFormat()
            chars.setForeground(QColor(foreground))
            if n:
                cursor.insertBlock(block, chars)
            else:
                cursor.setBlockFormat(block)
                cursor.setCharFormat(chars)
            cursor.insertText(_row(line, width), chars)
        cursor.endEditBlock()
        self.moveCursor(QTextCursor.MoveOperation.Start)
        first_change = next((i for i, line in enumerate(lines) if line.kind in (DiffKind.ADDED, DiffKind.REMOVED)), 0)
        self.setTextCursor(QTextCursor(self.document().findBlockByNumber(first_change)))
        self.centerCursor()


def _row(line: DiffLine, width: int) -> str:
    if line.kind is DiffKind.GAP:
        return f"{'':>{width}} {'':>{width}} ⋯"
    old = "" if line.old is None else str(line.old)
    new = "" if line.new is None else str(line.new)
    return f"{old:>{width}} {new:>{width}} {line.sign} {line.text}"


class PreviewPanel(QWidget):
    """The instruction fill waiting for review: what it changes, and how to apply or discard it."""

    def __init__(self, parent: QWidget | None = None, *, style: str = "friendly") -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        self.view = DiffView(style=style)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)

    def show_preview(self, preview: FillPreview) -> None:
        self.title.setText(self.tr("The instruction fill would change the file by {summary}. Review it: Apply "
                                   "(Ctrl+Shift+Enter) puts it in as one undo step, Discard (Esc) leaves the file as "
                                   "it is.").format(summary=resolve(preview.summary)))
        self.view.show_lines(preview.lines)


class InstructionPreview:
    """The pending instruction fill: where it goes, the diff once it is complete, applying it."""

    def __init__(self, editor: CodeEditor, panel: PreviewPanel) -> None:
        self._editor, self.panel = editor, panel
        self.waiting = False  # asked for; the middle is still being written
        self.preview: FillPreview | None = None  # shown for review
        self._selection = (0, 0)
        self._parts = ("", "", "")

    @property
    def active(self) -> bool:
        return self.preview is not None

    @property
    def middle(self) -> str:
        return self.preview.middle if self.preview is not None else ""

    def begin(self, prefix: str, selected: str, suffix: str, selection: tuple[int, int]) -> None:
        """A fill is asked for in place of `selection` (Qt positions); the document is not touched."""
        self.waiting, self.preview = True, None
        self._parts, self._selection = (prefix, selected, suffix), selection

    def show(self, middle: str) -> FillPreview | None:
        """The complete middle as a diff (None when it would change nothing)."""
        self.waiting = False
        prefix, selected, suffix = self._parts
        preview = preview_fill(prefix, selected, suffix, middle)
        if not middle.strip() or not preview.changes:
            return None
        self.preview = preview
        self.panel.show_preview(preview)
        return preview

    def apply(self) -> bool:
        """Put the middle into the document as one undo step; the cursor goes to its end."""
        if self.preview is None:
            return False
        start, end = self._selection
        cursor = QTextCursor(self._editor.document())
        cursor.beginEditBlock()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(self.preview.middle)
        cursor.endEditBlock()
        self._editor.setTextCursor(cursor)
        self.clear()
        return True

    def clear(self) -> None:
        """Forget the pending fill (discarded, failed or applied); the document stays as it is."""
        self.waiting, self.preview = False, None
