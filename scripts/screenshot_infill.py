"""Screenshot of the infill pane with a real suggestion inline (the embedded model, instruction fill).

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshot_infill.py docs/infill.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from _shot import grab_then_close, isolated_home, open_window, output_path, run  # noqa: E402

isolated_home("cld-infill-shot-")

from PySide6.QtCore import QTimer  # noqa: E402

CODE = '''"""Small text helpers."""

import re
from collections import Counter


def word_counts(text: str) -> Counter:
    """How often each word occurs, ignoring case and punctuation."""
    return Counter(re.findall(r"[a-z']+", text.lower()))


def is_palindrome(text: str) -> bool:
    """Whether text reads the same backwards, ignoring case and anything but letters."""
<CURSOR>

def main() -> None:
    print(word_counts("the cat and the hat"))
    print(is_palindrome("A man, a plan, a canal: Panama"))


if __name__ == "__main__":
    main()
'''.replace("<CURSOR>", "    ")  # the cursor's line, indented as an editor leaves it


def main() -> int:
    out = output_path("infill.png")
    source = Path(tempfile.mkdtemp()) / "text_tools.py"
    source.write_text(CODE)
    app, window = open_window(1280, 800, "infill")
    pane = window.infill
    pane.open_file(source)
    pane.temperature.setValue(0.0)

    def maybe_fill() -> None:
        if window.inference.info is None or pane.editor.toPlainText() != CODE:
            QTimer.singleShot(200, maybe_fill)
            return
        cursor = pane.editor.textCursor()
        cursor.setPosition(CODE.index('letters."""\n') + len('letters."""\n    '))
        pane.editor.setTextCursor(cursor)
        pane.editor.setFocus()
        pane.request_fill()

    window.inference.finished.connect(lambda *_args: QTimer.singleShot(300, lambda: grab_then_close(app, [window], out)))
    QTimer.singleShot(500, maybe_fill)
    return run(app, window)


if __name__ == "__main__":
    sys.exit(main())
