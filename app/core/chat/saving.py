"""What a chat session writes to the conversation store, as a snapshot run on the store thread.

The session (owned by one thread, the GUI's) builds a `SaveSnapshot` of its rows; the snapshot runs
later on the store's own thread. Row ids are not known when the snapshot is built (the row may be
created by a snapshot still queued), so each row carries a `Ref` that the store thread fills in:
because store calls run in submission order, a later snapshot finds the id an earlier one wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.store import ConversationStore, MessageState


@dataclass(eq=False)  # compared by identity: two rows with the same text are still two rows
class Ref:
    """A row id that the store thread fills in, for calls submitted after the one that creates it.

    `saved` is what the store last wrote for that row, so repeating a save writes only changes.
    Both fields are written on the store thread; the owner thread only reads `id` as a hint
    (None: not created yet, or not known yet).
    """

    id: int | None = None
    saved: tuple[str, MessageState] | None = None


@dataclass(frozen=True)
class SavedRow:
    ref: Ref
    role: str
    text: str
    state: MessageState


@dataclass(frozen=True)
class SaveSnapshot:
    """The rows of a session at one moment, and how to bring the store up to them.

    Idempotent: rows not yet written are added, changed ones updated, removed ones deleted, so after a
    failed write (a locked database) the next snapshot catches up and nothing is lost or doubled.
    Call it on the store thread; it only touches its own copies and the `Ref`s.
    """

    conversation: Ref
    title: str  # used only when the conversation row is created
    model: str
    system_prompt: str
    rows: tuple[SavedRow, ...]
    deletes: tuple[Ref, ...]

    def __call__(self, store: ConversationStore) -> bool:
        """Write the changes; returns whether the conversation row was created by this call."""
        store.delete_messages([ref.id for ref in self.deletes if ref.id is not None])
        for ref in self.deletes:
            ref.id = None  # deleted: a repeat of this snapshot (after a later failure) deletes nothing
        created = False
        if self.rows and self.conversation.id is None:
            self.conversation.id = store.create_conversation(self.title, self.model, self.system_prompt)
            created = True
        for row in self.rows:
            ref = row.ref
            if ref.id is None:
                ref.id = store.add_message(self.conversation.id, row.role, row.text, row.state)
            elif ref.saved == (row.text, row.state):
                continue
            else:
                store.update_message(ref.id, row.text, row.state)
            ref.saved = (row.text, row.state)
        return created
