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
from dataclasses import dataclass
from pathlib import Path

from app.core.sqlite_recovery import fsync_directory, move_aside, readable_rows, remove_database

log = logging.getLogger(__name__)

CONVERSATION_COLUMNS = ["id", "title", "created", "updated", "model", "system_prompt"]
MESSAGE_COLUMNS = ["id", "conversation_id", "role", "content", "state", "created"]
RECOVERED_TITLE = "Recovered conversation"


@dataclass(frozen=True)
class Salvage:
    conversations: int  # conversation rows read back
    messages: int
    placeholders: int  # conversations re-created because only their messages could be read
    unreadable: int  # rows read but not valid enough to keep


def building_path(path: Path) -> Path:
    return path.with_name(path.name + ".recovering")


def finish_interrupted(path: Path) -> None:
    """Complete or discard a recovery that a crash cut short."""
    building = building_path(path)
    if not building.exists():
        return
    if path.exists():  # the crash came while salvaging: the damaged file is still in place
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
        try:
            source = sqlite3.connect(src, isolation_level=None)
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


def _copy(source: sqlite3.Connection, out: sqlite3.Connection) -> Salvage:
    known: set[int] = set()
    unreadable = 0
    for row in readable_rows(source, "conversations", CONVERSATION_COLUMNS):
        try:
            out.execute(f"INSERT INTO conversations({', '.join(CONVERSATION_COLUMNS)}) VALUES (?,?,?,?,?,?)", row)
        except (sqlite3.Error, OverflowError):
            unreadable += 1
            continue
        known.add(row[0])
    conversations = len(known)
    messages = 0
    placeholders: set[int] = set()
    for row in readable_rows(source, "messages", MESSAGE_COLUMNS):
        conversation_id, role, content, created = row[1], row[2], row[3], row[5]
        try:
            if conversation_id not in known:
                # Its conversation's row was on a lost page: keep the messages under a new one.
                title = " ".join(str(content).split())[:60] if role == "user" else ""
                out.execute("INSERT INTO conversations(id, title, created, updated) VALUES (?,?,?,?)",
                            (conversation_id, title or RECOVERED_TITLE, created, created))
                known.add(conversation_id)
                placeholders.add(conversation_id)
            out.execute(f"INSERT INTO messages({', '.join(MESSAGE_COLUMNS)}) VALUES (?,?,?,?,?,?)", row)
        except (sqlite3.Error, OverflowError):
            unreadable += 1
            continue
        messages += 1
    for conversation_id in placeholders:  # sorted by their last message, as the others are
        out.execute("UPDATE conversations SET updated = (SELECT max(created) FROM messages "
                    "WHERE conversation_id = ?) WHERE id = ?", (conversation_id, conversation_id))
    return Salvage(conversations, messages, len(placeholders), unreadable)
