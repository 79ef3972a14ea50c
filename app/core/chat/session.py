"""One conversation with the model: its turns, the prompt they make, and what of it to store.

The GUI's chat pane, the CLI's `chat` command and a local server use this one object; they only
translate input (a message typed, a request received) and show output (views, stdout, a response).

Threads: a session belongs to one thread (the GUI's in the app) and is not locked. What runs on the
store thread is a `SaveSnapshot` built by `save_snapshot()`: it holds copies of the rows and writes
only into the `Ref`s (row ids), which the owner thread reads but never writes after creating them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from app.core.chat.saving import Ref, SavedRow, SaveSnapshot
from app.core.prompts.chat import ChatMessage
from app.core.store import Conversation, MessageState, StoredMessage

Role = Literal["user", "assistant"]

NEW_CHAT_TITLE = "New chat"
TITLE_LENGTH = 60


class SessionBusyError(RuntimeError):
    """The conversation was changed while an answer streams (the caller must wait or stop it first)."""


@dataclass(eq=False)  # identity: the same text twice is two turns
class Turn:
    role: Role
    text: str
    state: MessageState = MessageState.COMPLETE
    ref: Ref = field(default_factory=Ref)  # the stored row, filled in on the store thread


def title_of(turns: Sequence[Turn]) -> str:
    """A conversation's title: its first user message on one line, cut short."""
    first_user = next((t.text for t in turns if t.role == "user"), "")
    return " ".join(first_user.split())[:TITLE_LENGTH] or NEW_CHAT_TITLE


def alternating(history: list[ChatMessage]) -> list[ChatMessage]:
    """Drop messages that would break user/assistant alternation (a failed answer left two users)."""
    result: list[ChatMessage] = []
    for message in history:
        if result and result[-1].role == message.role:
            result[-1] = message  # keep the later one: it is what the user meant
        else:
            result.append(message)
    return result


