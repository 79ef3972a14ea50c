"""What the screenshot scripts share: an isolated app home, and a grab of the X screen."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def isolated_home(prefix: str) -> None:
    """Run from the repository on a throwaway CODELLAMA_DESKTOP_HOME (before the app is imported)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("CODELLAMA_DESKTOP_HOME", tempfile.mkdtemp(prefix=prefix))


def grab_then_close(app, windows: list, out: Path, delay_ms: int = 800) -> None:
    """After `delay_ms` (the last repaint), save what the X server shows and close `windows`."""
    from PySide6.QtCore import QTimer

    def grab() -> None:
        app.primaryScreen().grabWindow(0).save(str(out))  # the real screen, not a widget render
        print(f"saved {out} on platform {app.platformName()}")
        for window in windows:
            window.close()

    QTimer.singleShot(delay_ms, grab)


def output_path(default: str) -> Path:
    return Path(sys.argv[1] if len(sys.argv) > 1 else default)


def open_window(width: int, height: int, tab: str = ""):
    """The real app's main window at the screen's corner, on pane `tab` ("repo", "infill"); (app, window)."""
    from app.gui_main import launch

    app, window = launch()
    window.resize(width, height)
    window.move(0, 0)
    if tab:
        window.tabs.setCurrentWidget(getattr(window, tab))
    return app, window


def run(app, window) -> int:
    """Run until the grab closes the window, then stop the worker threads."""
    code = app.exec()
    window.shutdown()
    return code


class Steps:
    """Runs each step once its condition holds, polling on the GUI thread (nothing blocks it); the
    window closes after the last one."""

    def __init__(self, window) -> None:
        self.window = window
        self.steps: list[tuple[callable, callable]] = []

    def then(self, ready, action) -> Steps:
        self.steps.append((ready, action))
        return self

    def start(self) -> None:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(300, self._tick)

    def _tick(self) -> None:
        from PySide6.QtCore import QTimer

        if not self.steps:
            self.window.close()
            return
        ready, action = self.steps[0]
        if ready():
            self.steps.pop(0)
            action()
            QTimer.singleShot(900, self._tick)  # let the repaint after the action settle
        else:
            QTimer.singleShot(200, self._tick)
