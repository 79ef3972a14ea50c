"""ModelThread: work from many threads runs in order on the one thread that opened the engine."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path

import pytest

from app.core.engine import LocalEngine
from app.core.errors import ModelNotLoadedError
from app.core.model_runner import ModelThread


def test_work_runs_on_the_thread_that_opened_the_real_engine(smollm2_path: Path) -> None:
    opened_on: list[str] = []

    def open_engine() -> LocalEngine:
        opened_on.append(threading.current_thread().name)
        return LocalEngine(smollm2_path)

    runner = ModelThread(open_engine, name="model-test")
    info = runner.start().result(timeout=120)
    assert runner.info() is info and info.n_ctx > 0
    try:
        order: list[int] = []
        futures = [runner.submit(lambda engine, i=i: (order.append(i), threading.current_thread().name,
                                                     engine.count_tokens("def f(): pass"))[1:])
                   for i in range(5)]
        results = [f.result(timeout=60) for f in futures]
        assert order == list(range(5))
        assert {name for name, _ in results} == {"model-test"} == set(opened_on)
        assert all(tokens > 0 for _, tokens in results)
        # A failure reaches the caller and the thread goes on.
        failing = runner.submit(lambda engine: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            failing.result(timeout=60)
        assert runner.submit(lambda engine: "still here").result(timeout=60) == "still here"
    finally:
        runner.close()
    assert runner.info() is None


def test_a_model_that_fails_to_open_fails_its_work_clearly(tmp_path: Path) -> None:
    def open_engine() -> LocalEngine:
        return LocalEngine(tmp_path / "missing.gguf")

    runner = ModelThread(open_engine)
    started = runner.start()
    queued = runner.submit(lambda engine: "never")
    with pytest.raises(Exception):
        started.result(timeout=60)
    with pytest.raises(ModelNotLoadedError):
        queued.result(timeout=60)
    runner.close()


def test_work_cancelled_before_its_turn_is_skipped(smollm2_path: Path) -> None:
    runner = ModelThread(lambda: LocalEngine(smollm2_path))
    runner.start().result(timeout=120)
    gate = threading.Event()
    ran: list[str] = []
    try:
        blocker = runner.submit(lambda engine: gate.wait(30))
        skipped: Future = runner.submit(lambda engine: ran.append("skipped"))
        assert skipped.cancel()
        gate.set()
        blocker.result(timeout=60)
        assert runner.submit(lambda engine: "after").result(timeout=60) == "after" and ran == []
    finally:
        runner.close()
