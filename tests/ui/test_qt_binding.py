"""Guards against Qt-binding bugs that would crash a long session."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal(int, str)


def test_signal_emit_keeps_bool_refcounts(qtbot) -> None:
    """PySide6 6.12.0 drops a reference to True on each emit; on Python < 3.12 True is then freed
    after enough streamed tokens and the interpreter aborts."""
    emitter = _Emitter()
    received = []
    emitter.fired.connect(lambda n, s: received.append(n))
    before = sys.getrefcount(True)
    for i in range(2000):
        emitter.fired.emit(i, "x")
    assert len(received) == 2000
    assert sys.getrefcount(True) >= before - 50


def test_service_signals_arrive_on_the_gui_thread(qtbot, make_window) -> None:
    """Lambdas connected to the inference service run on the GUI thread, never the worker's."""
    import threading

    window = make_window(load=False)
    threads: list[threading.Thread] = []
    window.inference.loading.connect(lambda _name: threads.append(threading.current_thread()))
    window.inference.loaded.connect(lambda _info: threads.append(threading.current_thread()))
    with qtbot.waitSignal(window.inference.loaded, timeout=30000):
        window.inference.load("smollm2-135m-instruct")
    assert threads and all(t is threading.main_thread() for t in threads)
    assert window.inference.info is not None
