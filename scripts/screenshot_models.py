"""Screenshot of the Models window during a download from a local stand-in for the hub.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshot_models.py \
        docs/models-window-after-dark.png dark

The hub is the test suite's FakeHub on 127.0.0.1 serving the embedded model's bytes under a real
manifest name (no network here); the download is rate-limited so the screenshot catches it midway.
The embedded model is loaded (the "In use" mark) and has answered a few times, so its speed is measured
and the other cards' speeds are scaled from it. The second argument is the theme (light or dark).
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
ANSWERS = 3  # the speed is the best of the last few answers, as in use (a shared machine is noisy)


def main() -> int:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "models.png")
    theme = sys.argv[2] if len(sys.argv) > 2 else "light"
    manifest = load_all(None)
    smol = embedded_model_path(manifest.embedded)
    with FakeHub() as hub:
        entry = manifest.get(DOWNLOADING)
        hub.add_file(entry.repo, entry.files[0], smol)
        hub.rate_limit = 12_000_000
        from app.context import build_context

        ctx = build_context()
        ctx.update_settings(hf_endpoint=hub.url, theme=theme)  # the owner saves it
        from app.core.prompts.chat import ChatMessage
        from app.core.settings import SamplingSettings
        from app.gui_main import launch

        app, window = launch()
        window.resize(1000, 620)
        state = {"stage": 0}
        models_box: list = []

        def ask() -> None:
            window.inference.chat([ChatMessage("user", "Write a haiku about memory bandwidth.")],
                                  SamplingSettings(max_tokens=40, temperature=0.0, seed=1), ignore_eos=True)

        def answered(_sample) -> None:  # the answer was timed: after ANSWERS, open the window with the figures
            state["answers"] = state.get("answers", 0) + 1
            if state["answers"] < ANSWERS:
                ask()
                return
            models = window.open_models()
            models.resize(1180, 790)
            models.move(0, 0)
            models_box.append(models)
            state["stage"] = 1

        window.speed_recorder.recorded.connect(answered)
        window.inference.loaded.connect(lambda _info: ask() if state["stage"] == 0 else None)

        def step() -> None:
            if state["stage"] == 1 and models_box and len(models_box[0].rows) > 30:
                models = models_box[0]
                models.select(DOWNLOADING)
                models.download()
                state["stage"] = 2
            elif state["stage"] == 2:
                models = models_box[0]
                row = models.row(DOWNLOADING)
                if row.progress is not None and row.progress.fraction > 0.45:
                    models.scroll.verticalScrollBar().setValue(0)
                    grab_then_close(app, [models, window], out, delay_ms=0)
                    return
            QTimer.singleShot(100, step)

        QTimer.singleShot(300, step)
        code = app.exec()
        window.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
