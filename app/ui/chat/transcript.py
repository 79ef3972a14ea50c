"""The transcript: one MessageView per turn of the branch shown, in a scroll area that follows the answer.

Following is a state, not a guess made at each repaint: it holds from the start of an answer until
the user scrolls up, and every change of the scroll range (a repaint that added a tall code block,
a layout pass that came later) moves to the new end while it holds. Comparing the position with
the end at each repaint lost the answer as soon as one repaint grew it by more than a margin.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from app.core.chat import Turn
from app.ui.chat.message_view import MessageView

FOLLOW_MARGIN_PX = 40  # a reader who scrolls back to this close to the end follows the answer again


class Transcript(QScrollArea):
    # The turn's index on the branch shown, and for branches the step (-1, +1).
    branch_requested = Signal(int, int)
    edit_requested = Signal(int)
    regenerate_requested = Signal(int)
    continue_requested = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body = QWidget()
        self.body.setObjectName("transcript")
        self._layout = QVBoxLayout(self.body)
        self._layout.setSpacing(10)
        self.placeholder = QLabel(self.tr("Ask a coding question. Ctrl+Enter sends, Esc stops.\n"
                                          "Answers run on your own machine; nothing leaves it."))
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setObjectName("placeholder")
        self._layout.addWidget(self.placeholder)
        self._layout.addStretch(1)
        self.setWidget(self.body)
        self.views: list[MessageView] = []
        self.following = False
        self._moving = False  # the scroll position is being set here, not by the user
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._range_changed)
        bar.valueChanged.connect(self._value_changed)

    def show_turns(self, turns: Sequence[Turn], style: str,
                   branches: Callable[[int], tuple[int, int]] | None = None) -> None:
        """Make the views match `turns`: views of the same turns are kept, the rest made anew."""
        keep = 0
        while keep < min(len(self.views), len(turns)) and self.views[keep].turn is turns[keep]:
            keep += 1
        while len(self.views) > keep:
            self._remove(self.views.pop())
        for turn in turns[keep:]:
            view = MessageView(turn.role, turn.text, style=style, state=turn.state, actions=True)
            view.turn = turn  # type: ignore[attr-defined]
            view.set_figures(turn.figures)
            self._connect(view)
            self._layout.insertWidget(self._layout.count() - 1, view)
            self.views.append(view)
        if branches is not None:
            for index, view in enumerate(self.views):
                view.set_branches(*branches(index))
        self.placeholder.setVisible(not self.views)

    def _connect(self, view: MessageView) -> None:
        def index() -> int:
            return self.views.index(view)

        view.branch_requested.connect(lambda step: self.branch_requested.emit(index(), step))
        view.edit_requested.connect(lambda: self.edit_requested.emit(index()))
        view.regenerate_requested.connect(lambda: self.regenerate_requested.emit(index()))
        view.continue_requested.connect(lambda: self.continue_requested.emit(index()))

    def set_actions_enabled(self, enabled: bool) -> None:
        for view in self.views:
            view.set_actions_enabled(enabled)

    def clear(self) -> None:
        while self.views:
            self._remove(self.views.pop())
        self.placeholder.show()

    def _remove(self, view: MessageView) -> None:
        self._layout.removeWidget(view)
        view.deleteLater()

    def update_turn(self, index: int, turn: Turn) -> None:
        view = self.views[index]
        view.set_text(turn.text)
        view.set_state(turn.state)
        view.set_figures(turn.figures)

    def follow(self, text: str) -> None:
        """The streaming answer (the last view) has grown to `text`; the end stays in sight while following."""
        self.views[-1].set_text(text)

    def scroll_to_end(self) -> None:
        """Go to the end and follow it (a new answer, a conversation opened)."""
        self.following = True
        self._move_to_end()

    def _move_to_end(self) -> None:
        bar = self.verticalScrollBar()
        self._moving = True
        try:
            bar.setValue(bar.maximum())
        finally:
            self._moving = False

    def _range_changed(self, _minimum: int, _maximum: int) -> None:
        if self.following:
            self._move_to_end()

    def _value_changed(self, value: int) -> None:
        if not self._moving:  # the user scrolled (wheel, drag, keys): follow only from near the end
            self.following = value >= self.verticalScrollBar().maximum() - FOLLOW_MARGIN_PX
