"""The conversation on a repository as shown: questions, answers (one streaming), and their sources."""

from __future__ import annotations

from typing import Callable

from app.core.repo.ask import linkify_citations, sources_of
from app.core.repo.session import RepoSession
from app.core.store import MessageState
from app.ui.chat.message_view import MessageView
from app.ui.repo.answers import AnswerList


class RepoConversation:
    """Renders turns into the answer list; holds no conversation state beyond the answer being written."""

    def __init__(self, answers: AnswerList, code_style: Callable[[], str], open_citation: Callable[[str], None],
                 known_paths: Callable[[], frozenset[str]]) -> None:
        self.answers = answers
        self._code_style, self._open_citation, self._known_paths = code_style, open_citation, known_paths
        self._answer: MessageView | None = None  # the answer streaming now
        self._restyle_when_done = False  # a theme switch came while an answer was streaming

    def clear(self) -> None:
        self.answers.clear()

    def show_session(self, session: RepoSession) -> None:
        """A saved conversation: its first question, the turns since, sources under each answer."""
        self._add("user", session.context.question)
        for message in session.history:
            self._add(message.role, message.content)
            if message.role == "assistant":
                self._add_sources(session)

    def start_answer(self, question: str) -> None:
        self._add("user", question)
        self._answer = self._add("assistant", "")
        self._answer.set_state(MessageState.STREAMING)

    def render(self, text: str) -> None:
        if self._answer is not None:
            self._answer.set_text(text)

    def finish(self, state: MessageState, text: str, session: RepoSession | None) -> None:
        """The answer's final text and state, then what the model read (even when it cites nothing)."""
        if self._answer is not None:
            self._answer.set_text(text)
            self._answer.set_state(state)
        self._answer = None
        if session is not None:
            self._add_sources(session)
        if self._restyle_when_done:
            self.restyle(self._code_style())

    def restyle(self, style: str) -> None:
        """Render every message again in `style`; the answer being written is restyled when it ends."""
        self._restyle_when_done = self._answer is not None
        if not self._restyle_when_done:
            self.answers.restyle(style)

    def _add(self, role: str, text: str) -> MessageView:
        known = self._known_paths()
        return self.answers.add(role, text, self._code_style(), lambda t: linkify_citations(t, known),
                                self._open_citation)

    def _add_sources(self, session: RepoSession) -> None:
        self.answers.add_sources(sources_of(session.context.chunks), self._open_citation)
