"""A theme switch while the app runs restyles every pane: no text left unreadable, both ways."""

from __future__ import annotations

import json

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from app.core.settings import Theme
from tests.ui.test_contrast_walk import unreadable  # WCAG AA, against the background as it is drawn


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
        assert unreadable(window) == [], type(pane).__name__

    window.ctx.update_settings(theme=second)  # as the Settings dialog does
    dark = second is Theme.DARK
    assert (QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128) == dark
    for pane in panes:
        window.tabs.setCurrentWidget(pane)
        qtbot.wait(50)  # a deferred re-polish must not undo the restyle
        assert unreadable(window) == [], type(pane).__name__
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


@pytest.mark.parametrize(("first", "second"), [(Theme.LIGHT, Theme.DARK), (Theme.DARK, Theme.LIGHT)])
def test_source_links_under_an_answer_follow_a_live_switch(qtbot, make_window, first, second) -> None:
    # Rich-text links keep the colour they were laid out with: the light theme's blue on the dark
    # background was unreadable after a switch.
    from PySide6.QtGui import QColor

    from app.core.repo.ask import Source
    from app.gui_main import apply_style_sheet
    from tests.ui.test_contrast_walk import AA, contrast

    app = QApplication.instance()
    apply_style_sheet(app)
    window = make_window(load=False, theme=first)
    window.apply_theme()
    label = window.repo.scroll.add_sources([Source("a.py", ((1, 9),))], lambda _link: None)
    window.ctx.update_settings(theme=second)
    link = QColor(QApplication.palette().color(QPalette.ColorRole.Link))
    assert f"color: {link.name()}" in label.text()
    assert contrast(link, QApplication.palette().color(QPalette.ColorRole.Window)) >= AA
    app.setStyleSheet("")


@pytest.mark.parametrize("theme", [Theme.DARK, Theme.LIGHT])
def test_disabled_text_is_greyed_in_every_text_role(qapp, theme) -> None:
    from app.ui.theme import apply_theme

    apply_theme(qapp, theme.value)
    palette = QApplication.palette()
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        enabled = palette.color(QPalette.ColorGroup.Active, role)
        disabled = palette.color(QPalette.ColorGroup.Disabled, role)
        assert disabled != enabled, role
        # Nearer the window's colour than the enabled text is: it reads as greyed out.
        window = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Window)
        assert abs(disabled.lightness() - window.lightness()) < abs(enabled.lightness() - window.lightness()), role
    apply_theme(qapp, "system")
