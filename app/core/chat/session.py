"""One conversation with the model: its turns, the prompt they make, and what of it to store.

The GUI's chat pane, the CLI's `chat` command and a local server use this one object; they only
translate input (a message typed, a request received) and show output (views, stdout, a response).

A conversation is a tree: editing a user message or regenerating an answer adds a sibling of it
(a new branch) and keeps the earlier versions, which the user can flip through. `turns` is the
branch shown, from the first message to its end.

Threads: a session belongs to one thread (the GUI's in the app) and is not locked. What runs on the
store thread is a `SaveSnapshot` built by `save_snapshot()`: it holds copies of the rows and writes
only into the `Ref`s (row ids), which the owner thread reads but never writes after creating them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from app.core.chat.saving import ConversationRef, Ref, SavedRow, SaveSnapshot
from app.core.chat.titles import clean_title, make_title, provisional_title
from app.core.engine_types import GenerationStats
from app.core.prompts.chat import ChatMessage
from app.core.store import Conversation, MessageState, StoredMessage, branch_of

Role = Literal["user", "assistant"]

# Sent after an answer cut by the token limit, so that the model writes the rest of it. (The prompt
# builder ends every prompt on a user turn, so the answer cannot be handed back to extend directly.)
CONTINUE_PROMPT = ("Your previous answer was cut off. Continue it exactly where it stopped, without "
                   "repeating anything and without starting over.")
CONTINUABLE = (MessageState.CUT, MessageState.INTERRUPTED)


class SessionBusyError(RuntimeError):
    """The conversation was changed while an answer streams (the caller must wait or stop it first)."""


@dataclass(eq=False)  # identity: the same text twice is two turns
class Turn:
    role: Role
    text: str
    state: MessageState = MessageState.COMPLETE
    ref: Ref = field(default_factory=Ref)  # the stored row, filled in on the store thread
    parent: Turn | None = None  # the turn before it on its branch
    figures: str = ""  # an answer's figures in words (time to first token, speed, tokens)


def alternating(history: list[ChatMessage]) -> list[ChatMessage]:
    """Drop messages that would break user/assistant alternation (a failed answer left two users)."""
    result: list[ChatMessage] = []
    for message in history:
        if result and result[-1].role == message.role:
            result[-1] = message  # keep the later one: it is what the user meant
        else:
            result.append(message)
    return result


def title_of(turns: Sequence[Turn]) -> str:
    """A conversation's title from its first exchange (see app.core.chat.titles)."""
    question = next((t for t in turns if t.role == "user"), None)
    if question is None:
        return provisional_title("")
    answer = next((t for t in turns if t.role == "assistant" and t.parent is question), None)
    return make_title(question.text, answer.text if answer is not None else "")


