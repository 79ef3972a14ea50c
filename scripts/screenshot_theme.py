"""Screenshots of every pane and window after a live theme switch, both ways (light -> dark -> light).

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshot_theme.py docs/

The app starts light; each pane gets real content from the embedded model (a chat answer with
code, a repository answer, an infill suggestion); then the theme is switched in the Settings window
while the app runs, and every tab is grabbed, then the Settings window (its model page, with a
context limit changed so it offers the reload, and its hub page) and the Models window.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from _shot import ROOT, Steps, isolated_home  # noqa: E402

isolated_home("cld-theme-shot-")
# The Hub page reads where the token is kept: not from the keyring of whoever runs this.
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


CHAT = "Write a Python function that reverses a string, in a code block."
REPO_QUESTION = "What does safe_read do?"
CODE = "def area(radius):\n    \n\nprint(area(2.0))\n"


def main() -> int:
    from app.context import build_context
    from app.gui_main import launch

    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    build_context().update_settings(theme="light", sampling={"max_tokens": 80, "temperature": 0.0})
    app, window = launch()
    window.resize(1280, 800)
    window.move(0, 0)
    idle = {"chat": False}
    window.inference.finished.connect(lambda *_a: idle.update(chat=True))

    def ask_chat() -> None:
        window.tabs.setCurrentWidget(window.chat)
        window.chat.composer.setPlainText(CHAT)
        window.chat.send()

    def open_repo() -> None:
        idle["chat"] = False
        window.tabs.setCurrentWidget(window.repo)
        window.repo.open_folder(ROOT / "app" / "core")

    def ask_repo() -> None:
        window.repo.question.setPlainText(REPO_QUESTION)
        window.repo.budget.setValue(1024)
        window.repo.ask()

    def fill() -> None:
        idle["chat"] = False
        window.tabs.setCurrentWidget(window.infill)
        window.infill.editor.setPlainText(CODE)
        cursor = window.infill.editor.textCursor()
        cursor.setPosition(CODE.index("\n    \n") + 5)
        window.infill.editor.setTextCursor(cursor)
        window.infill.request_fill()

    def grab(name: str) -> None:
        path = out / name
        app.primaryScreen().grabWindow(0).save(str(path))
        print(f"saved {path}")

    def switch(theme: str) -> None:
        settings = window.open_settings("Appearance")  # as a user does it: the app is running
        theme_field = next(f for page in settings.pages for f in page.fields if f.name == "theme")
        theme_field.widget.setCurrentIndex(theme_field.widget.findData(theme))
        settings.buttons.accepted.emit()  # OK: applied live, the window closes

    def settings_page(page: str) -> None:
        settings = window.open_settings(page)
        settings.move(90, 60)
        if page == "Model and hardware" and not settings.reload_bar.isVisible():
            limit = next(f for f in settings.model_page.fields if f.name == "context_limit")
            limit.widget.setValue(4096)
            settings.apply_button.click()  # a load option: the window offers to reload the model

    def models() -> None:
        window.settings_window.close()
        shown = window.open_models()
        shown.move(60, 40)

    def close_models() -> None:
        window.models_window.close()

    steps = Steps(window)
    steps.then(lambda: window.inference.info is not None, ask_chat)
    steps.then(lambda: idle["chat"] and not window.chat.generating, open_repo)
    steps.then(lambda: window.repo.root is not None, ask_repo)
    steps.then(lambda: idle["chat"] and window.repo.state.name == "READY", fill)
    steps.then(lambda: idle["chat"], lambda: switch("dark"))
    for theme in ("dark", "light"):
        if theme == "light":
            steps.then(lambda: True, lambda: switch("light"))
        for tab in ("chat", "repo", "infill"):
            steps.then(lambda: True, lambda tab=tab: window.tabs.setCurrentWidget(getattr(window, tab)))
            steps.then(lambda: True, lambda tab=tab, theme=theme: grab(f"theme-live-{theme}-{tab}.png"))
        for page, name in (("Model and hardware", "settings-model"), ("Hub", "settings-hub")):
            steps.then(lambda: True, lambda page=page: settings_page(page))
            steps.then(lambda: True, lambda name=name, theme=theme: grab(f"theme-live-{theme}-{name}.png"))
        steps.then(lambda: True, models)
        steps.then(lambda: True, lambda theme=theme: grab(f"theme-live-{theme}-models.png"))
        steps.then(lambda: True, close_models)
    steps.start()
    code = app.exec()
    window.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
