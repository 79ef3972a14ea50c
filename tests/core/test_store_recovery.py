"""A damaged or locked conversation database, on real SQLite files, never stops a save."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.core import sqlite_recovery
from app.core.store import ConversationStore, StoreBusyError
from app.core.store_recovery import building_path, finish_interrupted

ROOT = Path(__file__).resolve().parents[2]
PAGE = 4096


def fill(path: Path, conversations: int = 30, per: int = 12, prompt: str = "") -> dict[int, list[str]]:
    """A database with enough text that the full-text index spans many pages; {conversation: texts}."""
    store = ConversationStore(path)
    made: dict[int, list[str]] = {}
    for i in range(conversations):
        cid = store.create_conversation(f"Conversation {i}", system_prompt=prompt)
        made[cid] = []
        for j in range(per):
            text = f"note{i}x{j} quicksort pivot partition " + " ".join(f"word{i}_{j}_{k}" for k in range(40))
            store.add_message(cid, "user" if j % 2 == 0 else "assistant", text)
            made[cid].append(text)
    store.close()  # the last connection checkpoints: everything is in the main file
    return made


def pages_of(path: Path, table: str, kind: str | None = None) -> list[int]:
    db = sqlite3.connect(path)
    try:
        try:
            sql = "SELECT pageno FROM dbstat WHERE name = ?" + (" AND pagetype = ?" if kind else "") + " ORDER BY pageno"
            pages = [p for (p,) in db.execute(sql, (table, kind) if kind else (table,))]
        except sqlite3.OperationalError:  # no dbstat in this build: the table's root page is known anyway
            pages = [p for (p,) in db.execute("SELECT rootpage FROM sqlite_schema WHERE name = ?", (table,))]
    finally:
        db.close()
    assert pages, table
    return pages


def smash(path: Path, pages: list[int]) -> None:
    rng = random.Random(5)
    with open(path, "r+b") as f:
        for page in pages:
            f.seek((page - 1) * PAGE)
            f.write(rng.randbytes(PAGE))


def all_messages(store: ConversationStore) -> dict[int, str]:
    return {m.id: m.content for c in store.list_conversations() for m in store.messages(c.id)}


def test_damaged_full_text_index_found_at_open_is_salvaged(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    made = fill(path)
    smash(path, pages_of(path, "messages_fts_data"))
    damaged = path.read_bytes()
    store = ConversationStore(path)
    try:
        assert store.recovered_from is not None and store.recovered_from.read_bytes() == damaged  # kept as it was
        assert store.salvage is not None and store.salvage.messages == sum(len(t) for t in made.values())
        first = next(iter(made))
        new_id = store.add_message(first, "user", "a brand new question about heapsort")
        assert store.messages(first)[-1].id == new_id
        assert sorted(all_messages(store).values()) == sorted([t for ts in made.values() for t in ts]
                                                              + ["a brand new question about heapsort"])
        # The full-text index was rebuilt from the salvaged messages, and follows new ones.
        assert [h.conversation_id for h in store.search("note3x5")] == [list(made)[3]]
        assert [h.conversation_id for h in store.search("heapsort")] == [first]
    finally:
        store.close()


def test_damage_found_by_a_save_is_repaired_and_the_save_succeeds(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.sqlite3"
    made = fill(path)
    before = ConversationStore(path)
    ids_before = all_messages(before)
    before.close()
    smash(path, pages_of(path, "messages_fts_data"))
    monkeypatch.setattr(sqlite_recovery, "CHECK_AT_OPEN_MAX_BYTES", 0)  # as for a file too big to check at open
    store = ConversationStore(path)
    try:
        assert store.recovered_from is None  # opened fine: the damage is not seen yet
        first = next(iter(made))
        new_id = store.add_message(first, "assistant", "saved after all")  # hits the damaged index
        assert store.recovered_from is not None and store.recovered_from.exists()
        after = all_messages(store)
        assert after[new_id] == "saved after all"
        assert {k: v for k, v in after.items() if k != new_id} == ids_before  # same rows, same ids
        assert store.search("saved") and store.search("note0x1")
        store.add_message(first, "user", "and the next save too")
    finally:
        store.close()
    files = sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".sqlite3")
    assert len(files) == 2 and files[0].startswith("c.corrupt-")  # one damaged copy kept, one live


def test_damaged_conversations_page_keeps_what_is_readable(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    made = fill(path, conversations=30, per=2, prompt="system prompt " * 100)  # several conversation pages
    leaves = pages_of(path, "conversations", "leaf")
    assert len(leaves) >= 4
    lost_page = leaves[len(leaves) // 2]
    smash(path, [lost_page])
    store = ConversationStore(path)
    try:
        assert store.recovered_from is not None
        listed = {c.id: c for c in store.list_conversations()}
        assert set(listed) == set(made)  # every conversation with readable messages is listed
        kept = [c for c in listed.values() if c.title.startswith("Conversation ")]
        rebuilt = [c for c in listed.values() if not c.title.startswith("Conversation ")]
        assert kept and rebuilt and len(kept) > len(rebuilt)  # only the damaged page's rows were re-created
        assert all(c.system_prompt.startswith("system prompt") for c in kept)
        assert all(c.title.startswith("note") for c in rebuilt)  # titled after their first question
        lost = rebuilt[0].id
        assert [m.content for m in store.messages(lost)] == made[lost]
        assert [h.conversation_id for h in store.search(made[lost][0].split()[0])] == [lost]
        assert [h.conversation_id for h in store.search(kept[0].title)] == [kept[0].id]
    finally:
        store.close()


def test_damaged_message_pages_lose_only_their_rows(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    made = fill(path)
    leaves = pages_of(path, "messages", "leaf")
    smash(path, leaves[3:5])
    store = ConversationStore(path)
    try:
        kept = all_messages(store)
        total = sum(len(t) for t in made.values())
        assert total - 40 < len(kept) < total  # two pages' rows lost, the rest read around them
        assert set(kept.values()) <= {t for ts in made.values() for t in ts}
        assert max(kept) == total  # rows after the damage were read too
    finally:
        store.close()


def test_recovery_cut_by_a_crash_is_finished_on_the_next_open(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    fill(path, conversations=2, per=2)
    building = building_path(path)
    path.rename(building)  # as if the crash came after the damaged file was moved aside
    finish_interrupted(path)
    store = ConversationStore(path)
    try:
        assert len(store.list_conversations()) == 2 and not building.exists()
    finally:
        store.close()


HOLDER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
db.execute("ROLLBACK")
db.close()
"""


