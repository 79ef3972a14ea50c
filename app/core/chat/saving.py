"""What a chat session writes to the conversation store, as a snapshot run on the store thread.

The session (owned by one thread, the GUI's) builds a `SaveSnapshot` of its rows; the snapshot runs
later on the store's own thread. Row ids are not known when the snapshot is built (the row may be
created by a snapshot still queued), so each row carries a `Ref` that the store thread fills in:
because store calls run in submission order, a later snapshot finds the id an earlier one wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.store import ROOT, ConversationStore, MessageState


@dataclass(eq=False)  # compared by identity: two rows with the same text are still two rows
class Ref:
    """A row id that the store thread fills in, for calls submitted after the one that creates it.

    `saved` is what the store last wrote for that row, so repeating a save writes only changes.
    Both fields are written on the store thread; the owner thread only reads `id` as a hint
    (None: not created yet, or not known yet).
    """

    id: int | None = None
    saved: tuple[str, MessageState, str] | None = None  # text, state, figures


@dataclass(eq=False)
class ConversationRef(Ref):
    """The conversation's row, with what the store thread last wrote of its title and branch."""

    title: str = ""  # the title as stored by the app (a rename by the user makes it differ)
    leaf: int | None = None  # the last message of the branch shown, as stored
    titled: bool = False  # the title made from the first exchange is written (or not wanted)


@dataclass(frozen=True)
class SavedRow:
    ref: Ref
    parent: Ref | None  # the row before it on its branch (None: it opens the conversation)
    role: str
    text: str
    state: MessageState
    figures: str = ""


@dataclass(frozen=True)
class SaveSnapshot:
    """The rows of a session at one moment, and how to bring the store up to them.

    Idempotent: rows not yet written are added, changed ones updated, removed ones deleted, so after a
    failed write (a locked database) the next snapshot catches up and nothing is lost or doubled.
    Rows come parents first, so a row's parent has its id when the row is added.
    Call it on the store thread; it only touches its own copies and the `Ref`s.
    """

    conversation: ConversationRef
    title: str  # used when the conversation row is created
    model: str
    system_prompt: str
    rows: tuple[SavedRow, ...]
    deletes: tuple[Ref, ...]
    leaf: Ref | None = None  # the last row of the branch shown
    final_title: str = ""  # the title made from the first exchange, once it is complete

    def __call__(self, store: ConversationStore) -> bool:
        """Write the changes; returns whether the conversation list changed (the row created or retitled)."""
        store.delete_messages([ref.id for ref in self.deletes if ref.id is not None])
        for ref in self.deletes:
            ref.id = None  # deleted: a repeat of this snapshot (after a later failure) deletes nothing
        conv = self.conversation
        created = False
        if self.rows and conv.id is None:
            conv.id = store.create_conversation(self.title, self.model, self.system_prompt)
            conv.title = self.title
            created = True
        if conv.id is None:
            return False
        for row in self.rows:
            ref, written = row.ref, (row.text, row.state, row.figures)
            if ref.id is None:
                parent = row.parent.id if row.parent is not None else ROOT
                ref.id = store.add_message(conv.id, row.role, row.text, row.state, parent_id=parent,
                                           figures=row.figures)
            elif ref.saved == written:
                continue
            else:
                store.update_message(ref.id, row.text, row.state, figures=row.figures)
            ref.saved = written
        if self.leaf is not None and self.leaf.id is not None and self.leaf.id != conv.leaf:
            store.set_leaf(conv.id, self.leaf.id)
            conv.leaf = self.leaf.id
        if self.final_title and not conv.titled:
            # Replaces only the title the app gave: a rename made meanwhile stays.
            written_title = store.retitle(conv.id, self.final_title, conv.title)
            conv.title = written_title or conv.title
            conv.titled = True
            return created or written_title is not None
        return created
