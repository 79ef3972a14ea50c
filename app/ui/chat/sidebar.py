"""The left column: New chat, search, and the list of stored conversations."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QListView, QMenu, QPushButton, QVBoxLayout, QWidget

from app.core.chat import ChatSession
from app.core.store import ConversationStore
from app.ui.chat.conversation_list import (
    ConversationIdRole,
    ConversationListModel,
    ConversationRow,
    MarkedDelegate,
    when,
)
from app.workers.store_worker import StoreService

SEARCH_DELAY_MS = 200  # search once typing pauses, not per key


class ConversationSidebar(QWidget):
    opened = Signal(int)  # a conversation was clicked
    deleted = Signal(int)  # a conversation was deleted from the list
    renamed = Signal(int, str)  # a conversation was renamed (stored), with its new title

    def __init__(self, store: StoreService) -> None:
        super().__init__()
        self._store = store
        self._current: int | None = None  # the conversation shown, selected again after each refresh
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 0, 6)
        self.new_button = QPushButton(self.tr("New chat"))
        self.new_button.setToolTip(self.tr("Start a new conversation (Ctrl+N)"))
        layout.addWidget(self.new_button)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS, timeout=self.refresh)
        self.search = QLineEdit(placeholderText=self.tr("Search conversations (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        layout.addWidget(self.search)
        self.list_model = ConversationListModel()
        self.list_view = QListView()
        self.list_view.setModel(self.list_model)
        self.list_view.setItemDelegate(MarkedDelegate(self.list_view))
        # F2 or a double click renames in place (a click opens the conversation).
        self.list_view.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed
                                       | QAbstractItemView.EditTrigger.DoubleClicked)
        self.list_model.rename_requested.connect(self.rename)
        self.list_view.setWordWrap(True)
        self.list_view.setSpacing(2)
        self.list_view.clicked.connect(self._clicked)
        self.list_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list_view.customContextMenuRequested.connect(self._menu)
        layout.addWidget(self.list_view, 1)

    def set_busy(self, busy: bool) -> None:
        """While an answer streams the conversation shown cannot change."""
        self.new_button.setEnabled(not busy)
        self.list_view.setEnabled(not busy)

    def refresh(self) -> None:
        query = self.search.text().strip()
        if query:
            self._store.submit(lambda store: store.search(query),
                               lambda hits: self._show_rows(
                                   [ConversationRow(h.conversation_id, h.title, h.snippet) for h in hits]))
        else:
            self._store.submit(lambda store: store.list_conversations(),
                               lambda convs: self._show_rows(
                                   [ConversationRow(c.id, c.title, when(c.updated)) for c in convs]))

    def _show_rows(self, rows: list[ConversationRow]) -> None:
        self.list_model.set_rows(rows)
        self.select(self._current)

    def select(self, conversation_id: int | None) -> None:
        self._current = conversation_id
        row = self.list_model.row_of(conversation_id)
        if row < 0:
            self.list_view.clearSelection()
        else:
            self.list_view.selectionModel().select(self.list_model.index(row),
                                                   QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _clicked(self, index) -> None:
        conversation_id = index.data(ConversationIdRole)
        if conversation_id is not None:
            self.opened.emit(conversation_id)

    def _menu(self, pos) -> None:
        index = self.list_view.indexAt(pos)
        if not index.isValid() or not self.list_view.isEnabled():
            return
        conversation_id = index.data(ConversationIdRole)
        menu = QMenu(self)
        rename = menu.addAction(self.tr("Rename"))
        delete = menu.addAction(self.tr("Delete conversation"))
        chosen = menu.exec(self.list_view.viewport().mapToGlobal(pos))
        if chosen is rename:
            self.list_view.edit(index)
        elif chosen is delete:
            self._delete(conversation_id)

    def rename(self, conversation_id: int, text: str) -> None:
        """Store the title typed (cleaned by the chat use case) and show it."""
        title = ChatSession.rename(text)
        if title is None:
            return

        def rename(store: ConversationStore) -> None:
            store.rename(conversation_id, title)

        def done(_result: None) -> None:
            self.renamed.emit(conversation_id, title)
            self.refresh()

        self._store.submit(rename, done)

    def _delete(self, conversation_id: int) -> None:
        def delete(store: ConversationStore) -> None:
            store.delete_conversation(conversation_id)

        self._store.submit(delete, lambda _r: self.refresh())
        self.deleted.emit(conversation_id)
