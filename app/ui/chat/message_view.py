"""One chat message: Markdown prose and code blocks, each code block with a Copy button.

While an answer streams, only the last block changes; earlier blocks keep their widgets, and a
code block is highlighted once, when its closing fence arrives (or when the answer ends without
one: an answer cut off mid-block still shows highlighted code of its language).

The header flips between the versions of the message ("< 2/3 >") and offers what can be done to
it (Edit, Regenerate, Continue); the pane decides, through the session, what that does.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication, QTextCursor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.engine_figures import describe_prompt_progress
from app.core.markdown_blocks import Block, split_blocks
from app.core.store import MessageState
from app.ui.highlight import code_html, language_label, style_colors
from app.ui.i18n import resolve
from app.ui.plain_text import plain
from app.ui.safe_markdown import markdown_html, open_web_link


def _copy_button(tooltip: str, get_text) -> QPushButton:
    copy_text = QCoreApplication.translate("MessageView", "Copy")
    button = QPushButton(copy_text)
    button.setToolTip(tooltip)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    button.setFlat(True)
    button.setObjectName("copyButton")

    def copy() -> None:
        QGuiApplication.clipboard().setText(get_text())
        button.setText(QCoreApplication.translate("MessageView", "Copied"))
        QTimer.singleShot(1200, button, lambda: button.setText(copy_text))  # dies with the button

    button.clicked.connect(copy)
    return button


def _title_bar(label: QLabel, copy_tooltip: str, get_text) -> tuple[QHBoxLayout, QPushButton]:
    """A label on the left and a Copy button on the right."""
    bar = QHBoxLayout()
    bar.addWidget(label)
    bar.addStretch(1)
    button = _copy_button(copy_tooltip, get_text)
    bar.addWidget(button)
    return bar, button


class ProseView(QLabel):
    def __init__(self, text: str, display: "Callable[[str], str] | None" = None,
                 on_link: "Callable[[str], None] | None" = None) -> None:
        super().__init__()
        self._display = display
        self.setTextFormat(Qt.TextFormat.RichText)  # Markdown converted safely by markdown_html
        self.setWordWrap(True)
        self.setOpenExternalLinks(False)
        self.linkActivated.connect(on_link if on_link is not None else open_web_link)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.source = ""
        self.set_block(Block("prose", text))

    def set_block(self, block: Block) -> None:
        if block.text != self.source:
            self.source = block.text
            self.setText(markdown_html(self._display(block.text) if self._display else block.text, self.font()))


class CodeBlockView(QFrame):
    """A code block: language, Copy button, and the code highlighted by pygments."""

    def __init__(self, block: Block, style: str) -> None:
        super().__init__()
        self.setObjectName("codeBlock")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._style = style
        self.code = ""
        self.language = block.language
        self.highlighted = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.label = plain(QLabel(block.language or self.tr("code")))
        self.label.setObjectName("codeLanguage")
        bar, self.copy_button = _title_bar(self.label, self.tr("Copy this code block"), lambda: self.code)
        bar.setContentsMargins(8, 2, 4, 2)
        layout.addLayout(bar)
        self.view = QTextBrowser()
        self.view.setLineWrapMode(QTextBrowser.LineWrapMode.NoWrap)
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setFrameShape(QFrame.Shape.NoFrame)
        self.view.setOpenLinks(False)
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._lines = 0
        background, foreground = style_colors(style)
        # The whole box takes the code style's colours, not just the width of the text.
        self.view.setStyleSheet(f"QTextBrowser {{ background: {background}; color: {foreground}; }}")
        layout.addWidget(self.view)
        self.set_block(block)

    def set_block(self, block: Block) -> None:
        if block.text == self.code and (self.highlighted or not block.closed):
            return
        if block.closed:
            self.view.setHtml(code_html(block.text, block.language, self._style))
            self.label.setText(language_label(block.language, block.text))
            self.highlighted = True
        elif block.text.startswith(self.code) and not self.highlighted:
            # Streaming: append only what is new instead of re-laying out the whole block.
            cursor = self.view.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(block.text[len(self.code):])
        else:
            self.view.setPlainText(block.text)
        self.code = block.text
        lines = self.code.count("\n") + 1
        if lines != self._lines or block.closed:
            self._lines = lines
            self._fit_height()

    def _fit_height(self) -> None:
        doc = self.view.document()
        line_height = self.view.fontMetrics().lineSpacing()
        longest = max((len(line) for line in self.code.split("\n")), default=0)
        too_wide = longest * self.view.fontMetrics().horizontalAdvance("m") > self.view.viewport().width()
        scrollbar = self.view.horizontalScrollBar().sizeHint().height() if too_wide else 0
        self.view.setFixedHeight(min(self._lines, 60) * line_height + 2 * int(doc.documentMargin()) + scrollbar + 4)


def _small_button(text: str, tooltip: str, name: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tooltip)
    button.setAutoRaise(True)
    button.setObjectName(name)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


class MessageView(QFrame):
    """A message with a header (who, state, versions, actions, Copy), its rendered blocks and its figures."""

    copy_requested = Signal()
    branch_requested = Signal(int)  # -1: the previous version, +1: the next
    edit_requested = Signal()
    regenerate_requested = Signal()
    continue_requested = Signal()

    def __init__(self, role: str, text: str = "", *, style: str, state: MessageState = MessageState.COMPLETE,
                 display: Callable[[str], str] | None = None, on_link: Callable[[str], None] | None = None,
                 actions: bool = False) -> None:
        """`actions`: offer Edit, Regenerate and Continue (the chat pane; the repository pane has none)."""
        super().__init__()
        self._actions = actions
        self._display, self._on_link = display, on_link
        self.role = role
        self.setObjectName("userMessage" if role == "user" else "assistantMessage")
        self._style = style
        self.state = state
        self._enabled = True
        self._branches = (1, 1)
        self.text = ""
        self._reading = False  # the figures line shows the prompt's progress
        self._blocks: list[QWidget] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 8)
        layout.setSpacing(6)
        self.who = plain(QLabel())
        self.who.setObjectName("messageRole")
        header, self.copy_button = _title_bar(self.who, self.tr("Copy the whole message as Markdown"),
                                              lambda: self.text)
        self.previous_button = _small_button("‹", self.tr("The previous version of this message"), "branchButton")
        self.branch_label = plain(QLabel())
        self.branch_label.setObjectName("branchLabel")
        self.next_button = _small_button("›", self.tr("The next version of this message"), "branchButton")
        self.previous_button.clicked.connect(lambda: self.branch_requested.emit(-1))
        self.next_button.clicked.connect(lambda: self.branch_requested.emit(+1))
        for index, widget in enumerate((self.previous_button, self.branch_label, self.next_button), 1):
            header.insertWidget(index, widget)
        if role == "user":
            self.action_button = _small_button(self.tr("Edit"), self.tr("Edit this message and send it as a new version"),
                                               "messageAction")
            self.action_button.clicked.connect(self.edit_requested)
        else:
            self.action_button = _small_button(self.tr("Regenerate"), self.tr("Answer again; this answer stays as a version"),
                                               "messageAction")
            self.action_button.clicked.connect(self.regenerate_requested)
        self.continue_button = _small_button(self.tr("Continue"), self.tr("Continue this answer where it was cut off"),
                                             "messageAction")
        self.continue_button.clicked.connect(self.continue_requested)
        header.insertWidget(header.count() - 1, self.continue_button)
        header.insertWidget(header.count() - 1, self.action_button)
        layout.addLayout(header)
        self._body = QVBoxLayout()
        self._body.setSpacing(6)
        layout.addLayout(self._body)
        # Quiet figures under an answer: time to first token, speed, tokens (or the prompt's progress).
        self.figures = plain(QLabel())
        self.figures.setObjectName("messageFigures")
        layout.addWidget(self.figures)
        self.set_branches(1, 1)
        self.set_figures("")
        self.set_state(state)
        self.set_text(text)

    def set_state(self, state: MessageState) -> None:
        was_streaming = self.state is MessageState.STREAMING
        self.state = state
        self.who.setText(self._who(state))
        self.continue_button.setVisible(self._actions and self.role == "assistant"
                                        and state in (MessageState.CUT, MessageState.INTERRUPTED))
        self.action_button.setVisible(self._actions and state is not MessageState.STREAMING)
        if was_streaming and state is not MessageState.STREAMING:
            self.set_text(self.text, force=True)  # a code block left open is shown finished now

    def _who(self, state: MessageState) -> str:
        """Who wrote the message, and how it ended when that is news ("Assistant (stopped)")."""
        who = self.tr("You") if self.role == "user" else self.tr("Assistant")
        notes = {MessageState.STREAMING: self.tr("{who} …"), MessageState.STOPPED: self.tr("{who} (stopped)"),
                 MessageState.INTERRUPTED: self.tr("{who} (interrupted)"), MessageState.FAILED: self.tr("{who} (failed)"),
                 MessageState.CUT: self.tr("{who} (cut off by the token limit)")}
        return notes[state].format(who=who) if state in notes else who

    def set_branches(self, position: int, count: int) -> None:
        """Show "< position/count >" when the message has other versions."""
        self._branches = (position, count)
        for widget in (self.previous_button, self.branch_label, self.next_button):
            widget.setVisible(count > 1)
        self.branch_label.setText(f"{position}/{count}")
        self.previous_button.setEnabled(self._enabled and position > 1)
        self.next_button.setEnabled(self._enabled and position < count)

    def set_actions_enabled(self, enabled: bool) -> None:
        """While an answer streams, no message can be edited, regenerated or flipped."""
        self._enabled = enabled
        self.action_button.setEnabled(enabled)
        self.continue_button.setEnabled(enabled)
        self.set_branches(*self._branches)

    def set_figures(self, text: str) -> None:
        self.figures.setText(text)
        self.figures.setVisible(bool(text))

    def set_progress(self, done: int, total: int) -> None:
        """While the prompt is read (before the first token): how much of it."""
        # A continued answer already has text: its new prompt is read all the same.
        if total > 0 and self.state is MessageState.STREAMING:
            self.set_figures(resolve(describe_prompt_progress(done, total, self.tr("the prompt"))))
            self._reading = True

    def set_text(self, text: str, force: bool = False) -> None:
        if text == self.text and self._blocks and not force:
            return
        if self._reading and text != self.text:  # the first new text: the prompt is read
            self._reading = False
            self.set_figures("")
        self.text = text
        blocks = split_blocks(text) if self.role == "assistant" else [Block("prose", text)] if text else []
        if blocks and not blocks[-1].closed and self.state is not MessageState.STREAMING:
            # The answer ended inside a code block (cut by the limit, stopped): it is complete as it is.
            last = blocks[-1]
            blocks[-1] = Block(last.kind, last.text, last.language, closed=True)
        for index, block in enumerate(blocks):
            widget = self._blocks[index] if index < len(self._blocks) else None
            kind = "code" if isinstance(widget, CodeBlockView) else "prose" if widget is not None else None
            if kind == block.kind:
                widget.set_block(block)  # type: ignore[union-attr]
                continue
            self._truncate(index)
            widget = (CodeBlockView(block, self._style) if block.kind == "code"
                      else ProseView(block.text, self._display, self._on_link))
            if self.role == "user" and isinstance(widget, ProseView):
                widget.setTextFormat(Qt.TextFormat.PlainText)  # the user's words, shown as typed
                widget.setText(block.text)
            self._blocks.append(widget)
            self._body.addWidget(widget)
        self._truncate(len(blocks))

    def _truncate(self, count: int) -> None:
        while len(self._blocks) > count:
            widget = self._blocks.pop()
            self._body.removeWidget(widget)
            widget.deleteLater()

    def code_blocks(self) -> list[CodeBlockView]:
        return [w for w in self._blocks if isinstance(w, CodeBlockView)]
