"""Keyboard shortcuts: no key sequence with two owners in any window, and the keys do what they say.

Qt calls a key sequence ambiguous when two enabled shortcuts for it are active for the same focus
widget, and then fires neither (Ctrl+N and Ctrl+Shift+S did nothing in the Chat tab: the File menu
and the chat pane both bound them). The walk below finds every QAction and QShortcut of every
window, works out where each is active from its context (window, widget with children, widget,
application), and reports two owners of one sequence whose scopes meet.
"""

from __future__ import annotations

from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QWidget


@dataclass(frozen=True)
class Binding:
    keys: str
    context: Qt.ShortcutContext
    owner: QWidget  # the widget whose focus chain the context is measured from
    what: str

    @property
    def root(self) -> QWidget:
        """The widget whose subtree the shortcut is active in (itself only for WidgetShortcut)."""
        return self.owner.window() if self.context is Qt.ShortcutContext.WindowShortcut else self.owner


def _action_owners(action: QAction, seen: set[int] | None = None) -> list[QWidget]:
    """The widgets an action's shortcut is measured from: a menu's action counts where the menu is shown from."""
    seen = seen if seen is not None else set()
    owners: list[QWidget] = []
    for obj in action.associatedObjects():
        if id(obj) in seen or not isinstance(obj, QWidget):
            continue
        seen.add(id(obj))
        if isinstance(obj, QMenu):
            owners += _action_owners(obj.menuAction(), seen)
        else:
            owners.append(obj)
    if not owners and isinstance(action.parent(), QWidget):
        owners.append(action.parent())
    return owners


def bindings(window: QWidget) -> list[Binding]:
    found: list[Binding] = []
    for shortcut in window.findChildren(QShortcut):
        owner = shortcut.parent()
        if shortcut.isEnabled() and isinstance(owner, QWidget):
            for keys in shortcut.keys():
                found.append(Binding(keys.toString(QKeySequence.SequenceFormat.PortableText), shortcut.context(),
                                     owner, f"QShortcut on {type(owner).__name__} {owner.objectName()}"))
    actions = {id(a): a for a in window.findChildren(QAction) + window.actions()}
    for action in actions.values():
        if not shiboken6.isValid(action):
            continue  # a wrapper whose C++ action Qt already freed (a closed dialog's): it binds nothing
        for owner in _action_owners(action):
            for keys in action.shortcuts():
                found.append(Binding(keys.toString(QKeySequence.SequenceFormat.PortableText), action.shortcutContext(),
                                     owner, f"QAction {action.text()!r}"))
    return [b for b in found if b.keys]


def _contains(root: QWidget, widget: QWidget) -> bool:
    """Whether `widget` is `root` or inside it, within one window (a child window is a window of its own)."""
    node: QObject | None = widget
    while isinstance(node, QWidget):
        if node is root:
            return True
        if node.isWindow():
            return False
        node = node.parentWidget()
    return False


def overlap(a: Binding, b: Binding) -> bool:
    if Qt.ShortcutContext.ApplicationShortcut in (a.context, b.context):
        return True
    if a.context is Qt.ShortcutContext.WidgetShortcut and b.context is Qt.ShortcutContext.WidgetShortcut:
        return a.owner is b.owner
    if a.context is Qt.ShortcutContext.WidgetShortcut:
        return _contains(b.root, a.owner)
    if b.context is Qt.ShortcutContext.WidgetShortcut:
        return _contains(a.root, b.owner)
    return _contains(a.root, b.root) or _contains(b.root, a.root)


def ambiguous(windows: list[QWidget]) -> list[str]:
    every = [b for window in windows for b in bindings(window)]
    clashes = []
    for i, a in enumerate(every):
        for b in every[i + 1:]:
            if a.keys == b.keys and a.owner is not b.owner and overlap(a, b):
                clashes.append(f"{a.keys}: {a.what} and {b.what}")
            elif a.keys == b.keys and a.owner is b.owner and a.what != b.what:
                clashes.append(f"{a.keys}: {a.what} and {b.what} on one widget")
    return clashes


def every_window(window) -> list[QWidget]:
    """The main window with the Settings and Models windows open, and any other window the app made."""
    window.open_settings()
    window.open_models()
    windows = [w for w in QApplication.topLevelWidgets() if w.isWindow() and not isinstance(w, QMenu)]
    assert window.settings_window in windows and window.models_window in windows
    return windows


def test_no_key_sequence_has_two_owners_in_any_window(qtbot, make_window) -> None:
    window = make_window(load=False)
    windows = every_window(window)
    found = {b.keys for w in windows for b in bindings(w)}
    assert {"Ctrl+N", "Ctrl+Shift+S", "Ctrl+,", "Ctrl+Return", "Esc", "Ctrl+R"} <= found  # the walk sees them
    assert ambiguous(windows) == []


def test_the_walk_finds_a_clash_like_the_one_that_broke_ctrl_n(qtbot, make_window) -> None:
    window = make_window(load=False)
    clash = QShortcut(QKeySequence("Ctrl+N"), window.chat)
    clash.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    other_pane = QShortcut(QKeySequence("Ctrl+Shift+C"), window.chat)  # the infill pane's key, in another pane
    other_pane.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    found = ambiguous(every_window(window))
    assert len(found) == 1 and found[0].startswith("Ctrl+N: ") and "New chat" in found[0]


def _activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)


def _press(widget: QWidget, keys: str) -> None:
    sequence = QKeySequence(keys)[0]
    QTest.keyClick(widget, sequence.key(), sequence.keyboardModifiers())


def test_the_keys_work_in_the_chat_tab_and_from_the_others(qtbot, make_window) -> None:
    window = make_window(load=False)
    _activate(qtbot, window)
    window.tabs.setCurrentWidget(window.chat)
    window.chat.session.add_user("a question not sent")
    assert window.chat.entries
    window.chat.composer.setFocus()
    _press(window.chat.composer, "Ctrl+N")
    assert window.chat.entries == []  # a new conversation

    with qtbot.waitSignal(window.chat.status, timeout=3000) as status:
        _press(window.chat.composer, "Ctrl+Shift+S")
    assert "export" in status.args[0].lower()  # nothing to export yet: the key reached the export

    _press(window.chat.composer, "Ctrl+F")
    assert window.chat.search.hasFocus()  # the pane's own keys still work

    window.tabs.setCurrentWidget(window.repo)
    window.chat.session.add_user("another")
    _press(window.repo.question, "Ctrl+N")
    assert window.tabs.currentWidget() is window.chat and window.chat.entries == []  # from any tab


def test_settings_and_models_keys_open_their_windows(qtbot, make_window) -> None:
    window = make_window(load=False)
    _activate(qtbot, window)
    window.chat.composer.setFocus()
    _press(window.chat.composer, "Ctrl+,")
    assert window.settings_window is not None and window.settings_window.isVisible()
    window.settings_window.close()
    _activate(qtbot, window)
    _press(window.chat.composer, "Ctrl+M")
    assert window.models_window is not None and window.models_window.isVisible()
    assert [a.text() for a in window.menuBar().actions()[0].menu().actions()].count("&Settings…") == 1
