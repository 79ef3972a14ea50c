"""Screenshots of an instruction fill waiting for review, light and then dark after a live theme switch.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshot_infill.py docs/

The embedded model (no infill tokens) fills a function in a small Express server; its middle is shown as a diff
in the editor's place (docs/infill-preview-light.png); the theme is then switched through the
settings owner while the preview is up, as the Settings window does (docs/infill-preview-dark.png).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from _shot import isolated_home  # noqa: E402

isolated_home("cld-infill-shot-")

from PySide6.QtCore import QTimer  # noqa: E402

CODE = '''const express = require("express");

const app = express();
app.use(express.json());

/* The sum of a list of numbers. */
function sum(numbers) {
  <CURSOR>
}

app.post("/sum", (request, response) => {
  response.json({ total: sum(request.body.numbers) });
});

module.exports = { app, sum };
'''.replace("<CURSOR>", "")  # the cursor's line, indented as an editor leaves it
CURSOR = CODE.index("{\n  \n}") + len("{\n  ")


def main() -> int:
    from app.context import build_context
    from app.gui_main import launch

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs")
    out.mkdir(parents=True, exist_ok=True)
    build_context().update_settings(theme="light", sampling={"max_tokens": 160, "temperature": 0.0, "seed": 7})
    source = Path(tempfile.mkdtemp()) / "server.js"
    source.write_text(CODE)
    app, window = launch()
    window.resize(1280, 800)
    window.move(0, 0)
    window.tabs.setCurrentWidget(window.infill)
    pane = window.infill
    pane.open_file(source)
    pane.temperature.setValue(0.0)
    pane.max_tokens.setValue(160)

    def grab(name: str) -> None:
        path = out / name
        app.primaryScreen().grabWindow(0).save(str(path))  # the real screen, not a widget render
        print(f"saved {path}")

    def later(ms: int, action) -> None:
        QTimer.singleShot(ms, action)

    def fill_when_ready() -> None:
        if window.inference.info is None or pane.editor.toPlainText() != CODE:
            later(200, fill_when_ready)
            return
        cursor = pane.editor.textCursor()
        cursor.setPosition(CURSOR)
        pane.editor.setTextCursor(cursor)
        pane.editor.setFocus()
        pane.request_fill()

    def reviewed(*_args) -> None:
        if not pane.preview.active:
            print("the model wrote nothing to review; no screenshot", file=sys.stderr)
            window.close()
            return
        later(800, lambda: (grab("infill-preview-light.png"), window.ctx.update_settings(theme="dark"),
                            later(1200, dark)))

    def dark() -> None:
        grab("infill-preview-dark.png")
        window.close()

    window.inference.finished.connect(lambda *_a: later(300, reviewed))
    later(500, fill_when_ready)
    code = app.exec()
    window.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
