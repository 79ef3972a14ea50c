"""The one background-job abstraction: order, thread, typed failures, progress, shutdown."""

from __future__ import annotations

import threading

import pytest

from app.core.errors import StoreError, UserError
from app.workers.worker import UnexpectedError, Worker


@pytest.fixture
def worker(qtbot):
    made = Worker("test-jobs")
    yield made
    made.shutdown()


def test_jobs_run_in_order_on_the_worker_thread(qtbot, worker) -> None:
    ran: list[tuple[int, str]] = []
    done: list[int] = []
    for n in range(5):
        worker.submit(lambda _report, n=n: ran.append((n, threading.current_thread().name)) or n, done.append)
    qtbot.waitUntil(lambda: len(done) == 5, timeout=5000)
    assert done == [0, 1, 2, 3, 4] and [n for n, _ in ran] == [0, 1, 2, 3, 4]
    assert all(name != threading.main_thread().name for _, name in ran)


def test_a_user_error_arrives_as_the_same_object_with_its_retry_hint(qtbot, worker) -> None:
    raised = StoreError("The disk is full.", retryable=True)
    errors: list[UserError] = []

    def fail(_report):
        raise raised

    worker.submit(fail, None, errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert errors[0] is raised and errors[0].retryable


def test_an_unexpected_exception_is_wrapped_with_the_jobs_words_and_cause(qtbot, worker) -> None:
    errors: list[UserError] = []

    def fail(_report):
        raise KeyError("tokenizer")

    worker.submit(fail, None, errors.append, failure="Could not count the tokens")
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], UnexpectedError) and not errors[0].retryable
    assert errors[0].message.startswith("Could not count the tokens: ") and "tokenizer" in errors[0].message
    assert isinstance(errors[0].__cause__, KeyError)


def test_failures_without_a_handler_reach_the_one_error_display(qtbot, worker) -> None:
    shown: list[UserError] = []
    worker.on_unhandled = shown.append
    worker.submit(lambda _report: 1 / 0)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "ZeroDivisionError" in shown[0].message or "division" in shown[0].message


def test_progress_reaches_the_gui_thread_in_order_before_the_result(qtbot, worker) -> None:
    seen: list[object] = []
    threads: set[str] = set()

    def work(report):
        for n in range(20):
            report(n)
        return "done"

    def on_progress(value):
        threads.add(threading.current_thread().name)
        seen.append(value)

    worker.submit(work, seen.append, None, on_progress)
    qtbot.waitUntil(lambda: "done" in seen, timeout=5000)
    assert seen == list(range(20)) + ["done"]
    assert threads == {threading.main_thread().name}


def test_shutdown_runs_the_jobs_already_given_then_stops(qtbot) -> None:
    worker = Worker("test-shutdown")
    finished = threading.Event()
    gate = threading.Event()
    worker.submit(lambda _report: gate.wait(5))
    worker.submit(lambda _report: finished.set())
    gate.set()
    worker.shutdown()
    assert finished.is_set() and not worker.running
