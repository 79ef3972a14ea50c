"""Screenshots of the Server window, off and on (with requests in its live log), light then dark.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python scripts/screenshot_server.py docs/

The real app on the embedded model: the window is opened from the main window, the switch turned
on, real HTTP requests sent from a client thread (the openai package), then the theme is switched
live and the window grabbed again; last the switch is turned off, and another address typed in to
show its warning (nothing is bound there).
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from _shot import isolated_home  # noqa: E402

isolated_home("cld-server-shot-")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")  # not the runner's keyring



def client_requests(base_url: str, done: dict) -> None:
    """What an editor and a script would send: a model list, a chat, an infill, a stream."""
    import json
    import urllib.request

    from openai import OpenAI

    client = OpenAI(base_url=base_url + "/v1", api_key="none", max_retries=0)
    client.models.list()
    client.chat.completions.create(model="local", max_tokens=24, temperature=0,
                                   messages=[{"role": "user", "content": "Say hello in Python"}])
    body = json.dumps({"input_prefix": "def add(a, b):\n    ", "input_suffix": "\n", "n_predict": 12}).encode()
    urllib.request.urlopen(urllib.request.Request(base_url + "/infill", body, {"Content-Type": "application/json"}),
                           timeout=120).read()
    for _chunk in client.chat.completions.create(model="local", max_tokens=24, temperature=0, stream=True,
                                                 messages=[{"role": "user", "content": "Name a sorting algorithm"}]):
        pass
    done["requests"] = True


def main() -> int:
    from screenshot_theme import Steps

    from app.context import build_context
    from app.gui_main import launch

    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    build_context().update_settings(theme="light", sampling={"max_tokens": 64, "temperature": 0.0})
    app, window = launch()
    window.resize(1280, 800)
    window.move(0, 0)
    state = {"requests": False}

    def grab(name: str) -> None:
        path = out / name
        app.primaryScreen().grabWindow(0).save(str(path))
        print(f"saved {path}")

    def open_panel() -> None:
        panel = window.open_server()
        panel.move(40, 10)
        panel.resize(900, 740)

    def switch_on() -> None:
        window.server_window.ui.switch.click()

    def send() -> None:
        base_url = window.server_window.control.current.base_url
        threading.Thread(target=client_requests, args=(base_url, state), daemon=True).start()

    def theme(name: str) -> None:
        window.ctx.update_settings(theme=name)  # the main window restyles every window at once

    def switch_off() -> None:
        window.server_window.ui.switch.click()

    panel_rows = lambda: window.server_window.log_model.rowCount()  # noqa: E731
    steps = Steps(app, window, out)
    steps.then(lambda: window.inference.info is not None, open_panel)
    steps.then(lambda: True, lambda: grab("server-off-light.png"))
    steps.then(lambda: True, switch_on)
    steps.then(lambda: window.server_window.control.current is not None, send)
    steps.then(lambda: state["requests"] and panel_rows() >= 4, lambda: grab("server-on-light.png"))
    steps.then(lambda: True, lambda: theme("dark"))
    steps.then(lambda: True, lambda: grab("server-on-dark.png"))
    steps.then(lambda: True, switch_off)
    steps.then(lambda: window.server_window.control.current is None, lambda: grab("server-off-dark.png"))
    steps.then(lambda: True, lambda: window.server_window.ui.host.setText("0.0.0.0"))  # the warning, not bound
    steps.then(lambda: True, lambda: grab("server-remote-warning-dark.png"))
    steps.start()
    code = app.exec()
    window.shutdown()
    return code


if __name__ == "__main__":
    sys.exit(main())
