"""Screenshot of the real window on a virtual X screen, after a real answer has streamed.

    xvfb-run -a -s "-screen 0 1280x860x24" .venv/bin/python scripts/screenshot.py docs/chat.png
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("CODELLAMA_DESKTOP_HOME", tempfile.mkdtemp(prefix="cld-shot-"))

from PySide6.QtCore import QTimer  # noqa: E402

from app.gui_main import launch  # noqa: E402

QUESTION = "Write a Python function that reverses a string"


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "chat.png")
    app, window = launch()
    window.resize(1200, 800)
    window.move(0, 0)

    def ask() -> None:
        window.chat.composer.setPlainText(QUESTION)
        window.chat.send()

    def shoot(*_args) -> None:
        def grab() -> None:
            screen = app.primaryScreen()
            screen.grabWindow(0).save(str(out))  # what the X server shows, not a widget render
            print(f"saved {out} on platform {app.platformName()}")
            window.close()

        QTimer.singleShot(800, grab)

    window.inference.loaded.connect(lambda _info: QTimer.singleShot(300, ask))
    window.inference.finished.connect(shoot)
    window.inference.load_failed.connect(lambda msg: (print(msg), app.exit(1)))
    code = app.exec()
    window.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
