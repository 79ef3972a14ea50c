"""Screenshot of the repository pane after a real question about this repository.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshot_repo.py docs/repo.png
"""

from __future__ import annotations

import sys

from _shot import ROOT, grab_then_close, isolated_home, open_window, output_path, run  # noqa: E402

isolated_home("cld-repo-shot-")

from PySide6.QtCore import QTimer  # noqa: E402

QUESTION = "Where does the downloader retry after a dropped connection?"


def main() -> int:
    out = output_path("repo.png")
    app, window = open_window(1280, 800, "repo")
    pane = window.repo
    asked = {"done": False}

    def maybe_ask() -> None:
        if pane.root is None or window.inference.info is None:
            QTimer.singleShot(200, maybe_ask)
            return
        if not asked["done"]:
            asked["done"] = True
            pane.question.setPlainText(QUESTION)
            pane.ask()

    window.inference.finished.connect(lambda *_args: grab_then_close(app, [window], out))
    pane.open_folder(ROOT)
    QTimer.singleShot(500, maybe_ask)
    return run(app, window)


if __name__ == "__main__":
    sys.exit(main())