class ChatSession:
    """The turns of one conversation, its system prompt, and the bookkeeping of what to store.

    A turn flow: `add_user(text)`, then `start_answer()` (the prompt to send), `stream(text)` as the
    answer comes, `finish_answer(state)`. `regenerate()` and `edit_last()` take turns back.
    Nothing here waits on the model or the disk; saving is `save_snapshot()` run on the store's
    thread, then `saved(snapshot)` back on the owner's thread.
    """

    def __init__(self, system_prompt: str = "") -> None:
        self.system_prompt = system_prompt  # of this conversation (stored with it, changed by settings)
        self._conversation = Ref()
        self._turns: list[Turn] = []
        self._answer: Turn | None = None
        self._pending_deletes: list[Ref] = []  # rows removed here, still to delete from the store
        self._deferred_deletes: list[Ref] = []  # taken back by edit_last: deleted only once it is resent

    @classmethod
    def from_messages(cls, messages: Sequence[ChatMessage]) -> ChatSession:
        """A session holding a history given whole (an HTTP request's messages): system turns become
        the system prompt, the rest complete turns."""
        session = cls("\n\n".join(m.content for m in messages if m.role == "system"))
        session._turns = [Turn(m.role, m.content) for m in messages  # type: ignore[arg-type]
                          if m.role in ("user", "assistant")]
        return session

    # What it holds ---------------------------------------------------------------------------
    @property
    def turns(self) -> list[Turn]:
        """The turns in order (a new list; the turns themselves are the session's)."""
        return list(self._turns)

    @property
    def conversation(self) -> Ref:
        """The stored conversation row (its id is None until the store thread has created it)."""
        return self._conversation

    @property
    def answer(self) -> Turn | None:
        """The answer being generated, if any (always the last turn)."""
        return self._answer

    @property
    def answering(self) -> bool:
        return self._answer is not None

    @property
    def title(self) -> str:
        return title_of(self._turns)

    @property
    def has_user_turn(self) -> bool:
        return any(t.role == "user" for t in self._turns)

    @property
    def can_regenerate(self) -> bool:
        return not self.answering and self.has_user_turn

    @property
    def can_edit_last(self) -> bool:
        return not self.answering and self.has_user_turn

    def prompt_messages(self) -> list[ChatMessage]:
        """What the model is sent: the system prompt, then the turns alternating user/assistant.

        Failed answers and empty answers are left out (the user's message before a failure stays,
        and a later message replaces it, see `alternating`).
        """
        system = [ChatMessage("system", self.system_prompt)] if self.system_prompt.strip() else []
        history = [ChatMessage(t.role, t.text) for t in self._turns
                   if t.state is not MessageState.FAILED and (t.role == "user" or t.text.strip())]
        return system + alternating(history)

    # Changing it -------------------------------------------------------------------------------
    def _idle(self) -> None:
        if self._answer is not None:
            raise SessionBusyError("an answer is being generated")

    def add_user(self, text: str) -> Turn:
        self._idle()
        turn = Turn("user", text)
        self._turns.append(turn)
        return turn

    def start_answer(self) -> list[ChatMessage]:
        """Begin an answer to the last user turn; returns the prompt to send for it.

        The conversation moves on here, so rows taken back by `edit_last` are now deleted for good.
        """
        self._idle()
        if not self._turns or self._turns[-1].role != "user":
            raise ValueError("an answer follows a user turn")
        messages = self.prompt_messages()
        self._pending_deletes += self._deferred_deletes
        self._deferred_deletes = []
        self._answer = Turn("assistant", "", MessageState.STREAMING)
        self._turns.append(self._answer)
        return messages

    def stream(self, text: str) -> None:
        """The answer's text so far (all of it, not a piece)."""
        if self._answer is not None:
            self._answer.text = text

    def finish_answer(self, state: MessageState, text: str | None = None) -> Turn | None:
        """End the answer as `state` (complete, stopped or failed), with its final text if given."""
        answer, self._answer = self._answer, None
        if answer is not None:
            answer.state = state
            if text is not None:
                answer.text = text
        return answer

    def regenerate(self) -> bool:
        """Drop the last answer; True when the last turn is then a user turn to answer again."""
        if self.answering or not self._turns:
            return False
        if self._turns[-1].role == "assistant":
            self._pending_deletes.append(self._turns.pop().ref)
        return bool(self._turns) and self._turns[-1].role == "user"

    def edit_last(self) -> str | None:
        """Take back the last user turn and what followed; returns its text to edit (None: none).

        The stored rows stay until the edited message is sent (`start_answer`), so an edit given up
        (`reset`, `load`) leaves the stored conversation as it was.
        """
        if self.answering:
            return None
        index = max((i for i, t in enumerate(self._turns) if t.role == "user"), default=-1)
        if index < 0:
            return None
        text = self._turns[index].text
        self._deferred_deletes += [t.ref for t in self._turns[index:]]
        del self._turns[index:]
        return text

    def reset(self, system_prompt: str) -> None:
        """Start a new, empty conversation (deletes still owed to the store are kept)."""
        self._idle()
        self._deferred_deletes = []
        self._conversation = Ref()
        self._turns = []
        self.system_prompt = system_prompt

    def load(self, conversation: Conversation, messages: Sequence[StoredMessage]) -> None:
        """Show a stored conversation (what `ConversationStore.conversation()` and `messages()` return)."""
        self._idle()
        self._deferred_deletes = []
        self._conversation = Ref(conversation.id)
        self.system_prompt = conversation.system_prompt
        self._turns = [Turn(m.role, m.content, m.state, Ref(m.id, (m.content, m.state)))  # type: ignore[arg-type]
                       for m in messages]

    # Storing it --------------------------------------------------------------------------------
    def save_snapshot(self, model: str = "") -> SaveSnapshot | None:
        """What to write now, to run on the store thread (None: nothing to write).

        `model` names the model of a conversation created by this save.
        """
        if not self._turns and not self._pending_deletes:
            return None
        rows = tuple(SavedRow(t.ref, t.role, t.text, t.state) for t in self._turns)
        return SaveSnapshot(self._conversation, self.title, model, self.system_prompt, rows,
                            tuple(self._pending_deletes))

    def saved(self, snapshot: SaveSnapshot) -> None:
        """The store has run `snapshot`: its deletes are done (call on the owner's thread)."""
        self._pending_deletes = [r for r in self._pending_deletes if r not in snapshot.deletes]
