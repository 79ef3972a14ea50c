"""The conversation on the repository, and the box the next question is typed in."""

from __future__ import annotations

import html
from typing import Callable

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.repo.ask import Source
from app.ui.chat.message_view import MessageView
from app.ui.plain_text import plain


class AnswerList(QScrollArea):
    """Questions and answers, newest last, scrolled to the end as they come."""

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.answers = QWidget()
        self._layout = QVBoxLayout(self.answers)
        self._layout.addStretch(1)
        self.setWidget(self.answers)
        self._links: tuple[Callable[[str], str] | None, Callable[[str], None] | None] = (None, None)

    def add(self, role: str, text: str, style: str, display: Callable[[str], str],
            on_link: Callable[[str], None]) -> MessageView:
        view = MessageView(role, text, style=style, display=display, on_link=on_link)
        self._links = (display, on_link)
        self._layout.insertWidget(self._layout.count() - 1, view)
        QTimer.singleShot(0, lambda: self.verticalScrollBar().setValue(self.verticalScrollBar().maximum()))
        return view

    def add_sources(self, sources: list[Source], on_link: Callable[[str], None]) -> QLabel:
        """Under an answer: the files and lines the model was given, each range a link to the code."""
        label = QLabel(sources_html(sources, _link_colour()))
        label.setProperty("sources", sources)  # to draw it again in the link colour of a new theme
        label.setObjectName("answerSources")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)  # built here from escaped paths, never from the folder as is
        label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        label.linkActivated.connect(on_link)
        self._layout.insertWidget(self._layout.count() - 1, label)
        return label

    def add_figures(self, text: str) -> QLabel:
        """Under an answer, quietly: how far the prompt was read, then the answer's figures."""
        label = plain(QLabel(text))
        label.setObjectName("messageFigures")  # styled quietly, as the chat pane's figures are
        self._layout.insertWidget(self._layout.count() - 1, label)
        return label

    def figures_labels(self) -> list[QLabel]:
        return [w for i in range(self._layout.count() - 1)
                if isinstance(w := self._layout.itemAt(i).widget(), QLabel) and w.objectName() == "messageFigures"]

    def views(self) -> list[MessageView]:
        return [w for i in range(self._layout.count() - 1)
                if isinstance(w := self._layout.itemAt(i).widget(), MessageView)]

    def sources_labels(self) -> list[QLabel]:
        return [w for i in range(self._layout.count() - 1)
                if isinstance(w := self._layout.itemAt(i).widget(), QLabel) and w.objectName() == "answerSources"]

    def restyle(self, style: str) -> None:
        """Render every message again in `style` (code blocks take the code style's colours)."""
        for label in self.sources_labels():  # a rich-text link keeps the colour it was laid out with
            label.setText(sources_html(label.property("sources") or [], _link_colour()))
        for old in self.views():
            view = MessageView(old.role, old.text, style=style, display=self._links[0], on_link=self._links[1])
            view.who.setText(old.who.text())  # keeps "(stopped)", "(failed)"
            self._layout.replaceWidget(old, view)
            old.deleteLater()

    def clear(self) -> None:
        while self._layout.count() > 1:
            widget = self._layout.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()


class QuestionBox(QWidget):
    """The question, Ask / Stop / New question, and the context budget."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        ask_row = QHBoxLayout()
        self.question = QPlainTextEdit()
        self.question.setPlaceholderText(self.tr("Ask about the code (Ctrl+Enter): where is…, why does…, how do I…"))
        self.question.setMaximumHeight(80)
        ask_row.addWidget(self.question, 1)
        buttons = QVBoxLayout()
        self.ask_button = QPushButton(self.tr("Ask"))
        self.stop_button = QPushButton(self.tr("Stop"))
        self.new_button = QPushButton(self.tr("New question"))
        self.new_button.setToolTip(self.tr("Forget the packed context and pack afresh for the next question"))
        for b in (self.ask_button, self.stop_button, self.new_button):
            buttons.addWidget(b)
        ask_row.addLayout(buttons)
        layout.addLayout(ask_row)
        budget_row = QHBoxLayout()
        budget_row.addWidget(QLabel(self.tr("Context budget (tokens, 0 = what the model leaves):")))
        self.budget = QSpinBox()
        self.budget.setRange(0, 1_000_000)
        self.budget.setSingleStep(1024)
        budget_row.addWidget(self.budget)
        budget_row.addStretch(1)
        layout.addLayout(budget_row)


class AnswerColumn(QWidget):
    """The middle of the pane: the conversation above, the question box below."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.answers = AnswerList()
        layout.addWidget(self.answers, 1)
        self.box = QuestionBox()
        layout.addWidget(self.box)


def _link_colour() -> str:
    return QApplication.palette().color(QPalette.ColorRole.Link).name()


def sources_html(sources: list[Source], link_colour: str = "") -> str:
    if not sources:
        return "<small>{}</small>".format(html.escape(QCoreApplication.translate(
            "AnswerList", "Sources: none (no code was packed for this question)")))
    items = []
    style = f' style="color: {link_colour}"' if link_colour else ""
    for source in sources:
        links = ", ".join(f'<a href="{html.escape(source.link(s, e), quote=True)}"{style}>{s}-{e}</a>'
                          for s, e in source.ranges)
        items.append(f"{html.escape(source.path)} {links}")
    # The items are built here from escaped paths; the translated words around them are escaped too.
    words = html.escape(QCoreApplication.translate("AnswerList", "Sources: {files}"))
    return "<small>{}</small>".format(words.format(files=" · ".join(items)))
