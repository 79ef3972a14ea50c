"""The Models window's remote engine, on the real window (offscreen) and a real llama_cpp.server:
Test connection shows the report, Save and use connects the inference thread, and chat runs on it."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from app.core.prompts.chat import ChatMessage
from app.core.remote.saved import FILE_NAME, RemoteKeyStore
from app.core.settings import SamplingSettings
from tests.server.conftest import smol_runner, start_server  # noqa: F401 - the server tests' fixtures
from tests.ui.conftest import make_window  # noqa: F401 - the real main window's fixture


def test_add_test_and_use_a_remote_engine(qtbot, make_window, llama_cpp_server, app_home) -> None:  # noqa: F811
    window = make_window(load=False)
    models = window.open_models()
    qtbot.mouseClick(models.remote_button, Qt.MouseButton.LeftButton)
    dialog = models.remote_dialog
    dialog.url.setText(llama_cpp_server)
    dialog.key.setText("secret-key-1")  # this server takes any key: it was started without one
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "llama-cpp-python server" in dialog.report.toPlainText(), timeout=20000)
    assert "Prompts sent as: chat messages" in dialog.report.toPlainText()

    with qtbot.waitSignal(window.inference.loaded, timeout=30000) as loaded:
        qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)
    info = loaded.args[0]
    assert info.backend == "remote llama-cpp-python server" and window.inference.info is info
    qtbot.waitUntil(lambda: "Using SmolLM2" in dialog.status.text(), timeout=5000)

    saved = (app_home / "config" / FILE_NAME).read_text()
    assert json.loads(saved)["remotes"][0]["url"] == llama_cpp_server
    assert "secret-key-1" not in saved  # the key is in the keyring (or its 0600 file), not the list
    assert RemoteKeyStore(app_home / "config", llama_cpp_server).get() == "secret-key-1"

    texts: list[str] = []
    window.inference.text.connect(lambda _job, text: texts.append(text))
    with qtbot.waitSignal(window.inference.finished, timeout=60000) as finished:
        window.inference.chat([ChatMessage("user", "Name a colour.")],
                              SamplingSettings(temperature=0.0, max_tokens=16, seed=1))
    assert "".join(texts).strip() and finished.args[1].generated_tokens > 0


def test_a_failed_test_says_why_and_keeps_the_window_usable(qtbot, make_window) -> None:  # noqa: F811
    from tests.fixtures.servers import free_port

    window = make_window(load=False)
    models = window.open_models()
    qtbot.mouseClick(models.remote_button, Qt.MouseButton.LeftButton)
    dialog = models.remote_dialog
    dialog.url.setText(f"127.0.0.1:{free_port()}")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Cannot reach" in dialog.status.text(), timeout=20000)
    assert dialog.test_button.isEnabled()


def test_quitting_while_a_remote_answer_streams_ends_it_on_the_server(qtbot, make_window, smol_runner,  # noqa: F811
                                                                       start_server) -> None:  # noqa: F811
    """The app closed mid-answer from a remote engine: the answer's connection is closed, so the
    server (this app's own, here) stops generating instead of running to the token budget."""
    from app.core.remote.engine import RemoteConfig

    log: list = []
    upstream = start_server(smol_runner, on_request=log.append).address
    window = make_window(load=False)
    with qtbot.waitSignal(window.inference.loaded, timeout=30000):
        window.inference.load_remote(RemoteConfig(upstream))
    texts: list[str] = []
    window.inference.text.connect(lambda _job, text: texts.append(text))
    window.inference.chat([ChatMessage("user", "Count from 1 to 1000, one number a line.")],
                          SamplingSettings(temperature=0.0, max_tokens=1500, seed=1))
    qtbot.waitUntil(lambda: len(texts) >= 3, timeout=60000)
    window.close()
    window.shutdown()
    qtbot.waitUntil(lambda: any(e.path == "/completion" for e in log), timeout=60000)
    answer = next(e for e in log if e.path == "/completion")
    assert 0 < answer.tokens_out < 1500
