"""The infill code editor: incremental pygments highlighting, gutter, Tab and extra marks."""

from __future__ import annotations

import pytest
from pygments.styles import get_style_by_name
from pygments.token import Comment, Keyword, String
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QTextEdit

from app.ui.infill.editor import CodeEditor
from app.ui.infill.highlighter import PygmentsHighlighter

STYLE = "friendly"


def colour(token) -> str:
    return f"#{get_style_by_name(STYLE).style_for_token(token)['color']}".lower()


def colour_at(editor: CodeEditor, line: int, column: int) -> str | None:
    """The foreground the highlighter gave one character, or None when it gave none."""
    block = editor.document().findBlockByNumber(line)
    for fmt in block.layout().formats():
        if fmt.start <= column < fmt.start + fmt.length:
            return fmt.format.foreground().color().name()
    return None


def has_formats(editor: CodeEditor, line: int) -> bool:
    return bool(editor.document().findBlockByNumber(line).layout().formats())


def type_at(editor: CodeEditor, line: int, column: int, text: str) -> None:
    cursor = QTextCursor(editor.document().findBlockByNumber(line))
    cursor.setPosition(cursor.position() + column)
    cursor.insertText(text)


@pytest.fixture
def editor(qtbot) -> CodeEditor:
    widget = CodeEditor(language="python", style=STYLE)
    qtbot.addWidget(widget)
    widget.resize(600, 400)
    return widget


class CountingHighlighter(PygmentsHighlighter):
    def __init__(self, *args, **kwargs) -> None:
        self.calls = 0
        super().__init__(*args, **kwargs)

    def highlightBlock(self, text: str) -> None:  # noqa: N802
        self.calls += 1
        super().highlightBlock(text)


def test_keywords_strings_and_comments_get_formats(editor) -> None:
    editor.setPlainText('def f():\n    return "hi"  # note\n')
    assert editor.highlighter.language == "Python"
    assert colour_at(editor, 0, 0) == colour(Keyword)
    assert colour_at(editor, 1, 4) == colour(Keyword)
    assert colour_at(editor, 1, 12) == colour(String)
    assert colour_at(editor, 1, 18) == colour(Comment)
    formats = editor.document().findBlockByNumber(0).layout().formats()
    keyword = next(f.format for f in formats if f.start == 0)
    assert get_style_by_name(STYLE).style_for_token(Keyword)["bold"] and keyword.fontWeight() == QFont.Weight.Bold


def test_formats_land_on_the_right_characters_after_an_emoji(editor) -> None:
    editor.setPlainText('s = "\U0001F600"  # ok\n')  # the emoji is one character, two UTF-16 units
    comment = editor.document().findBlockByNumber(0).text().index("#") + 1  # Qt counts UTF-16 units
    assert colour_at(editor, 0, comment) == colour(Comment)
    assert colour_at(editor, 0, comment - 1) is None and colour_at(editor, 0, comment - 3) == colour(String)


def test_triple_quoted_string_spans_lines_and_closing_restores_them(editor) -> None:
    editor.setPlainText("a = 1\nb = 2\nc = 3\nd = 4\n")
    assert colour_at(editor, 2, 0) != colour(String)
    type_at(editor, 1, 0, '"""')
    assert [colour_at(editor, line, 0) for line in (1, 2, 3)] == [colour(String)] * 3
    assert colour_at(editor, 0, 0) != colour(String)
    type_at(editor, 2, 5, '"""')  # closes it at the end of line 2
    assert colour_at(editor, 2, 0) == colour(String)
    assert colour_at(editor, 3, 0) != colour(String) and colour_at(editor, 3, 4) is not None
    cursor = QTextCursor(editor.document().findBlockByNumber(1))
    cursor.movePosition(QTextCursor.MoveOperation.NextCharacter, QTextCursor.MoveMode.KeepAnchor, 3)
    cursor.removeSelectedText()  # remove the opening quotes: the closing ones now open a string
    assert colour_at(editor, 1, 0) != colour(String)
    assert colour_at(editor, 3, 0) == colour(String)


def test_editing_a_long_file_rehighlights_only_a_few_lines(qtbot, editor) -> None:
    editor.highlighter.setDocument(None)
    counting = CountingHighlighter(editor.document(), "python", STYLE)
    lines = []
    for i in range(625):
        lines += [f"def function_{i}(x):", f'    """Doc {i}.', "", '    More."""', f"    return x + {i}  # add", "",
                  "/* not a comment in Python */", ""]
    editor.setPlainText("\n".join(lines))
    assert editor.blockCount() == 5000 and counting.calls >= 5000
    assert colour_at(editor, 4995, 4) == colour(String.Doc)  # the last docstring's "More." line

    def calls_for(edit) -> int:
        counting.calls = 0
        edit()
        return counting.calls

    assert calls_for(lambda: type_at(editor, 2500, 10, "y")) == 1

    def press_return(line: int, column: int) -> None:
        cursor = QTextCursor(editor.document().findBlockByNumber(line))
        cursor.setPosition(cursor.position() + column)
        editor.setTextCursor(cursor)
        qtbot.keyClick(editor, Qt.Key.Key_Return)

    assert calls_for(lambda: press_return(2604, 10)) <= 3  # in "    return x + 325  # add"
    # In the indentation before a docstring's opening quotes, and on the empty line inside it.
    assert calls_for(lambda: press_return(2401, 1)) <= 6
    assert calls_for(lambda: press_return(2411, 0)) <= 6
    assert editor.document().findBlockByNumber(2404).text() == '    More."""'
    assert colour_at(editor, 2404, 4) == colour(String.Doc) and colour_at(editor, 4998, 4) == colour(String.Doc)
    assert editor.document().findBlockByNumber(5001).text().startswith("/*")
    assert colour_at(editor, 5001, 3) != colour(Comment.Multiline)  # Python has no /* */ comments


