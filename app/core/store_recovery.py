"""Carrying what is readable out of a damaged conversation database into a fresh one.

The fresh database is built beside the damaged one under a temporary name and only then swapped
in, so a crash at any point leaves either the damaged file (recovered again on the next open) or
a complete fresh one (`finish_interrupted`). Row ids are kept: the GUI holds them for the open
conversation, and its next save must land on the same rows.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from app.core.sqlite_recovery import (
    discard,
    distrust_schema,
    fsync_directory,
    is_irregular,
    lexists,
    move_aside,
    readable_rows,
    remove_database,
    side_files,
)

log = logging.getLogger(__name__)

CONVERSATION_COLUMNS = ["id", "title", "created", "updated", "model", "system_prompt", "leaf_id"]
MESSAGE_COLUMNS = ["id", "conversation_id", "role", "content", "state", "created", "parent_id", "figures"]
RECOVERED_TITLE = "Recovered conversation"


@dataclass(frozen=True)
class Salvage:
    conversations: int  # conversation rows read back
    messages: int
    placeholders: int  # conversations re-created because only their messages could be read
    unreadable: int  # rows read but not valid enough to keep


def building_path(path: Path) -> Path:
    return path.with_name(path.name + ".recovering")


def set_aside_irregular(path: Path) -> Path | None:
    """Make way for a database when what is at `path` or beside it is not a regular file.

    A FIFO, a directory, a socket or a link to anything but a regular file at `path` is renamed
    aside like a damaged database (returned; nothing is opened or deleted) and a fresh database
    starts; such a thing at a side file (-wal, -shm, -journal) holds no data and is removed (a
    directory there is renamed aside). A link to a regular database is the user's own layout and
    is kept; SQLite keeps that database's side files beside its target, so those are checked.
    Only lstat and stat are used: a FIFO is never opened, so nothing here can block.
    """
    aside = None
    if is_irregular(path) and not (path.is_symlink() and _is_regular_target(path)):
        aside = move_aside(path)
        log.error("%s is not a regular file; moved it aside to %s and starting a fresh database", path, aside)
    real = Path(os.path.realpath(path)) if path.is_symlink() else path
    for side in {*side_files(path), *side_files(real)}:
        if not is_irregular(side):
            continue
        log.error("%s is not a regular file (it cannot hold SQLite's data); removing it", side)
        if side.is_dir() and not side.is_symlink():
            side.rename(side.with_name(f"{side.name}.corrupt-{int(time.time())}"))
        else:
            discard(side)
    return aside


def _is_regular_target(path: Path) -> bool:
    return path.is_file()  # stat follows the link without opening what it points to


def finish_interrupted(path: Path) -> None:
    """Complete or discard a recovery that a crash cut short."""
    building = building_path(path)
    if not lexists(building):
        return
    if lexists(path) or is_irregular(building):  # the crash came while salvaging, or it is not ours
        remove_database(building)
    else:  # the damaged file was already moved aside: the fresh one is complete
        os.replace(building, path)
        log.warning("finished an interrupted recovery of %s", path)


def recover(path: Path, schema: str, version: int) -> tuple[Path, Salvage]:
    """Salvage `path` into a fresh database that takes its place; returns where the damaged file went."""
    building = building_path(path)
    salvage = salvage_into(path, building, schema, version)
    aside = move_aside(path)
    os.replace(building, path)
    fsync_directory(path.parent)
    return aside, salvage


def salvage_into(src: Path, dst: Path, schema: str, version: int) -> Salvage:
    remove_database(dst)
    out = sqlite3.connect(dst, isolation_level=None)
    try:
        out.execute("PRAGMA foreign_keys = ON")
        out.executescript(schema)
        out.execute(f"PRAGMA user_version = {version}")
        out.execute("BEGIN")
        if is_irregular(src) and not (src.is_symlink() and src.is_file()):  # a FIFO...: never opened
            log.error("%s is not a regular file; nothing can be salvaged from it", src)
            out.execute("COMMIT")
            return Salvage(0, 0, 0, 0)
        try:
            source = sqlite3.connect(src, isolation_level=None)
            distrust_schema(source)
        except sqlite3.Error as exc:
            log.error("the damaged database %s cannot be read at all: %s", src, exc)
            out.execute("COMMIT")
            return Salvage(0, 0, 0, 0)
        try:
            salvage = _copy(source, out)
        finally:
            source.close()
        out.execute("COMMIT")  # the triggers have filled the full-text index from the copied messages
    finally:
        out.close()
    log.warning("salvaged %s from %s", salvage, src)
    return salvage


def _present_columns(source: sqlite3.Connection, table: str) -> set[str]:
    try:
        return {str(row[1]).lower() for row in source.execute(f"PRAGMA table_info({table})")}
    except sqlite3.DatabaseError as exc:
        log.error("the columns of %s cannot be read: %s", table, exc)
        return set()


def _rows(source: sqlite3.Connection, table: str, columns: list[str], defaults: dict[str, object]):
    """Every readable row of `table` as a dict of `columns`: the missing ones (or NULL) get their default.

    A hostile or foreign file may lack columns; only those it has are read. Without an `id`
    column the rowid stands in for it.
    """
    present = _present_columns(source, table)
    if not present:
        return
    read = [c for c in columns if c in present]
    if "id" not in present:
        read.append("rowid AS id")
    names = [c.split()[-1] for c in read]
    if len(read) < len(columns):
        log.warning("table %s lacks columns %s; salvaging the others", table,
                    sorted(set(columns) - present))
    for values in readable_rows(source, table, read):
        row = dict(zip(names, values))
        for column, default in defaults.items():
            if row.get(column) is None:
                row[column] = default() if callable(default) else default
        yield row


def _copy(source: sqlite3.Connection, out: sqlite3.Connection) -> Salvage:
    known: set[int] = set()
    unreadable = 0
    now = time.time()
    conv_defaults: dict[str, object] = {"title": RECOVERED_TITLE, "created": now, "model": "", "system_prompt": ""}
    for row in _rows(source, "conversations", CONVERSATION_COLUMNS, conv_defaults):
        if row.get("updated") is None:
            row["updated"] = row["created"]
        values = tuple(row.get(c) for c in CONVERSATION_COLUMNS)
        try:
            out.execute(f"INSERT INTO conversations({', '.join(CONVERSATION_COLUMNS)}) "
                        f"VALUES ({','.join('?' * len(values))})", values)
        except (sqlite3.Error, OverflowError):
            unreadable += 1
            continue
        known.add(values[0])
    conversations = len(known)
    messages = 0
    placeholders: set[int] = set()
    # Without a role column every message is kept as the user's: its text matters more than its side.
    msg_defaults: dict[str, object] = {"role": "user", "state": "complete", "created": now, "figures": ""}
    # A message whose parent was lost (or a file from before branches) follows the last message kept
    # of its conversation: the branch stays one readable line.
    has_parents = "parent_id" in _present_columns(source, "messages")
    copied: set[int] = set()
    last_of: dict[int, int] = {}
    for row in _rows(source, "messages", MESSAGE_COLUMNS, msg_defaults):
        parent = row.get("parent_id")
        if not has_parents or (parent is not None and parent not in copied):
            row["parent_id"] = last_of.get(row["conversation_id"]) if row.get("conversation_id") is not None else None
        values = tuple(row.get(c) for c in MESSAGE_COLUMNS)
        conversation_id, role, content, created = values[1], values[2], values[3], values[5]
        if conversation_id is None or content is None:
            unreadable += 1
            continue
        try:
            if conversation_id not in known:
                # Its conversation's row was on a lost page: keep the messages under a new one.
                title = " ".join(str(content).split())[:60] if role == "user" else ""
                out.execute("INSERT INTO conversations(id, title, created, updated) VALUES (?,?,?,?)",
                            (conversation_id, title or RECOVERED_TITLE, created, created))
                known.add(conversation_id)
                placeholders.add(conversation_id)
            out.execute(f"INSERT INTO messages({', '.join(MESSAGE_COLUMNS)}) "
                        f"VALUES ({','.join('?' * len(values))})", values)
        except (sqlite3.Error, OverflowError):
            unreadable += 1
            continue
        messages += 1
        copied.add(values[0])
        last_of[conversation_id] = values[0]
    for conversation_id in placeholders:  # sorted by their last message, as the others are
        out.execute("UPDATE conversations SET updated = (SELECT max(created) FROM messages "
                    "WHERE conversation_id = ?) WHERE id = ?", (conversation_id, conversation_id))
    return Salvage(conversations, messages, len(placeholders), unreadable)
