"""The transcript: one MessageView per turn of the session, in a scroll area that follows the answer."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from app.core.chat import Turn
from app.ui.chat.message_view import MessageView

FOLLOW_MARGIN_PX = 40  # a reader this close to the end keeps following the answer; further up stays put


class Transcript(QScrollArea):
    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body = QWidget()
        self.body.setObjectName("transcript")
        self._layout = QVBoxLayout(self.body)
        self._layout.setSpacing(10)
        self.placeholder = QLabel("Ask a coding question. Ctrl+Enter sends, Esc stops.\n"
                                  "Answers run on your own machine; nothing leaves it.")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setObjectName("placeholder")
        self._layout.addWidget(self.placeholder)
        self._layout.addStretch(1)
        self.setWidget(self.body)
        self.views: list[MessageView] = []

    def show_turns(self, turns: Sequence[Turn], style: str) -> None:
        """Make the views match `turns`, which changed only at the end (turns added or taken back)."""
        while len(self.views) > len(turns):
            self._remove(self.views.pop())
        for turn in turns[len(self.views):]:
            view = MessageView(turn.role, turn.text, style=style, state=turn.state)
            self._layout.insertWidget(self._layout.count() - 1, view)
            self.views.append(view)
        self.placeholder.setVisible(not self.views)

    def clear(self) -> None:
        while self.views:
            self._remove(self.views.pop())
        self.placeholder.show()

    def _remove(self, view: MessageView) -> None:
        self._layout.removeWidget(view)
        view.deleteLater()

    def update_turn(self, index: int, turn: Turn) -> None:
        self.views[index].set_text(turn.text)
        self.views[index].set_state(turn.state)

    def follow(self, text: str) -> None:
        """The streaming answer (the last view) has grown; keep the end in sight if it was."""
        bar = self.verticalScrollBar()
        at_end = bar.value() >= bar.maximum() - FOLLOW_MARGIN_PX
        self.views[-1].set_text(text)
        if at_end:
            self.scroll_to_end()

    def scroll_to_end(self) -> None:
        bar = self.verticalScrollBar()
        QTimer.singleShot(0, bar, lambda: bar.setValue(bar.maximum()))
