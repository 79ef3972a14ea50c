"""The local server from the GUI: the switch, the address, the snippet, the live log, on the real model.

Real parts only: the real main window offscreen, the real InferenceService on the embedded SmolLM2,
the real app.server on 127.0.0.1, real HTTP from the test (urllib and the openai client).
"""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable

import pytest
from PySide6.QtCore import Qt, QThread
from PySide6.QtGui import QGuiApplication

from app.core.errors import ModelNotLoadedError
from app.core.settings import ServerSettings, Theme
from app.ui.server.control import ServerState, Started
from app.ui.server.request_log import RequestLogModel
from app.ui.server.window import server_key_store


@dataclass(frozen=True)
class _Entry:
    time: float
    method: str
    path: str
    status: int
    tokens_in: int
    tokens_out: int
    seconds: float
    client: str = "127.0.0.1:50000"


def test_the_request_log_stays_bounded_and_counts_what_scrolled_out(qtbot) -> None:
    model = RequestLogModel(limit=3)
    for n in range(5):
        model.append(_Entry(1_700_000_000.0 + n, "POST", f"/v1/chat/completions?{n}", 200, 10 * n, n, 0.5))
    assert model.rowCount() == 3 and model.total == 5
    assert [e.path[-1] for e in model.entries()] == ["2", "3", "4"]
    assert model.index(2, 3).data() == "200" and model.index(2, 4).data() == "40 + 4" and model.index(2, 5).data() == "0.50"
    assert model.index(0, 4).data() == "20 + 2" and model.index(0, 6).data() == "127.0.0.1:50000"
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Path"
    model.clear()
    assert model.rowCount() == 0 and model.total == 0


def test_work_from_another_thread_runs_on_the_inference_thread_in_turn_with_a_chat(qtbot, make_window) -> None:
    """The ModelRunner adapter: a server's work and a chat-pane answer queue on the one model thread."""
    window = make_window()
    inference, runner = window.inference, window.inference.runner
    assert runner.info() is inference.info and runner.info().n_ctx == 2048
    threads: list[str] = []
    order: list[str] = []
    gate = threading.Event()
    inference.text.connect(lambda _job, _text: order.append("chat") if "chat" not in order else None)

    def first(engine) -> int:  # holds the model thread until the chat has been queued behind it
        threads.append(QThread.currentThread().objectName())
        gate.wait(30)
        order.append("server")
        return engine.count_tokens("def reverse(s): return s[::-1]")

    from_other: dict[str, object] = {}
    caller = threading.Thread(target=lambda: from_other.setdefault("future", runner.submit(first)))
    caller.start()
    caller.join()
    future = from_other["future"]
    window.chat.composer.setPlainText("Say hello")
    with qtbot.waitSignal(inference.finished, timeout=60000):
        window.chat.send()
        gate.set()
    assert future.result(timeout=5) > 0
    assert order == ["server", "chat"]
    assert threads == ["inference"]
    second = runner.submit(lambda engine: QThread.currentThread().objectName())
    qtbot.waitUntil(second.done, timeout=30000)
    assert second.result() == "inference"


def test_work_without_a_model_fails_clearly(qtbot, make_window) -> None:
    window = make_window(load=False)
    runner = window.inference.runner
    assert runner.info() is None
    nothing = runner.submit(lambda engine: "never")
    qtbot.waitUntil(nothing.done, timeout=10000)
    assert isinstance(nothing.exception(), ModelNotLoadedError)


def test_work_still_queued_when_the_app_quits_is_cancelled(qtbot, make_window) -> None:
    window = make_window()
    runner = window.inference.runner
    gate = threading.Event()
    blocker = runner.submit(lambda engine: gate.wait(30))
    queued = runner.submit(lambda engine: "after quit")
    qtbot.waitUntil(blocker.running, timeout=10000)
    window.inference.begin_shutdown()
    gate.set()
    qtbot.waitUntil(lambda: blocker.done() and queued.done(), timeout=10000)
    assert blocker.result() is True and queued.cancelled()


