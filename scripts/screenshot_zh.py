"""Screenshots of every pane and window in the Chinese interface, on a virtual X screen.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshot_zh.py docs/
    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshot_zh.py /tmp/en --language en

The app starts in the chosen language (zh_CN by default; the compiled .qm files must exist: the
set-up builds them, or `scripts/translations.py release`). Each pane gets real content from the
embedded model (a chat answer, a repository answer, an infill suggestion); then every tab, every
Settings page, the Models window, the remote engine dialog, the Server window, the repository
rules, About and the Measure window (when the app has one) are grabbed from the X screen as
zh-<name>.png (or <language>-<name>.png). A CJK font must be installed (scripts/setup.sh does it).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from _shot import ROOT, Steps, isolated_home  # noqa: E402

isolated_home("cld-zh-shot-")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")  # not the runner's keyring

from PySide6.QtWidgets import QApplication  # noqa: E402

QUESTIONS = {"zh_CN": "用 Python 写一个反转字符串的函数。", "en": "Write a Python function that reverses a string."}
REPO_QUESTIONS = {"zh_CN": "safe_read 是做什么的？", "en": "What does safe_read do?"}
CODE = "def area(radius):\n    \n\nprint(area(2.0))\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", default="docs")
    parser.add_argument("--language", default="zh_CN", choices=("zh_CN", "en"))
    args = parser.parse_args()
    from app.context import build_context
    from app.gui_main import launch

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    prefix = "zh" if args.language == "zh_CN" else args.language
    build_context().update_settings(theme="light", language=args.language,
                                    sampling={"max_tokens": 80, "temperature": 0.0})
    app, window = launch()
    window.resize(1280, 800)
    window.move(0, 0)
    idle = {"done": False}
    window.inference.finished.connect(lambda *_a: idle.update(done=True))
    opened: dict[str, object] = {}

    def grab(name: str) -> None:
        path = out / f"{prefix}-{name}.png"
        app.primaryScreen().grabWindow(0).save(str(path))
        print(f"saved {path}")

    def ask_chat() -> None:
        window.chat.composer.setPlainText(QUESTIONS[args.language])
        window.chat.send()

    def open_repo() -> None:
        idle["done"] = False
        window.tabs.setCurrentWidget(window.repo)
        window.repo.open_folder(ROOT / "app" / "core")

    def ask_repo() -> None:
        window.repo.question.setPlainText(REPO_QUESTIONS[args.language])
        window.repo.budget.setValue(1024)
        window.repo.ask()

    def fill() -> None:
        idle["done"] = False
        window.tabs.setCurrentWidget(window.infill)
        window.infill.editor.setPlainText(CODE)
        cursor = window.infill.editor.textCursor()
        cursor.setPosition(CODE.index("\n    \n") + 5)
        window.infill.editor.setTextCursor(cursor)
        window.infill.request_fill()

    def settings_page(key: str) -> None:
        settings = window.open_settings(key)
        settings.move(90, 60)
        if key == "Model and hardware" and not settings.reload_bar.isVisible():
            limit = next(f for f in settings.model_page.fields if f.name == "context_limit")
            limit.widget.setValue(4096)
            settings.apply_button.click()  # a load option: the window offers to reload the model

    def show(name: str, make) -> None:
        made = make()
        made.move(60, 40)
        made.show()
        made.raise_()
        opened[name] = made

    def close(name: str) -> None:
        made = opened.pop(name, None)
        if made is not None:
            made.close()

    def models():
        shown = window.open_models()
        return shown

    def remote():
        window.models_window.remote_button.click()
        return window.models_window.remote_dialog

    def rules():
        from app.ui.repo.rules_dialog import RulesDialog

        return RulesDialog(window.ctx.settings, window)

    def measure():
        before = set(QApplication.topLevelWidgets())
        window.actions_by_name["measure"].trigger()
        made = [w for w in QApplication.topLevelWidgets() if w not in before and w.isVisible()]
        return made[0] if made else window

    steps = Steps(window)
    steps.then(lambda: window.inference.info is not None, ask_chat)
    steps.then(lambda: idle["done"] and not window.chat.generating, open_repo)
    steps.then(lambda: window.repo.root is not None, ask_repo)
    steps.then(lambda: idle["done"] and window.repo.state.name == "READY", fill)
    steps.then(lambda: idle["done"], lambda: None)
    for tab in ("chat", "repo", "infill"):
        steps.then(lambda: True, lambda tab=tab: window.tabs.setCurrentWidget(getattr(window, tab)))
        steps.then(lambda: True, lambda tab=tab: grab(tab))
    steps.then(lambda: True, lambda: window.menuBar().actions()[0].menu().popup(window.mapToGlobal(
        window.menuBar().geometry().bottomLeft())))
    steps.then(lambda: True, lambda: grab("menu-file"))
    steps.then(lambda: True, lambda: window.menuBar().actions()[0].menu().hide())
    for page in ("Appearance", "Model and hardware", "Chat", "Repository", "Infill", "Hub"):
        steps.then(lambda: True, lambda page=page: settings_page(page))
        steps.then(lambda: True, lambda page=page: grab("settings-" + page.lower().replace(" ", "-")))
    steps.then(lambda: True, lambda: window.settings_window.close())
    steps.then(lambda: True, lambda: show("models", models))
    steps.then(lambda: window.models_window.listing is not None, lambda: grab("models"))
    steps.then(lambda: True, lambda: show("remote", remote))
    steps.then(lambda: True, lambda: grab("remote-engine"))
    steps.then(lambda: True, lambda: (close("remote"), close("models")))
    steps.then(lambda: True, lambda: show("server", window.open_server))
    steps.then(lambda: True, lambda: grab("server"))
    steps.then(lambda: True, lambda: close("server"))
    steps.then(lambda: True, lambda: show("rules", rules))
    steps.then(lambda: True, lambda: grab("repo-rules"))
    steps.then(lambda: True, lambda: close("rules"))
    steps.then(lambda: True, lambda: show("about", window.show_about))
    steps.then(lambda: True, lambda: grab("about"))
    steps.then(lambda: True, lambda: close("about"))
    if "measure" in window.actions_by_name:
        steps.then(lambda: True, lambda: show("measure", measure))
        steps.then(lambda: True, lambda: grab("measure"))
        steps.then(lambda: True, lambda: close("measure"))
    steps.start()
    code = app.exec()
    window.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
