"""Work on the thread that owns the model, asked for from any thread.

The model belongs to one thread (llama.cpp is not thread-safe, and one KV cache serves every
request). The GUI's inference worker is that thread in the app; `ModelThread` is that thread
for a headless front end such as `codellama-desktop serve`. Both offer `ModelRunner`, the seam
the local server is written against: it hands over a function of the engine and gets a
`concurrent.futures.Future` back, so an asyncio server awaits it without blocking its loop, and
requests from many clients queue in order on the one thread.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from typing import Callable, Protocol, TypeVar

from app.core.engine_types import ChatBackend, EngineInfo
from app.core.errors import ModelNotLoadedError

log = logging.getLogger(__name__)

T = TypeVar("T")
EngineWork = Callable[[ChatBackend], T]


class ModelRunner(Protocol):
    """The loaded model's thread, as any other thread sees it."""

    def info(self) -> EngineInfo | None:
        """What is loaded now (a frozen snapshot), or None; safe to call from any thread."""
        ...

    def submit(self, work: EngineWork[T]) -> Future[T]:
        """Run `work(engine)` on the model's thread after the work queued before it.

        The future fails with ModelNotLoadedError when no model is loaded by then; a future
        cancelled before its turn is skipped.
        """
        ...


def run_into(future: Future, work: EngineWork, engine: ChatBackend | None) -> None:
    """Run `work` on this (the model's) thread and settle `future` with what it gives or raises."""
    if not future.set_running_or_notify_cancel():
        return  # the caller gave up (a client that went away) before its turn came
    try:
        if engine is None:
            raise ModelNotLoadedError()
        future.set_result(work(engine))
    except BaseException as exc:  # noqa: BLE001 - every outcome reaches the caller, none ends the thread
        future.set_exception(exc)


class ModelThread:
    """A plain thread that opens one engine and runs submitted work on it in order (no Qt).

    `open_engine` runs on the thread itself, so the engine is created, used and closed by it.
    """

    def __init__(self, open_engine: Callable[[], ChatBackend], name: str = "inference") -> None:
        self._open = open_engine
        self._jobs: queue.Queue[tuple[Future, EngineWork] | None] = queue.Queue()
        self._engine: ChatBackend | None = None
        self._info: EngineInfo | None = None
        self._ready: Future[EngineInfo] = Future()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> Future[EngineInfo]:
        """Start the thread and open the engine; the future settles once it is loaded (or failed)."""
        self._thread.start()
        return self._ready

    def info(self) -> EngineInfo | None:
        return self._info

    def submit(self, work: EngineWork[T]) -> Future[T]:
        future: Future[T] = Future()
        self._jobs.put((future, work))
        return future

    def close(self, timeout_s: float = 30.0) -> None:
        """Run what is queued, close the engine and end the thread."""
        if self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(timeout_s)

    def _run(self) -> None:
        try:
            self._engine = self._open()
        except BaseException as exc:  # noqa: BLE001 - told through the start future
            self._ready.set_exception(exc)
        else:
            self._info = self._engine.info
            self._ready.set_result(self._info)
        while (job := self._jobs.get()) is not None:
            run_into(job[0], job[1], self._engine)
        if self._engine is not None:
            self._info = None
            try:
                self._engine.close()
            except Exception:
                log.exception("closing the engine")
