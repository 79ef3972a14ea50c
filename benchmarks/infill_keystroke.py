"""Keystroke to repaint latency of the infill code editor on a 5,000-line Python file.

A generated 5,000-line module (classes, methods, docstrings, comments, f-strings) is loaded into two
shown CodeEditors: one highlighted by pygments, one with its highlighter detached (the baseline).
The same keystrokes (mostly letters, some Return and Backspace) at random places go to both in
turn; each is timed from the key event to the end of a synchronous repaint of the viewport plus
whatever else the key left to paint (the gutter). Also printed: load time, and the longest
event-loop stall while the highlighter re-checks the lines above an edit after typing pauses.
Target: median keystroke -> repaint with highlighting < 16 ms (one frame at 60 Hz).

    .venv/bin/python benchmarks/infill_keystroke.py [--keys 200] [--lines 5000]

QT_QPA_PLATFORM defaults to offscreen; set it (e.g. xcb) to measure on a real display.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

from _common import median, verdict

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.ui.infill.editor import CodeEditor  # noqa: E402

TARGET_MS = 16.0

UNIT = '''

class {name}Store:
    """Keeps {noun} records in memory, keyed by id.

    Lookups are O(1); iteration follows insertion order.
    """

    default_limit = {n}  # records kept before the oldest are dropped

    def __init__(self, limit: int | None = None) -> None:
        self._items: dict[int, dict[str, object]] = {{}}
        self._limit = limit or self.default_limit

    def add(self, item_id: int, title: str, *, tags: tuple[str, ...] = ()) -> None:
        if len(self._items) >= self._limit:
            oldest = next(iter(self._items))
            del self._items[oldest]  # FIFO: the first inserted goes first
        self._items[item_id] = {{"title": title.strip(), "tags": list(tags), "score": {n}.5}}

    def find(self, text: str) -> list[int]:
        """Ids whose title contains `text` (case-insensitive)."""
        needle = text.lower()
        return [key for key, value in self._items.items() if needle in str(value["title"]).lower()]

    def describe(self, item_id: int) -> str:
        item = self._items.get(item_id)
        if item is None:
            raise KeyError(f"no {noun} with id {{item_id}} (have {{len(self._items)}})")
        return f"{{item_id:>6}}: {{item['title']!r}} tags={{','.join(item['tags'])}}"


def load_{noun}_{n}(path: str, store: {name}Store) -> int:
    # One record per line: "id<TAB>title<TAB>tag,tag"
    count = 0
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\\n").split("\\t")
            try:
                store.add(int(fields[0]), fields[1], tags=tuple(fields[2].split(",")) if len(fields) > 2 else ())
            except (IndexError, ValueError) as error:
                print(f"{{path}}:{{number}}: skipped ({{error}})")
                continue
            count += 1
    return count
'''

NOUNS = ["book", "order", "ticket", "song", "invoice", "sensor", "player", "recipe"]


def generate(lines: int) -> str:
    parts = ['"""Generated module for the keystroke benchmark."""\n\nfrom __future__ import annotations\n']
    n = 0
    while sum(part.count("\n") for part in parts) < lines:
        noun = NOUNS[n % len(NOUNS)]
        parts.append(UNIT.format(name=noun.capitalize() + str(n), noun=noun, n=n))
        n += 1
    return "\n".join("".join(parts).splitlines()[:lines])


def make_editor(app: QApplication, text: str, highlighted: bool) -> tuple[CodeEditor, float]:
    editor = CodeEditor(language="python", style="friendly")
    if not highlighted:
        editor.highlighter.setDocument(None)
    editor.resize(1000, 720)
    editor.show()
    QTest.qWaitForWindowExposed(editor)
    start = time.perf_counter()
    editor.setPlainText(text)
    editor.viewport().repaint()
    app.processEvents()
    return editor, (time.perf_counter() - start) * 1000


def keystrokes(count: int, seed: int = 7) -> list[tuple[float, float, Qt.Key]]:
    """(line fraction, column fraction, key) for each keystroke, the same for both editors."""
    rng = random.Random(seed)
    keys = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.1:
            key = Qt.Key.Key_Return
        elif roll < 0.2:
            key = Qt.Key.Key_Backspace
        else:
            key = getattr(Qt.Key, f"Key_{rng.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}")
        keys.append((rng.random(), rng.random(), key))
    return keys


def place_cursor(app: QApplication, editor: CodeEditor, line_fraction: float, column_fraction: float) -> None:
    """Moves the cursor and settles every paint that causes, so the timed part is the key alone."""
    block = editor.document().findBlockByNumber(int(line_fraction * (editor.blockCount() - 1)))
    cursor = QTextCursor(block)
    cursor.setPosition(block.position() + int(column_fraction * block.length() * 0.99))
    editor.setTextCursor(cursor)
    editor.ensureCursorVisible()
    app.processEvents()
    editor.viewport().repaint()


def press(app: QApplication, editor: CodeEditor, key: Qt.Key) -> float:
    start = time.perf_counter()
    QTest.keyClick(editor, key)
    editor.viewport().repaint()
    app.processEvents()  # the gutter's update() and anything else the key scheduled
    return (time.perf_counter() - start) * 1000


def pause_stalls(app: QApplication, editor: CodeEditor, keys: list, pause_ms: int = 350) -> list[float]:
    """Longest event-loop gap in the pause after each keystroke (when the lines above are re-checked)."""
    stalls = []
    clock = QElapsedTimer()
    for line_fraction, column_fraction, key in keys:
        place_cursor(app, editor, line_fraction, column_fraction)
        press(app, editor, key)
        gaps = [0.0]
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append((now - last[0]) * 1000)
            last[0] = now

        heartbeat = QTimer(interval=2, timeout=tick)
        heartbeat.start()
        clock.start()
        while clock.elapsed() < pause_ms:
            app.processEvents()
        heartbeat.stop()
        stalls.append(max(gaps))
    return stalls


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--lines", type=int, default=5000)
    args = parser.parse_args()
    app = QApplication([])
    text = generate(args.lines)

    plain, plain_load = make_editor(app, text, highlighted=False)
    coloured, coloured_load = make_editor(app, text, highlighted=True)
    assert coloured.highlighter.active and plain.highlighter.document() is None

    keys = keystrokes(args.keys + 10)
    with_ms, without_ms = [], []
    # Alternating between the editors keeps drift (CPU frequency, caches) out of the ratio.
    for number, (line_fraction, column_fraction, key) in enumerate(keys):
        for editor, times in ((coloured, with_ms), (plain, without_ms)):
            place_cursor(app, editor, line_fraction, column_fraction)
            elapsed = press(app, editor, key)
            if number >= 10:  # the first keystrokes warm up caches
                times.append(elapsed)

    same_text = coloured.toPlainText() == plain.toPlainText()
    stalls = pause_stalls(app, coloured, keystrokes(20, seed=11))

    ratio = median(with_ms) / median(without_ms)
    print(f"platform {app.platformName()}, {args.lines} lines ({len(text) / 1024:.0f} KiB), "
          f"{len(with_ms)} keystrokes per editor, same text after typing: {same_text}")
    print(f"load (setPlainText + first paint): {coloured_load:.0f} ms highlighted, {plain_load:.0f} ms plain")
    print(f"keystroke -> repaint without highlighting (baseline): median {median(without_ms):.2f} ms, "
          f"p95 {p95(without_ms):.2f} ms")
    print(f"keystroke -> repaint with highlighting: median {median(with_ms):.2f} ms, p95 {p95(with_ms):.2f} ms, "
          f"max {max(with_ms):.2f} ms")
    print(f"ratio highlighted/baseline (median): {ratio:.2f}")
    print(f"longest event-loop stall in a pause after typing (re-check above the edit): "
          f"median {median(stalls):.1f} ms, max {max(stalls):.1f} ms")
    print(f"median keystroke -> repaint with highlighting < {TARGET_MS:.0f} ms: {median(with_ms):.2f} ms "
          f"{verdict(median(with_ms) < TARGET_MS)}")


if __name__ == "__main__":
    main()
