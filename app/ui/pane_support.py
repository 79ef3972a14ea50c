"""What every pane does the same way: the send and stop keys, and the model-loaded guard."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from app.core.engine import EngineInfo
from app.core.errors import ModelNotLoadedError, UserError

SEND_KEYS = ("Ctrl+Return", "Ctrl+Enter")  # Return on the main keyboard, Enter on the keypad
STOP_KEY = "Esc"


def bind_keys(widget: QWidget, bindings: dict[str, Callable[[], object]]) -> list[QShortcut]:
    """Shortcuts active while focus is anywhere inside `widget` (so two panes never clash)."""
    shortcuts = []
    for keys, slot in bindings.items():
        shortcut = QShortcut(QKeySequence(keys), widget)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)
        shortcuts.append(shortcut)
    return shortcuts


def bind_send_and_stop(widget: QWidget, send: Callable[[], object], stop: Callable[[], object]) -> list[QShortcut]:
    """Ctrl+Enter sends and Esc stops, the same in every pane."""
    return bind_keys(widget, {**{keys: send for keys in SEND_KEYS}, STOP_KEY: stop})


def loaded_model(info: EngineInfo | None, show_error: Callable[[UserError], None], kept: str = "") -> EngineInfo | None:
    """The loaded model's info, or None after telling the user (once, in the one error place) to wait."""
    if info is None:
        show_error(ModelNotLoadedError(kept))
    return info