def test_block_comment_closed_below_colours_the_lines_above(qtbot, editor) -> None:
    editor.set_language("javascript")
    editor.setPlainText("let a = 1;\nlet b = 2;\nlet c = 3;\nlet d = 4;\n")
    type_at(editor, 1, 0, "/* ")  # no closer yet: not a comment
    assert colour_at(editor, 2, 0) == colour(Keyword.Declaration)
    type_at(editor, 2, 10, " */")  # the closer turns lines 1-2 into a comment shortly after
    qtbot.waitUntil(lambda: colour_at(editor, 1, 0) == colour(Comment.Multiline))
    assert colour_at(editor, 2, 0) == colour(Comment.Multiline)
    assert colour_at(editor, 3, 0) == colour(Keyword.Declaration)
    type_at(editor, 1, 1, "x")  # "/x* " opens nothing: lines 1 and 2 are code again
    assert colour_at(editor, 2, 0) == colour(Keyword.Declaration)


def test_switching_language_and_plain_text(editor) -> None:
    editor.setPlainText("fn main() { let x = 1; }\n")
    assert colour_at(editor, 0, 0) != colour(Keyword)
    editor.set_language("rust")
    assert editor.highlighter.language == "Rust"
    assert colour_at(editor, 0, 0) == colour(Keyword)
    editor.set_language("main.py")  # a file name works too
    assert editor.highlighter.language == "Python"
    editor.set_language("yaml")  # a lexer with token types no style lists (Literal.Scalar.Plain)
    editor.setPlainText("key: 'value'  # note\n")
    assert colour_at(editor, 0, 15) == colour(Comment)
    editor.set_language("text")
    assert not has_formats(editor, 0)
    editor.set_language("no-such-language")
    assert editor.highlighter.language == "Text only" and not has_formats(editor, 0)


def test_c_block_comment_and_style_switch(editor) -> None:
    editor.set_language("c")
    editor.setPlainText("int a;\n/* start\nint b;\nend */\nint c;\n")
    assert colour_at(editor, 2, 0) == colour(Comment.Multiline)
    assert colour_at(editor, 4, 0) == colour(Keyword.Type)
    editor.set_code_style("monokai")
    monokai = get_style_by_name("monokai").style_for_token(Comment.Multiline)["color"]
    assert colour_at(editor, 2, 0) == f"#{monokai}".lower()


def test_large_documents_are_not_highlighted(qtbot, editor) -> None:
    highlighter = editor.highlighter
    highlighter.max_lines = 100
    editor.setPlainText("x = 'a'\n" * 50)
    assert highlighter.active and has_formats(editor, 10)
    with qtbot.waitSignal(highlighter.activeChanged, check_params_cb=lambda active: not active):
        editor.appendPlainText("y = 'b'\n" * 100)  # a paste makes it too long
    assert not highlighter.active
    assert not any(has_formats(editor, line) for line in range(editor.blockCount()))
    with qtbot.waitSignal(highlighter.activeChanged, check_params_cb=lambda active: active):
        editor.setPlainText("x = 'a'\n" * 20)
    assert highlighter.active
    qtbot.waitUntil(lambda: has_formats(editor, 10))  # Qt re-highlights a taken-back document from the event loop


def test_gutter_grows_with_the_line_count(editor) -> None:
    editor.setPlainText("x\n" * 5)
    narrow = editor.gutter_width()
    assert editor.viewportMargins().left() == narrow
    editor.setPlainText("x\n" * 1500)
    assert editor.gutter_width() > narrow
    assert editor.viewportMargins().left() == editor.gutter_width()


def test_tab_inserts_spaces_unless_a_filter_takes_it(qtbot, editor) -> None:
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "    "
    qtbot.keyClicks(editor, "ab")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "    ab  "

    class EatTab(QObject):
        def eventFilter(self, watched, event) -> bool:  # noqa: N802
            return event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Tab

    eater = EatTab()
    editor.installEventFilter(eater)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    assert editor.toPlainText() == "    ab  "
    editor.removeEventFilter(eater)


def test_extra_marks_sit_on_top_of_the_current_line(editor) -> None:
    editor.setPlainText("one\ntwo\nthree\n")
    assert len(editor.extraSelections()) == 1
    mark = QTextEdit.ExtraSelection()
    mark.cursor = QTextCursor(editor.document().findBlockByNumber(2))
    mark.cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
    fmt = QTextCharFormat()
    fmt.setForeground(QColor("#888888"))
    mark.format = fmt
    editor.set_extra_marks([mark])
    shown = editor.extraSelections()
    assert len(shown) == 2
    assert shown[0].format.property(QTextFormat.Property.FullWidthSelection)
    assert shown[1].cursor.selectedText() == "three"
    editor.moveCursor(QTextCursor.MoveOperation.Down)  # the current line moves, the mark stays
    shown = editor.extraSelections()
    assert shown[0].cursor.blockNumber() == 1 and shown[1].cursor.selectedText() == "three"
    editor.set_extra_marks([])
    assert len(editor.extraSelections()) == 1