def test_database_locked_at_open_is_waited_for(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"  # a new file, exclusively locked: not even readable
        told: list[StoreBusyError] = []

        def busy(exc: StoreBusyError) -> None:
            if not told:  # the store says it waits: let the other program finish
                holder.stdin.write("done\n")
                holder.stdin.flush()
            told.append(exc)

        store = ConversationStore(path, busy_timeout_s=0.1, open_wait_s=60, on_busy=busy)
        try:
            assert told and "locked" in told[0].message and told[0].retryable
            cid = store.create_conversation("after the wait")
            store.add_message(cid, "user", "hello")
            assert [c.title for c in store.list_conversations()] == ["after the wait"]
        finally:
            store.close()
    finally:
        holder.kill()
        holder.wait()


def test_write_waits_for_a_lock_held_by_another_connection(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    blocker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    released: list[bool] = []

    def release(_exc: StoreBusyError) -> None:
        if not released:
            blocker.execute("ROLLBACK")
            released.append(True)

    store = ConversationStore(path, busy_timeout_s=30, on_busy=release)
    try:
        cid = store.create_conversation("x")
        blocker.execute("BEGIN EXCLUSIVE")
        store.add_message(cid, "user", "waited for")
        assert released and [m.content for m in store.messages(cid)] == ["waited for"]
    finally:
        store.close()
        blocker.close()


def test_a_lock_that_is_never_released_gives_up_in_bounded_time(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    waits: list[StoreBusyError] = []
    try:
        with pytest.raises(StoreBusyError, match="locked"):
            ConversationStore(path, busy_timeout_s=0.05, open_wait_s=0.3, on_busy=waits.append)
        assert waits  # it did try again before giving up
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
