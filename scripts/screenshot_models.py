"""Screenshot of the Models window during a download from a local stand-in for the hub.

    xvfb-run -a -s "-screen 0 1100x700x24" .venv/bin/python scripts/screenshot_models.py docs/models.png

The hub is the test suite's FakeHub on 127.0.0.1 serving the embedded model's bytes under a real
manifest name (no network here); the download is rate-limited so the screenshot catches it midway.
"""

from __future__ import annotations

import sys
from pathlib import Path

from _shot import grab_then_close, isolated_home  # noqa: E402

isolated_home("cld-models-shot-")

from PySide6.QtCore import QTimer  # noqa: E402

from app.core.manifest import load_all  # noqa: E402
from app.core.models import embedded_model_path  # noqa: E402
from tests.fixtures.fake_hub import FakeHub  # noqa: E402

DOWNLOADING = "qwen2.5-coder-0.5b-instruct-q4_k_m"
PAUSED = "qwen2.5-coder-1.5b-instruct-q4_k_m"


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "models.png")
    manifest = load_all(None)
    smol = embedded_model_path(manifest.embedded)
    with FakeHub() as hub:
        for model_id in (DOWNLOADING, PAUSED):
            entry = manifest.get(model_id)
            hub.add_file(entry.repo, entry.files[0], smol)
        hub.rate_limit = 12_000_000
        from app.context import build_context

        ctx = build_context()
        ctx.update_settings(hf_endpoint=hub.url)  # the owner saves it
        from app.gui_main import launch

        app, window = launch()
        window.resize(1000, 620)
        models = window.open_models()
        models.resize(1080, 640)
        models.move(0, 0)
        state = {"stage": 0}

        def step() -> None:
            rows = models.table_model
            if state["stage"] == 0 and rows.rowCount() > 30:
                models.select(PAUSED)
                models.download()
                state["stage"] = 1
            elif state["stage"] == 1 and (rows.rows[rows.row_index(PAUSED)].progress or 0) and \
                    rows.rows[rows.row_index(PAUSED)].progress.fraction > 0.3:
                models.pause()
                state["stage"] = 2
            elif state["stage"] == 2 and rows.rows[rows.row_index(PAUSED)].state == "paused":
                models.select(DOWNLOADING)
                models.download()
                state["stage"] = 3
            elif state["stage"] == 3:
                row = rows.rows[rows.row_index(DOWNLOADING)]
                if row.progress is not None and row.progress.fraction > 0.45:
                    models.select(DOWNLOADING)
                    grab_then_close(app, [models, window], out, delay_ms=0)
                    return
            QTimer.singleShot(100, step)

        QTimer.singleShot(300, step)
        code = app.exec()
        window.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
