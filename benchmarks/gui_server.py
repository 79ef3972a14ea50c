"""GUI responsiveness while the window's local server streams an answer, against the chat pane's own.

The real main window on the embedded model; the Server window's switch turned on. A 5 ms heartbeat
timer on the GUI thread records the longest gap between its ticks while (a) a client process streams
a chat from the GUI's server (openai package, SSE) and (b) the chat pane streams the same prompt
(same system prompt, seed and sampling), alternating, in the same run. Also tokens/s of each, both
measured the same way: generated tokens over the time from the first piece of text to the last.
Targets: longest stall while serving < 50 ms (as benchmarks/gui_stream.py); server tokens/s >= 0.90
of the chat pane's.

    .venv/bin/python benchmarks/gui_server.py [--tokens 300] [--runs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from _common import embedded_model, median, verdict

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")  # not the runner's keyring

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.context import build_context  # noqa: E402
from app.gui_main import build_window  # noqa: E402

PROMPT = "Write a long, well-commented Python module that implements a command-line todo list manager."


def run_until(done, timeout_s: float = 300.0) -> None:
    """Turn the GUI's event loop until `done()` (checked every 20 ms)."""
    loop = QEventLoop()
    timer = QTimer(interval=20, timeout=lambda: loop.quit() if done() else None)
    timer.start()
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    loop.exec()
    timer.stop()
    if not done():
        raise TimeoutError("gave up waiting")


class Heartbeat:
    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self._timer = QTimer(interval=5, timeout=self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now

    def __enter__(self) -> "Heartbeat":
        self._last = time.perf_counter()
        self._timer.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._timer.stop()

    @property
    def longest_ms(self) -> float:
        return max(self.gaps, default=0.0) * 1000


CLIENT = """
import json, sys, time
from openai import OpenAI
base_url, system, prompt, tokens, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
client = OpenAI(base_url=base_url + "/v1", api_key="none", max_retries=0)
first = last = 0.0
used = 0
for chunk in client.chat.completions.create(
        model="local", max_tokens=tokens, temperature=0.0, seed=seed, stream=True,
        stream_options={"include_usage": True},
        messages=[{"role": "system", "content": system}, {"role": "user", "content": prompt}]):
    if chunk.choices and chunk.choices[0].delta.content:
        last = time.perf_counter()
        first = first or last
    if chunk.usage is not None:
        used = chunk.usage.completion_tokens
print(json.dumps([used, last - first]))
"""


def start_client(base_url: str, system: str, tokens: int, seed: int) -> subprocess.Popen:
    """A client in a process of its own, as an editor would be (an in-process one would share the GIL)."""
    return subprocess.Popen([sys.executable, "-c", CLIENT, base_url, system, PROMPT, str(tokens), str(seed)],
                            stdout=subprocess.PIPE, text=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=300)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    app = QApplication([])
    ctx = build_context()
    seed = 7
    ctx.update_settings(context_limit=2048, sampling={"max_tokens": args.tokens, "temperature": 0.0, "seed": seed})
    window = build_window(ctx)
    window.resize(1100, 760)
    window.show()
    window.inference.load(str(embedded_model()))
    run_until(lambda: window.inference.info is not None, 120)
    panel = window.open_server()
    panel.ui.switch.click()
    run_until(lambda: panel.control.current is not None, 60)
    base_url = panel.control.current.base_url

    chat_stalls, server_stalls, chat_rates, server_rates, counts = [], [], [], [], []
    for _ in range(args.runs):
        # The chat pane's own answer: the baseline, timed from its first text to the end.
        pieces: list[float] = []
        done: list = []
        on_text = window.inference.text.connect(lambda _job, _text: pieces.append(time.perf_counter()))
        on_done = window.inference.finished.connect(lambda _job, stats: done.append(stats))
        window.chat.new_chat()
        window.chat.composer.setPlainText(PROMPT)
        with Heartbeat() as beat:
            window.chat.send()
            run_until(lambda: bool(done))
        window.inference.text.disconnect(on_text)
        window.inference.finished.disconnect(on_done)
        end = time.perf_counter()
        chat_stalls.append(beat.longest_ms)
        chat_rates.append(done[0].generated_tokens / (end - pieces[0]))
        # The same prompt from a client of the window's server.
        with Heartbeat() as beat:
            client = start_client(base_url, ctx.settings.system_prompt, args.tokens, seed)
            run_until(lambda: client.poll() is not None)
        used, seconds = json.loads(client.stdout.read())
        server_stalls.append(beat.longest_ms)
        server_rates.append(used / seconds)
        counts.append((done[0].generated_tokens, used))
    panel.ui.switch.click()
    run_until(lambda: panel.control.current is None, 60)
    window.close()
    window.shutdown()
    ratio = median(server_rates) / median(chat_rates)
    print(f"platform {app.platformName()}, {args.runs} runs, tokens per run (chat, server): {counts}")
    print(f"longest GUI event-loop stall: while the server streams {max(server_stalls):.1f} ms, while the chat "
          f"pane streams {max(chat_stalls):.1f} ms (target < 50 ms) {verdict(max(server_stalls) < 50)}")
    print(f"tokens/s: chat pane {median(chat_rates):.1f}, through the GUI's server {median(server_rates):.1f}: "
          f"ratio {ratio:.3f} (target >= 0.90) {verdict(ratio >= 0.90)}")


if __name__ == "__main__":
    main()
