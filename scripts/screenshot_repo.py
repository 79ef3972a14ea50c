"""Screenshot of the repository pane after a real question about this repository.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshot_repo.py docs/repo.png
"""

from __future__ import annotations

import sys
from pathlib import Path

from _shot import ROOT, grab_then_close, isolated_home  # noqa: E402

isolated_home("cld-repo-shot-")

from PySide6.QtCore import QTimer  # noqa: E402

from app.gui_main import launch  # noqa: E402

QUESTION = "Where does the downloader retry after a dropped connection?"


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "repo.png")
    app, window = launch()
    window.resize(1280, 800)
    window.move(0, 0)
    window.tabs.setCurrentWidget(window.repo)
    pane = window.repo
    asked = {"done": False}

    def maybe_ask() -> None:
        if pane._root is None or window.inference.info is None:
            QTimer.singleShot(200, maybe_ask)
            return
        if not asked["done"]:
            asked["done"] = True
            pane.question.setPlainText(QUESTION)
            pane.ask()

    window.inference.finished.connect(lambda *_args: grab_then_close(app, [window], out))
    pane.open_folder(ROOT)
    QTimer.singleShot(500, maybe_ask)
    code = app.exec()
    window.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
