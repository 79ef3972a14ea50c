"""Exporting a conversation as Markdown: the file is asked for here, written on the store thread."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QFileDialog, QWidget

from app.core.chat import ChatSession
from app.core.errors import UserError
from app.core.store import ConversationStore
from app.ui.i18n import resolve
from app.workers.store_worker import StoreService


def safe_name(text: str) -> str:
    """A file name from a conversation's first words."""
    cleaned = "".join(ch if ch.isalnum() or ch in "-_ " else " " for ch in text)[:40].strip()
    return "-".join(cleaned.split()) or "chat"


def export_conversation(parent: QWidget, session: ChatSession, store: StoreService, status: Callable[[str], None],
                        show_error: Callable[[UserError | str], None]) -> None:
    conv = session.conversation
    if conv.id is None:
        status(QCoreApplication.translate("ChatExport", "Nothing to export yet."))
        return
    turns = session.turns
    suggested = str(Path.home() / f"{safe_name(turns[0].text if turns else 'chat')}.md")
    path, _ = QFileDialog.getSaveFileName(parent, QCoreApplication.translate("ChatExport", "Export conversation"),
                                          suggested, QCoreApplication.translate("ChatExport", "Markdown (*.md)"))
    if not path:
        return

    def write(db: ConversationStore) -> str:
        Path(path).write_text(db.export_markdown(conv.id), encoding="utf-8")
        return path

    def failed(error: UserError | str) -> None:
        reason = resolve(error.message if isinstance(error, UserError) else error)
        show_error(QCoreApplication.translate("ChatExport", "Export failed: {reason}").format(reason=reason))

    store.submit(write, lambda p: status(QCoreApplication.translate("ChatExport", "Exported to {path}").format(path=p)),
                 failed)
