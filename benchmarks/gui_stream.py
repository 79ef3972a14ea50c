"""GUI responsiveness while an answer streams into the chat pane.

A 5 ms heartbeat timer on the GUI thread records the longest gap between its ticks while 600
tokens stream into the real chat pane (the model is told to ignore its end token so the length is
fixed). Tokens/s with the GUI is compared with the same generation headless, in the same run.
Targets: longest stall < 50 ms; tokens/s with GUI >= 0.90 of headless.

    .venv/bin/python benchmarks/gui_stream.py [--tokens 600] [--runs 2]
"""

from __future__ import annotations

import argparse
import os
import time

from _common import embedded_model, median, verdict

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "xcb")

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.context import build_context  # noqa: E402
from app.core.engine import LocalEngine  # noqa: E402
from app.core.prompts.chat import ChatMessage  # noqa: E402
from app.gui_main import build_window  # noqa: E402

PROMPT = "Write a long, well-commented Python module that implements a command-line todo list manager."


def wait_for(signal, timeout_ms: int = 120000):
    loop = QEventLoop()
    result = []
    signal.connect(lambda *args: (result.append(args), loop.quit()))
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    if not result:
        raise TimeoutError("no signal")
    return result[0]


def headless(tokens: int, ctx) -> float:
    engine = LocalEngine(embedded_model(), chat_format="template", options=ctx.load_options())
    sampling = ctx.settings.sampling
    generation = engine.chat([ChatMessage("system", ctx.settings.system_prompt), ChatMessage("user", PROMPT)],
                             sampling, ignore_eos=True)
    for _ in generation:
        pass
    engine.close()
    return generation.stats.tokens_per_second


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=600)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    app = QApplication([])
    ctx = build_context()
    ctx.update_settings(context_limit=2048, sampling={"max_tokens": args.tokens, "temperature": 0.0})
    window = build_window(ctx)
    window.resize(1100, 760)
    window.show()
    window.inference.load(str(embedded_model()))
    wait_for(window.inference.loaded)
    original_chat = window.inference.chat
    window.inference.chat = lambda messages, sampling: original_chat(messages, sampling, ignore_eos=True)

    stalls, gui_rates, base_rates, streamed = [], [], [], []
    for _ in range(args.runs):
        base_rates.append(headless(args.tokens, ctx))
        gaps: list[float] = []
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        heartbeat = QTimer(interval=5, timeout=tick)
        window.chat.new_chat()
        window.chat.composer.setPlainText(PROMPT)
        heartbeat.start()
        last[0] = time.perf_counter()
        window.chat.send()
        _job, stats = wait_for(window.inference.finished)
        heartbeat.stop()
        stalls.append(max(gaps) * 1000)
        gui_rates.append(stats.tokens_per_second)
        streamed.append(stats.generated_tokens)
        app.processEvents()
    window.close()
    window.shutdown()
    ratio = median(gui_rates) / median(base_rates)
    print(f"platform {app.platformName()}, {median(streamed):.0f} tokens streamed per run, {args.runs} runs")
    print(f"longest GUI event-loop stall while streaming: {max(stalls):.1f} ms (runs: "
          f"{', '.join(f'{s:.1f}' for s in stalls)}) (target < 50 ms) {verdict(max(stalls) < 50)}")
    print(f"tokens/s headless {median(base_rates):.1f}, with GUI {median(gui_rates):.1f}: ratio {ratio:.3f} "
          f"(target >= 0.90) {verdict(ratio >= 0.90)}")


if __name__ == "__main__":
    main()
