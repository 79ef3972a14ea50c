"""Screenshot of the real window on a virtual X screen, after a real answer has streamed.

    xvfb-run -a -s "-screen 0 1200x800x24" .venv/bin/python scripts/screenshot.py docs/chat.png
"""

from __future__ import annotations

import sys

from _shot import grab_then_close, isolated_home, open_window, output_path, run  # noqa: E402

isolated_home("cld-shot-")

from PySide6.QtCore import QTimer  # noqa: E402

QUESTION = "Write a Python function that reverses a string"


def main() -> int:
    out = output_path("chat.png")
    app, window = open_window(1200, 800)

    def ask() -> None:
        window.chat.composer.setPlainText(QUESTION)
        window.chat.send()

    window.inference.loaded.connect(lambda _info: QTimer.singleShot(300, ask))
    window.inference.finished.connect(lambda *_args: grab_then_close(app, [window], out))
    window.inference.load_failed.connect(lambda msg: (print(msg), app.exit(1)))
    return run(app, window)


if __name__ == "__main__":
    sys.exit(main())
