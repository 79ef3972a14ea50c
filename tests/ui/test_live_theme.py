"""A theme switch while the app runs restyles every pane: no text left unreadable, both ways."""

from __future__ import annotations

import json

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QLabel, QWidget

from app.core.settings import Theme


def _luminance(color: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio: 1 (none) to 21 (black on white)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _background(widget: QWidget) -> QColor:
    """The colour behind a label: the nearest ancestor that paints its own background."""
    node = widget.parentWidget()
    while node is not None:
        if node.autoFillBackground() or isinstance(node, QAbstractScrollArea):
            role = QPalette.ColorRole.Base if isinstance(node, QAbstractScrollArea) and node.viewport() is not None \
                and node.viewport().autoFillBackground() else node.backgroundRole()
            source = node.viewport() if isinstance(node, QAbstractScrollArea) and role is QPalette.ColorRole.Base else node
            return source.palette().color(role)
        node = node.parentWidget()
    return widget.window().palette().color(QPalette.ColorRole.Window)


def unreadable(pane: QWidget) -> list[str]:
    """Visible text whose colour is too close to what it is drawn on."""
    found = []
    for widget in pane.findChildren(QWidget):
        if not widget.isVisibleTo(pane):
            continue
        if isinstance(widget, QLabel) and widget.text().strip() and widget.objectName() != "codeLanguage":
            fg = widget.palette().color(widget.foregroundRole())
            bg = _background(widget)
        elif isinstance(widget, QAbstractScrollArea) and hasattr(widget, "toPlainText") and widget.toPlainText():
            fg = widget.palette().color(QPalette.ColorRole.Text)
            bg = widget.viewport().palette().color(QPalette.ColorRole.Base)
        else:
            continue
        if contrast(fg, bg) < 3.0:
            found.append(f"{type(widget).__name__} {widget.objectName() or ''} {fg.name()} on {bg.name()}")
    return found


@pytest.mark.parametrize("first,second", [(Theme.LIGHT, Theme.DARK), (Theme.DARK, Theme.LIGHT)])
def test_a_live_switch_restyles_every_pane(qtbot, make_window, tmp_path, first, second) -> None:
    from app.gui_main import apply_style_sheet

    app = QApplication.instance()
    apply_style_sheet(app)  # as at launch: the style sheet is what kept old colours after a switch
    window = make_window(load=False, theme=first)
    window.apply_theme()
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("def f():\n    return 1\n")
    window.repo.open_folder(repo)
    qtbot.waitUntil(lambda: window.repo.root is not None, timeout=20000)
    window.infill.editor.setPlainText("def area(r):\n    return 3.14 * r * r\n")
    window.infill.editor.setReadOnly(True)  # as while a suggestion is pending
    window.chat.composer.setPlainText("typed, not sent")
    panes = (window.chat, window.repo, window.infill)
    for pane in panes:
        window.tabs.setCurrentWidget(pane)
        qtbot.wait(50)
    assert [unreadable(p) for p in panes] == [[], [], []]

    window.ctx.update_settings(theme=second)  # as the Settings dialog does
    dark = second is Theme.DARK
    assert (QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128) == dark
    for pane in panes:
        window.tabs.setCurrentWidget(pane)
        qtbot.wait(50)  # a deferred re-polish must not undo the restyle
        assert unreadable(pane) == [], type(pane).__name__
    expected = window.ctx.settings.code_style_dark if dark else window.ctx.settings.code_style_light
    assert window.code_style() == expected
    # Saved on its own soon after the change, not only at a clean exit.
    settings_file = window.ctx.paths.settings_file
    qtbot.waitUntil(lambda: settings_file.exists() and json.loads(settings_file.read_text())["theme"] == second.value,
                    timeout=5000)
    app.setStyleSheet("")


def test_a_retryable_error_offers_to_try_again(qtbot, make_window) -> None:
    from app.core.errors import StoreError, UserError

    window = make_window(load=False)
    tried = []
    window.show_error(StoreError("The disk is full.", retryable=True), retry=lambda: tried.append(1))
    assert window.banner.retry_button.isVisibleTo(window)
    window.banner.retry_button.click()
    assert tried == [1] and window.banner.isHidden()
    window.show_error(StoreError("The disk is full.", retryable=True))
    assert "Trying again may work" in window.banner.label.text()
    assert not window.banner.retry_button.isVisibleTo(window)
    window.show_error(UserError("Not a GGUF file."), retry=lambda: tried.append(2))
    assert not window.banner.retry_button.isVisibleTo(window) and "Trying again" not in window.banner.label.text()
