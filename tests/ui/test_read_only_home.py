"""The window on a read-only home says conversations cannot be saved, once, and chat still works."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PySide6.QtCore import Qt

from tests.integration.test_cli import cli
from tests.integration.test_cli_bad_input import needs_root, tmpfs


@needs_root
def test_window_on_a_read_only_home_says_so_and_chats(qtbot, make_window, app_home: Path) -> None:
    with tmpfs(app_home, "16m"):
        assert cli("doctor", home=app_home).returncode == 0  # the folders exist, empty
        subprocess.run(["mount", "-o", "remount,ro", str(app_home)], check=True)
        window = make_window()
        qtbot.waitUntil(lambda: not window.banner.isHidden(), timeout=20000)
        assert "cannot be saved" in window.banner.label.text() and "read-only" in window.banner.label.text()
        window.chat.composer.setPlainText("Say hi")
        with qtbot.waitSignal(window.inference.finished, timeout=60000):
            qtbot.keyClick(window.chat.composer, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        answer = window.chat.entries[-1]
        assert answer.role == "assistant" and answer.text.strip()


def test_the_same_error_is_shown_once(qtbot, make_window, monkeypatch) -> None:
    window = make_window(load=False)
    shown: list[str] = []
    real = window.banner.show_message
    monkeypatch.setattr(window.banner, "show_message", lambda m: (shown.append(m), real(m)))
    for message in ("Disk is read-only.", "Disk is read-only.", "Another problem.", "Disk is read-only."):
        window.show_error(message)
    assert shown == ["Disk is read-only.", "Another problem.", "Disk is read-only."]


def test_a_broken_user_manifest_is_shown_and_the_app_starts(qtbot, make_window, app_home: Path) -> None:
    (app_home / "config").mkdir(parents=True, exist_ok=True)
    (app_home / "config" / "models_manifest.toml").write_text("[[models]\n")
    window = make_window(load=False)
    assert not window.banner.isHidden() and "models_manifest.toml" in window.banner.label.text()
    assert window.ctx.manifest.embedded is not None