class ChatSession:
    """The turns of one conversation, its system prompt, and the bookkeeping of what to store.

    A turn flow: `add_user(text)`, then `start_answer()` (the prompt to send), `stream(text)` as the
    answer comes, `finish_answer(state, text, stats)`. `regenerate(index)` and `edit(index)` start a
    new branch at a turn; `switch_branch(index, step)` shows another one; `continue_answer()` goes on
    with an answer the token limit cut. Nothing here waits on the model or the disk; saving is
    `save_snapshot()` run on the store's thread, then `saved(snapshot)` back on the owner's thread.
    """

    def __init__(self, system_prompt: str = "") -> None:
        self.system_prompt = system_prompt  # of this conversation (stored with it, changed by settings)
        self._conversation = ConversationRef()
        self._nodes: list[Turn] = []  # every turn of every branch, parents before children
        self._path: list[Turn] = []  # the branch shown
        self._chosen: dict[Turn | None, Turn] = {}  # per turn, the child last shown (None: the first turns)
        self._editing: Turn | None = None  # the user turn being edited (cut from the branch until sent)
        self._answer: Turn | None = None
        self._continued = ""  # the text a continued answer had before this generation
        self._pending_deletes: list[Ref] = []  # rows removed here, still to delete from the store

    @classmethod
    def from_messages(cls, messages: Sequence[ChatMessage]) -> ChatSession:
        """A session holding a history given whole (an HTTP request's messages): system turns become
        the system prompt, the rest complete turns."""
        session = cls("\n\n".join(m.content for m in messages if m.role == "system"))
        for m in messages:
            if m.role in ("user", "assistant"):
                session._append(Turn(m.role, m.content))  # type: ignore[arg-type]
        return session

    # What it holds ---------------------------------------------------------------------------
    @property
    def turns(self) -> list[Turn]:
        """The branch shown, in order (a new list; the turns themselves are the session's)."""
        return list(self._path)

    @property
    def conversation(self) -> ConversationRef:
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
        return title_of(self._path)

    @property
    def has_user_turn(self) -> bool:
        return any(t.role == "user" for t in self._path)

    @property
    def can_regenerate(self) -> bool:
        return not self.answering and self.has_user_turn

    @property
    def can_edit_last(self) -> bool:
        return not self.answering and self.has_user_turn

    @property
    def can_continue(self) -> bool:
        """The last answer was cut (by the token limit, or the app closing) and can be carried on."""
        return (not self.answering and bool(self._path) and self._path[-1].role == "assistant"
                and self._path[-1].state in CONTINUABLE and bool(self._path[-1].text.strip()))

    @property
    def editing(self) -> bool:
        return self._editing is not None

    def branches(self, index: int) -> tuple[int, int]:
        """(position from 1, count) of the versions of turn `index` (edits or regenerations of it)."""
        turn = self._path[index]
        siblings = self._children(turn.parent)
        return siblings.index(turn) + 1, len(siblings)

    def prompt_messages(self) -> list[ChatMessage]:
        """What the model is sent: the system prompt, then the turns alternating user/assistant.

        Failed answers and empty answers are left out (the user's message before a failure stays,
        and a later message replaces it, see `alternating`).
        """
        system = [ChatMessage("system", self.system_prompt)] if self.system_prompt.strip() else []
        history = [ChatMessage(t.role, t.text) for t in self._path
                   if t.state is not MessageState.FAILED and (t.role == "user" or t.text.strip())]
        return system + alternating(history)

    def count_messages(self) -> list[ChatMessage]:
        """What to count for the context meter: the branch as the next question's prompt will hold it.

        A prompt must end on a user turn, so a conversation that ends on an answer is counted with
        a one-character question after it: the answer's tokens and the next turn's frame count too,
        instead of the count failing (a reopened conversation read 0).
        """
        messages = self.prompt_messages()
        if messages and messages[-1].role == "assistant":
            messages.append(ChatMessage("user", "?"))
        return messages if any(m.role == "user" for m in messages) else []

    # The tree ------------------------------------------------------------------------------------
    def _children(self, parent: Turn | None) -> list[Turn]:
        return [t for t in self._nodes if t.parent is parent]

    def _append(self, turn: Turn) -> Turn:
        turn.parent = self._path[-1] if self._path else None
        self._nodes.append(turn)
        self._path.append(turn)
        self._chosen[turn.parent] = turn
        return turn

    def _descend(self, turn: Turn) -> list[Turn]:
        """`turn` and the turns after it: at each step the child last shown, else the newest."""
        path = [turn]
        while children := self._children(path[-1]):
            chosen = self._chosen.get(path[-1])
            path.append(chosen if chosen in children else children[-1])
        return path

    def _show(self, path: list[Turn]) -> None:
        self._path = path
        for turn in path:
            self._chosen[turn.parent] = turn

    # Changing it -------------------------------------------------------------------------------
    def _idle(self) -> None:
        if self._answer is not None:
            raise SessionBusyError("an answer is being generated")

    def add_user(self, text: str) -> Turn:
        """A new user turn at the end of the branch (after `edit`: a new version of the edited one)."""
        self._idle()
        self._editing = None
        return self._append(Turn("user", text))

    def start_answer(self) -> list[ChatMessage]:
        """Begin an answer to the last user turn; returns the prompt to send for it."""
        self._idle()
        if not self._path or self._path[-1].role != "user":
            raise ValueError("an answer follows a user turn")
        messages = self.prompt_messages()
        self._continued = ""
        self._answer = self._append(Turn("assistant", "", MessageState.STREAMING))
        return messages

    def continue_answer(self) -> list[ChatMessage]:
        """Carry on the cut answer at the end of the branch; the new text is added to it."""
        self._idle()
        self.cancel_edit()  # an unsent edit cut the branch: the answer continued is the one shown whole
        if not self.can_continue:
            raise ValueError("only an answer that was cut off can be continued")
        self._answer = answer = self._path[-1]
        self._continued = answer.text
        answer.state = MessageState.STREAMING
        return [*self.prompt_messages(), ChatMessage("user", CONTINUE_PROMPT)]

    def stream(self, text: str) -> None:
        """The answer's text so far (all of this generation's text, not a piece)."""
        if self._answer is not None:
            self._answer.text = self._continued + text

    def finish_answer(self, state: MessageState, text: str | None = None,
                      stats: GenerationStats | None = None, figures: str = "") -> Turn | None:
        """End the answer as `state`, with this generation's final text if given.

        An answer that was complete by the model's account but ran into the token limit is CUT
        (it can be continued); `figures` are kept with it to show under it.
        """
        answer, self._answer = self._answer, None
        if answer is not None:
            if state is MessageState.COMPLETE and stats is not None and stats.stop_reason == "length":
                state = MessageState.CUT
            elif state is MessageState.FAILED and self._continued:
                state = MessageState.CUT  # what was there before stays usable, and can be continued again
            answer.state = state
            if text is not None:
                answer.text = self._continued + text
            answer.figures = figures or answer.figures
            self._continued = ""
        return answer

    def regenerate(self, index: int | None = None) -> bool:
        """Answer again from the answer at `index` (default: the last one); the old one stays a branch.

        True when the branch then ends on a user turn to answer (`start_answer` next). A failed or
        empty answer with nothing after it is not worth keeping: it is dropped instead.
        """
        if self.answering or not self._path:
            return False
        self.cancel_edit()  # else the new answer hangs off a branch the unsent edit cut, and the wrong leaf is saved
        if index is None:
            index = len(self._path) - 1
        if self._path[index].role == "user":  # a question without an answer (it failed): answer it
            del self._path[index + 1:]
            return True
        old = self._path[index]
        del self._path[index:]
        if (old.state is MessageState.FAILED or not old.text.strip()) and not self._children(old):
            self._nodes.remove(old)
            self._pending_deletes.append(old.ref)
        return bool(self._path) and self._path[-1].role == "user"

    def edit(self, index: int) -> str | None:
        """Take back the user turn at `index` to edit; returns its text (None: not a user turn).

        The branch is cut before it; sending (`add_user`) makes the edited text a new version of it
        beside the old one, which stays. Given up (`cancel_edit`, `reset`, `load`), nothing changes.
        """
        if self.answering or not 0 <= index < len(self._path) or self._path[index].role != "user":
            return None
        self.cancel_edit()
        self._editing = self._path[index]
        del self._path[index:]
        return self._editing.text

    def edit_last(self) -> str | None:
        """`edit` of the last user turn."""
        index = max((i for i, t in enumerate(self._path) if t.role == "user"), default=-1)
        return self.edit(index) if index >= 0 else None

    def cancel_edit(self) -> None:
        """Show again the branch an unsent edit cut."""
        if self._editing is not None and not self.answering:
            self._show(self._path + self._descend(self._editing))
            self._editing = None

    def switch_branch(self, index: int, step: int) -> bool:
        """Show the version `step` away (-1, +1) of turn `index`, and the turns after it on its branch."""
        if self.answering or not 0 <= index < len(self._path):
            return False
        siblings = self._children(self._path[index].parent)
        position = siblings.index(self._path[index]) + step
        if not 0 <= position < len(siblings):
            return False
        self._editing = None
        self._show(self._path[:index] + self._descend(siblings[position]))
        return True

    @staticmethod
    def rename(text: str) -> str | None:
        """The title to store for what the user typed (None: blank, refused).

        Stored with `ConversationStore.rename`; the title made from the first exchange never
        replaces it (`retitle` replaces only the title the app gave).
        """
        return clean_title(text)

    def reset(self, system_prompt: str) -> None:
        """Start a new, empty conversation (deletes still owed to the store are kept)."""
        self._idle()
        self._conversation = ConversationRef()
        self._nodes, self._path, self._chosen, self._editing = [], [], {}, None
        self.system_prompt = system_prompt

    def load(self, conversation: Conversation, messages: Sequence[StoredMessage]) -> None:
        """Show a stored conversation (what `ConversationStore.conversation()` and `messages()` return)."""
        self._idle()
        self.reset(conversation.system_prompt)
        self._conversation = ConversationRef(conversation.id, title=conversation.title, leaf=conversation.leaf_id,
                                             titled=True)
        by_id: dict[int, Turn] = {}
        for m in messages:  # in id order: parents first
            turn = Turn(m.role, m.content, m.state, Ref(m.id, (m.content, m.state, m.figures)),  # type: ignore[arg-type]
                        by_id.get(m.parent_id) if m.parent_id is not None else None, m.figures)
            by_id[m.id] = turn
            self._nodes.append(turn)
        self._show([by_id[m.id] for m in branch_of(list(messages), conversation.leaf_id)])

    # Storing it --------------------------------------------------------------------------------
    def _leaf(self) -> Turn | None:
        """The end of the branch to reopen on (an unsent edit leaves the stored branch as it was)."""
        if self._editing is not None:
            return self._descend(self._editing)[-1]
        return self._path[-1] if self._path else None

    def save_snapshot(self, model: str = "") -> SaveSnapshot | None:
        """What to write now, to run on the store thread (None: nothing to write).

        `model` names the model of a conversation created by this save.
        """
        if not self._nodes and not self._pending_deletes:
            return None
        rows = tuple(SavedRow(t.ref, t.parent.ref if t.parent is not None else None, t.role, t.text, t.state,
                              t.figures) for t in self._nodes)
        first = self._path[:2]
        exchange_done = (len(first) == 2 and first[1].role == "assistant" and first[1] is not self._answer
                         and first[1].state is not MessageState.FAILED and bool(first[1].text.strip()))
        leaf = self._leaf()
        return SaveSnapshot(self._conversation, provisional_title(first[0].text) if first else self.title, model,
                            self.system_prompt, rows, tuple(self._pending_deletes),
                            leaf.ref if leaf is not None else None, self.title if exchange_done else "")

    def saved(self, snapshot: SaveSnapshot) -> None:
        """The store has run `snapshot`: its deletes are done (call on the owner's thread)."""
        self._pending_deletes = [r for r in self._pending_deletes if r not in snapshot.deletes]
