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