# The real server from the window ------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def in_thread(qtbot, call: Callable[[], Any], timeout: int = 120000) -> Any:
    """`call()` on a thread of its own, as an outside client: the GUI's event loop runs meanwhile."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=timeout)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def http(url: str, body: dict | None = None, key: str = "", method: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def switch_on(qtbot, panel) -> Started:
    with qtbot.waitSignal(panel.control.started, timeout=30000) as started:
        qtbot.mouseClick(panel.ui.switch, Qt.MouseButton.LeftButton)
    return started.args[0]


def switch_off(qtbot, panel) -> None:
    qtbot.mouseClick(panel.ui.switch, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.control.state is ServerState.OFF, timeout=30000)


@pytest.fixture
def serving(make_window):
    """The main window with its model loaded and the Server window open (on a port of the test's own)."""

    def make(load: bool = True, **server):
        window = make_window(load=load, server=ServerSettings(port=server.pop("port", free_port()), **server))
        return window, window.open_server()

    return make


def test_the_switch_serves_the_loaded_model_logs_requests_and_off_refuses(qtbot, serving) -> None:
    window, panel = serving()
    assert panel.ui.switch.text() == "Off" and not panel.ui.address.text()
    assert "SmolLM2" in panel.ui.model_note.text()
    started = switch_on(qtbot, panel)
    assert panel.ui.switch.isChecked() and panel.ui.switch.text() == "On"
    assert panel.ui.address.text() == started.base_url == f"http://127.0.0.1:{started.port}"
    assert window.server_label.isVisible() and window.server_label.text() == f"Server on :{started.port}"
    panel.hide()
    qtbot.mouseClick(window.server_label, Qt.MouseButton.LeftButton)  # the status bar's indicator opens it
    assert panel.isVisible() and window.open_server() is panel
    assert started.base_url + "/v1" in panel.ui.python_snippet.toPlainText()
    assert panel.ui.curl_snippet.toPlainText().startswith(f"curl {started.base_url}/v1/chat/completions")
    qtbot.mouseClick(panel.ui.copy_address, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == started.base_url

    from openai import OpenAI

    client = OpenAI(base_url=started.base_url + "/v1", api_key="none", max_retries=0)
    reply = in_thread(qtbot, lambda: client.chat.completions.create(
        model="local", max_tokens=12, temperature=0, messages=[{"role": "user", "content": "Say hello"}]))
    assert reply.choices[0].message.content.strip() and reply.usage.completion_tokens > 0
    qtbot.waitUntil(lambda: panel.log_model.rowCount() == 1, timeout=10000)
    row = [panel.log_model.index(0, c).data() for c in range(7)]
    assert row[1:4] == ["POST", "/v1/chat/completions", "200"]
    assert row[4] == f"{reply.usage.prompt_tokens:,} + {reply.usage.completion_tokens:,}"
    assert row[6].startswith("127.0.0.1:") and panel.ui.log_count.text() == "1 request"

    switch_off(qtbot, panel)
    assert not panel.ui.switch.isChecked() and not panel.ui.address.text() and not window.server_label.isVisible()
    with pytest.raises(urllib.error.URLError) as refused:
        in_thread(qtbot, lambda: http(started.base_url + "/health"))
    assert isinstance(refused.value.reason, ConnectionRefusedError)


def test_a_server_stream_and_a_chat_answer_queue_on_the_one_model_thread(qtbot, serving) -> None:
    window, panel = serving()
    started = switch_on(qtbot, panel)
    from openai import OpenAI

    client = OpenAI(base_url=started.base_url + "/v1", api_key="none", max_retries=0)
    streamed: list[str] = []

    def stream() -> None:
        for chunk in client.chat.completions.create(
                model="local", max_tokens=48, temperature=0, stream=True,
                messages=[{"role": "user", "content": "Write a Python function that adds two numbers"}]):
            streamed.append(chunk.choices[0].delta.content or "" if chunk.choices else "")

    client_thread = threading.Thread(target=stream, daemon=True)
    client_thread.start()
    qtbot.waitUntil(lambda: len(streamed) >= 2, timeout=60000)  # the server's generation holds the model now
    window.chat.composer.setPlainText("Say hello")
    with qtbot.waitSignal(window.inference.finished, timeout=120000):
        window.chat.send()  # queued behind the stream on the inference thread; the GUI goes on meanwhile
    qtbot.waitUntil(lambda: not client_thread.is_alive(), timeout=60000)
    assert "".join(streamed).strip()
    assert window.chat.entries[-1].role == "assistant" and window.chat.entries[-1].text.strip()
    qtbot.waitUntil(lambda: panel.log_model.rowCount() == 1, timeout=10000)
    assert panel.log_model.index(0, 2).data() == "/v1/chat/completions" and panel.log_model.index(0, 3).data() == "200"


def test_a_taken_port_moves_to_the_next_free_one_and_says_so(qtbot, serving) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        window, panel = serving(port=port)
        started = switch_on(qtbot, panel)
        assert started.asked_port == port and started.port != port and started.moved
        assert f"port {port} was taken, so {started.port} is used" in panel.ui.state.text()
        assert panel.ui.address.text().endswith(f":{started.port}")
        status, body = in_thread(qtbot, lambda: http(started.base_url + "/health"))
        assert status == 200, body


def test_without_a_model_the_panel_says_so_and_requests_get_error_json(qtbot, serving) -> None:
    window, panel = serving(load=False)
    assert "No model is loaded" in panel.ui.model_note.text()
    started = switch_on(qtbot, panel)
    status, body = in_thread(qtbot, lambda: http(started.base_url + "/v1/chat/completions",
                                                 {"messages": [{"role": "user", "content": "hi"}]}))
    assert status == 503 and body["error"]["type"] == "unavailable_error" and body["error"]["message"]
    qtbot.waitUntil(lambda: panel.log_model.rowCount() == 1, timeout=10000)
    assert panel.log_model.index(0, 3).data() == "503"
    with qtbot.waitSignal(window.inference.loaded, timeout=30000):
        window.inference.load(window.ctx.settings.chat_model)
    assert "SmolLM2" in panel.ui.model_note.text()  # the running server serves it from now on
    status, body = in_thread(qtbot, lambda: http(started.base_url + "/v1/models"))
    assert status == 200 and body["data"][0]["id"] == window.inference.info.model_name


def test_another_address_warns_and_needs_a_key_kept_like_the_hub_token(qtbot, serving) -> None:
    window, panel = serving()
    panel.ui.host.setText("0.0.0.0")
    assert panel.ui.warning.isVisibleTo(panel) and "other machines" in panel.ui.warning.text()
    assert not panel.ui.require_key.isEnabled()
    panel.ui.api_key.clear()
    qtbot.mouseClick(panel.ui.switch, Qt.MouseButton.LeftButton)  # perhaps before the stored key was read
    qtbot.waitUntil(lambda: "A key is needed to listen on 0.0.0.0" in window.banner.label.text(), timeout=10000)
    assert panel.control.state is ServerState.OFF and not panel.ui.switch.isChecked()

    panel.ui.host.setText("127.0.0.1")
    panel.ui.host.editingFinished.emit()
    assert not panel.ui.warning.isVisibleTo(panel) and panel.ui.require_key.isEnabled()
    qtbot.mouseClick(panel.ui.generate_key, Qt.MouseButton.LeftButton)
    key = panel.ui.api_key.text()
    assert key.startswith("cld-") and len(key) > 20
    store = server_key_store(window.ctx)
    qtbot.waitUntil(lambda: "Kept in" in panel.ui.key_note.text(), timeout=10000)
    assert store.get() == key  # the keyring, else (as here) a file only the user can read
    settings_file = window.ctx.paths.settings_file
    assert not settings_file.exists() or key not in settings_file.read_text(errors="replace")
    assert f"Bearer {key}" in panel.ui.curl_snippet.toPlainText()
    panel.ui.require_key.setChecked(True)
    assert window.ctx.settings.server.api_key_required
    started = switch_on(qtbot, panel)
    status, body = in_thread(qtbot, lambda: http(started.base_url + "/v1/models"))
    assert status == 401 and body["error"]["message"]
    status, body = in_thread(qtbot, lambda: http(started.base_url + "/v1/models", key=key))
    assert status == 200
    qtbot.waitUntil(lambda: panel.log_model.rowCount() == 2, timeout=10000)
    assert [panel.log_model.index(r, 3).data() for r in range(2)] == ["401", "200"]


def test_cors_origins_become_settings_and_are_answered(qtbot, serving) -> None:
    window, panel = serving()
    panel.ui.cors.setPlainText("http://localhost:3000/\n\nhttp://localhost:3000, https://example.test")
    started = switch_on(qtbot, panel)
    assert window.ctx.settings.server.cors_origins == ("http://localhost:3000", "https://example.test")

    def preflight(origin: str) -> str | None:
        request = urllib.request.Request(started.base_url + "/v1/models", method="OPTIONS", headers={
            "Origin": origin, "Access-Control-Request-Method": "GET"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.headers.get("access-control-allow-origin")
        except urllib.error.HTTPError as exc:
            return exc.headers.get("access-control-allow-origin")

    assert in_thread(qtbot, lambda: preflight("http://localhost:3000")) == "http://localhost:3000"
    assert in_thread(qtbot, lambda: preflight("http://evil.test")) is None
    assert panel.ui.options.isEnabled() is False  # options change only while the server is off


def test_the_open_repository_is_offered_only_when_allowed(qtbot, serving, tmp_path) -> None:
    project = tmp_path / "shop"
    project.mkdir()
    (project / "cart.py").write_text("def total(prices):\n    return sum(prices)\n")
    window, panel = serving()
    window.repo.open_folder(project)
    qtbot.waitUntil(lambda: window.repo.root == project.resolve() or window.repo.root == project, timeout=60000)
    panel.hide()
    panel.show()
    assert "(shop)" in panel.ui.offer_repository.text()

    started = switch_on(qtbot, panel)  # not allowed yet
    status, body = in_thread(qtbot, lambda: http(started.base_url + "/v1/models"))
    assert [m["id"] for m in body["data"]] == [window.inference.info.model_name]
    status, body = in_thread(qtbot, lambda: http(started.base_url + "/v1/chat/completions", {
        "repository": "shop", "max_tokens": 4, "messages": [{"role": "user", "content": "What does total do?"}]}))
    assert status == 403 and body["error"]["param"] == "repository"
    switch_off(qtbot, panel)

    panel.ui.offer_repository.setChecked(True)
    started = switch_on(qtbot, panel)
    assert "Clients may ask about shop" in panel.ui.state.text()
    status, body = in_thread(qtbot, lambda: http(started.base_url + "/v1/models"))
    assert "repo:shop" in [m["id"] for m in body["data"]]
    status, body = in_thread(qtbot, lambda: http(started.base_url + "/v1/chat/completions", {
        "repository": "shop", "max_tokens": 8, "temperature": 0,
        "messages": [{"role": "user", "content": "What does total do?"}]}))
    assert status == 200, body
    assert "cart.py" in json.dumps(body)  # the app's packed context cites the file


def long_stream(base_url: str) -> tuple[list[str], dict[str, Any]]:
    """A long chat streamed by the openai client on its own thread: its pieces so far, and how it ended
    ("finish", "error" for a cut stream, "done")."""
    from openai import OpenAI

    client = OpenAI(base_url=base_url + "/v1", api_key="none", max_retries=0)
    pieces: list[str] = []
    ended: dict[str, Any] = {}

    def stream() -> None:
        try:
            for chunk in client.chat.completions.create(
                    model="local", max_tokens=1500, temperature=0, stream=True,
                    messages=[{"role": "user", "content": "Count from 1 to 1000, one number a line."}]):
                if chunk.choices:
                    pieces.append(chunk.choices[0].delta.content or "")
                    ended["finish"] = chunk.choices[0].finish_reason or ended.get("finish")
        except Exception as exc:  # noqa: BLE001 - a stream cut by a stop or a quit
            ended["error"] = exc
        ended["done"] = True

    threading.Thread(target=stream, daemon=True).start()
    return pieces, ended


def test_quitting_while_a_server_answer_streams_cancels_it(qtbot, serving) -> None:
    window, panel = serving()
    started = switch_on(qtbot, panel)
    pieces, ended = long_stream(started.base_url)
    qtbot.waitUntil(lambda: len(pieces) >= 3, timeout=60000)
    window.close()
    window.shutdown()  # stops the server (its generation is cancelled), then the model thread
    qtbot.waitUntil(lambda: ended.get("done", False), timeout=60000)
    assert ended.get("finish") != "length" and len(pieces) < 1500
    qtbot.waitUntil(lambda: panel.control.state is ServerState.OFF, timeout=10000)


def test_switching_off_mid_stream_cancels_the_generation_and_frees_the_model(qtbot, serving) -> None:
    window, panel = serving()
    started = switch_on(qtbot, panel)
    pieces, ended = long_stream(started.base_url)
    qtbot.waitUntil(lambda: len(pieces) >= 3, timeout=60000)
    switch_off(qtbot, panel)
    qtbot.waitUntil(lambda: ended.get("done", False), timeout=30000)
    assert ended.get("finish") != "length" and len(pieces) < 1500
    qtbot.waitUntil(lambda: panel.log_model.rowCount() == 1, timeout=10000)  # a cut stream is logged too
    # The model thread is free again: the chat pane's answer comes at once, not after 1500 tokens.
    window.chat.composer.setPlainText("Say hello")
    with qtbot.waitSignal(window.inference.finished, timeout=60000) as finished:
        window.chat.send()
    assert finished.args[1].stop_reason != "cancelled" and window.chat.entries[-1].text.strip()


@pytest.mark.parametrize("first,second", [(Theme.LIGHT, Theme.DARK), (Theme.DARK, Theme.LIGHT)])
def test_the_window_is_readable_on_and_off_in_both_themes_after_a_live_switch(qtbot, serving, first, second) -> None:
    from PySide6.QtWidgets import QApplication

    from app.gui_main import apply_style_sheet
    from app.ui.theme import apply_theme
    from tests.ui.test_contrast_walk import texts, unreadable

    app = QApplication.instance()
    apply_style_sheet(app)  # as at launch: the style sheet's colours are part of what is checked
    try:
        window, panel = serving(load=False, port=free_port())
        window.ctx.update_settings(theme=first)
        problems: dict[str, list[str]] = {}
        for theme in (first, second):
            if theme is second:
                window.ctx.update_settings(theme=theme)  # a live switch while the window is open
            started = switch_on(qtbot, panel)
            in_thread(qtbot, lambda: http(started.base_url + "/v1/models"))  # a row in the log, no model needed
            qtbot.waitUntil(lambda: panel.log_model.rowCount() > 0, timeout=10000)
            assert any("/v1/models" in t.what for t in texts(panel))  # the walk sees the log's rows
            problems[f"{theme} on"] = unreadable(panel)
            switch_off(qtbot, panel)
            panel.ui.host.setText("0.0.0.0")  # the warning shows (nothing is bound there)
            assert panel.ui.warning.isVisible()
            problems[f"{theme} off, warning"] = unreadable(panel)
            panel.ui.host.setText("127.0.0.1")
        assert all(not found for found in problems.values()), problems
    finally:
        app.setStyleSheet("")
        apply_theme(app, "auto")


class _RecordingKeyring:
    """A keyring backend that notes which thread asks it: never the GUI thread (it may block on D-Bus)."""

    name = "recording"

    def __init__(self, **secrets: str) -> None:
        self.threads: list[threading.Thread] = []
        self.secrets = dict(secrets)

    def get_password(self, _service: str, account: str) -> str | None:
        self.threads.append(threading.current_thread())
        return self.secrets.get(account)

    def set_password(self, _service: str, account: str, value: str) -> None:
        self.threads.append(threading.current_thread())
        self.secrets[account] = value


def test_a_stored_key_comes_from_the_keyring_off_the_gui_thread_and_is_required(qtbot, make_window, monkeypatch) -> None:
    from app.core.secrets import ServerKeyStore
    from app.ui.server import window as server_window

    keyring = _RecordingKeyring(**{"local-server-key": "cld-stored-key-123456"})
    monkeypatch.setattr(server_window, "server_key_store",
                        lambda ctx: ServerKeyStore(ctx.paths.config / "server-key", backend=keyring))
    window = make_window(server=ServerSettings(port=free_port()))
    panel = window.open_server()
    qtbot.waitUntil(lambda: panel.ui.api_key.text() == "cld-stored-key-123456", timeout=10000)
    assert "Kept in the system keyring (recording)" in panel.ui.key_note.text()
    assert "Bearer cld-stored-key-123456" in panel.ui.curl_snippet.toPlainText()
    started = switch_on(qtbot, panel)
    assert in_thread(qtbot, lambda: http(started.base_url + "/v1/models"))[0] == 401  # a key set is a key required
    assert in_thread(qtbot, lambda: http(started.base_url + "/v1/models", key="cld-stored-key-123456"))[0] == 200
    switch_off(qtbot, panel)
    qtbot.mouseClick(panel.ui.generate_key, Qt.MouseButton.LeftButton)
    new_key = panel.ui.api_key.text()
    qtbot.waitUntil(lambda: keyring.secrets["local-server-key"] == new_key, timeout=10000)
    assert new_key != "cld-stored-key-123456" and not (window.ctx.paths.config / "server-key").exists()
    assert keyring.threads and threading.main_thread() not in keyring.threads
