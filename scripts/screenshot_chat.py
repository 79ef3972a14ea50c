"""Screenshots of the chat pane with versions of an answer ("< 2/2 >") and an answer cut by the token limit.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshot_chat.py docs/

Everything comes from the embedded model: a question answered twice (Regenerate keeps the first
answer as a version), then a question whose answer the token limit cuts (marked, with Continue).
Grabbed light, then dark after a live theme switch; then a search (plain text, the match in bold).
"""

from __future__ import annotations

import sys
from pathlib import Path

from _shot import isolated_home  # noqa: E402

isolated_home("cld-chat-shot-")

from screenshot_theme import Steps  # noqa: E402

FIRST = "Write a Python function that reverses a string, in a code block."
SECOND = "Now write a function that checks whether a string is a palindrome, with comments."


def main() -> int:
    from app.context import build_context
    from app.gui_main import launch

    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    build_context().update_settings(theme="light", sampling={"max_tokens": 90, "temperature": 0.7, "seed": 3})
    app, window = launch()
    window.resize(1280, 800)
    window.move(0, 0)
    chat = window.chat
    idle = {"done": False}
    window.inference.finished.connect(lambda *_a: idle.update(done=True))

    def ask(text: str) -> None:
        idle["done"] = False
        chat.composer.setPlainText(text)
        chat.send()

    def regenerate() -> None:
        idle["done"] = False
        chat.regenerate(1)

    def cut_short() -> None:
        window.ctx.update_settings(sampling={"max_tokens": 40, "temperature": 0.0})
        ask(SECOND)

    def grab(name: str) -> None:
        chat.transcript.scroll_to_end()
        path = out / name
        app.primaryScreen().grabWindow(0).save(str(path))
        print(f"saved {path}")

    answered = lambda: idle["done"] and not chat.generating  # noqa: E731
    steps = Steps(app, window, out)
    steps.then(lambda: window.inference.info is not None, lambda: ask(FIRST))
    steps.then(answered, regenerate)
    steps.then(answered, cut_short)
    steps.then(answered, lambda: chat.transcript.scroll_to_end())
    steps.then(lambda: True, lambda: grab("chat-branches-light.png"))
    steps.then(lambda: True, lambda: window.ctx.update_settings(theme="dark"))  # live, as Settings does
    steps.then(lambda: True, lambda: grab("chat-branches-dark.png"))
    steps.then(lambda: True, lambda: chat.search.setText("slicing"))  # plain rows, the match in bold
    steps.then(lambda: chat.list_model.rowCount() > 0, lambda: grab("chat-search-dark.png"))
    steps.start()
    code = app.exec()
    window.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
