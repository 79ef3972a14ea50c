"""The local server from the GUI: the switch, the address, the snippet, the live log, on the real model.

Real parts only: the real main window offscreen, the real InferenceService on the embedded SmolLM2,
the real app.server on 127.0.0.1, real HTTP from the test (urllib and the openai client).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PySide6.QtCore import Qt, QThread

from app.core.errors import ModelNotLoadedError
from app.ui.server.request_log import RequestLogModel


@dataclass(frozen=True)
class _Entry:
    time: float
    method: str
    path: str
    status: int
    tokens: int
    seconds: float
    client: str = "127.0.0.1"


def test_the_request_log_stays_bounded_and_counts_what_scrolled_out(qtbot) -> None:
    model = RequestLogModel(limit=3)
    for n in range(5):
        model.append(_Entry(1_700_000_000.0 + n, "POST", f"/v1/chat/completions?{n}", 200, n, 0.5))
    assert model.rowCount() == 3 and model.total == 5
    assert [e.path[-1] for e in model.entries()] == ["2", "3", "4"]
    assert model.index(2, 3).data() == "200" and model.index(2, 4).data() == "4" and model.index(2, 5).data() == "0.50"
    assert model.index(0, 4).data() == "2"
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
