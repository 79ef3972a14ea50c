"""A plain-text code editor: line numbers, current-line mark, pygments highlighting, spaces for Tab."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontDatabase, QKeyEvent, QPainter, QPaintEvent, QPalette, QResizeEvent, QTextFormat
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from app.ui.highlight import is_dark, style_colors
from app.ui.infill.highlighter import PygmentsHighlighter

_GUTTER_PADDING = 6  # pixels left and right of the numbers


class _Gutter(QWidget):
    """The line-number strip; the editor does the painting since it knows the block geometry."""

    def __init__(self, editor: CodeEditor) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(self._editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        self._editor.paint_gutter(event)


class CodeEditor(QPlainTextEdit):
    """Editable code with a line-number gutter and incremental syntax highlighting.

    Panes add their own marks (an inline suggestion, a search hit) with `set_extra_marks`; the
    current-line mark is kept underneath them. Tab inserts spaces up to the next indent stop;
    a pane that wants Tab for itself installs an event filter and eats the key first.
    """

    indent_width = 4

    def __init__(self, parent: QWidget | None = None, *, language: str = "", style: str | None = None) -> None:
        super().__init__(parent)
        self._marks: list[QTextEdit.ExtraSelection] = []
        self._line_colour = QColor()
        self._current_line = -1
        self._gutter = _Gutter(self)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._fit_font()
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.highlighter = PygmentsHighlighter(self.document(), language)

        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._update_gutter)
        self.cursorPositionChanged.connect(self._refresh_marks)
        self.set_code_style(style or ("monokai" if is_dark() else "friendly"))
        self._update_gutter_width()

    # -- public API -------------------------------------------------------------------------

    def set_language(self, name: str) -> None:
        """A pygments name or alias, or a file name; unknown names give plain text."""
        self.highlighter.set_language(name)

    def set_code_style(self, style: str) -> None:
        """Use a pygments style for the tokens and the editor's own colours, so text stays readable."""
        self.highlighter.set_style(style)
        background, foreground = style_colors(style)
        base, text = QColor(background), QColor(foreground)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Base, base)
        palette.setColor(QPalette.ColorRole.Text, text)
        self.setPalette(palette)
        # The viewport paints the background; once the app style sheet has polished it, it keeps its own
        # resolved palette and no longer follows the editor's, so a live theme switch must set it too.
        self.viewport().setPalette(palette)
        # A touch of the text colour on the background: visible on dark and light styles alike.
        self._line_colour = QColor.fromRgbF(*(0.92 * b + 0.08 * t for b, t in zip(base.getRgbF()[:3], text.getRgbF()[:3])))
        self._current_line = -1  # repaints the gutter in the new colours
        self._refresh_marks()

    def set_extra_marks(self, marks: list[QTextEdit.ExtraSelection]) -> None:
        """Marks shown on top of the current-line highlight (an empty list removes them)."""
        self._marks = list(marks)
        self._refresh_marks()

    def extra_marks(self) -> list[QTextEdit.ExtraSelection]:
        return list(self._marks)

    def gutter_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 2 * _GUTTER_PADDING + self.fontMetrics().horizontalAdvance("9") * max(2, digits)

    def insert_indent(self) -> None:
        """Spaces up to the next multiple of `indent_width` columns (replacing any selection)."""
        cursor = self.textCursor()
        column = cursor.positionInBlock() - (cursor.position() - cursor.selectionStart())
        cursor.insertText(" " * (self.indent_width - column % self.indent_width))
        self.setTextCursor(cursor)

    # -- Qt overrides -----------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() == Qt.Key.Key_Tab and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.insert_indent()
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._place_gutter()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_font()

    def _fit_font(self) -> None:
        # Tab stops and the gutter are measured in characters of the current font.
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * self.indent_width)
        self._update_gutter_width()

    # -- gutter -----------------------------------------------------------------------------

    def paint_gutter(self, event: QPaintEvent) -> None:
        painter = QPainter(self._gutter)
        palette = self.palette()
        painter.fillRect(event.rect(), palette.color(QPalette.ColorRole.Base))
        number_colour = QColor(palette.color(QPalette.ColorRole.Text))
        number_colour.setAlphaF(0.45)
        current_line = self.textCursor().blockNumber()
        width = self._gutter.width() - _GUTTER_PADDING
        height = self.fontMetrics().height()

        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        bottom = top + round(self.blockBoundingRect(block).height())
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and bottom >= event.rect().top():
                painter.setPen(palette.color(QPalette.ColorRole.Text) if block.blockNumber() == current_line
                               else number_colour)
                painter.drawText(0, top, width, height, Qt.AlignmentFlag.AlignRight, str(block.blockNumber() + 1))
            block = block.next()
            top = bottom
            bottom = top + round(self.blockBoundingRect(block).height())
        painter.end()

    def _update_gutter_width(self, _count: int = 0) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)
        self._place_gutter()

    def _place_gutter(self) -> None:
        area = self.contentsRect()
        self._gutter.setGeometry(QRect(area.left(), area.top(), self.gutter_width(), area.height()))

    def _update_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    # -- marks ------------------------------------------------------------------------------

    def _refresh_marks(self) -> None:
        line = QTextEdit.ExtraSelection()
        line.format.setBackground(self._line_colour)
        line.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        cursor = self.textCursor()
        cursor.clearSelection()  # with a selection the mark would cover every selected line
        line.cursor = cursor
        # The current line goes first so that the pane's marks paint over it.
        self.setExtraSelections([line, *self._marks])
        if cursor.blockNumber() != self._current_line:
            self._current_line = cursor.blockNumber()
            self._gutter.update()  # the current line's number is drawn brighter
