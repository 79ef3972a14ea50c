"""A generation on the model's thread, as an async stream of text pieces on the server's event loop.

The work submitted to the ModelRunner starts the generation, then iterates it there (each piece
runs the model) and hands every piece to the loop with `call_soon_threadsafe`; the loop never
waits on the model. A client that goes away calls `abort()`: the generation's cancel event is set
(checked between tokens, and by llama.cpp during a long prompt) or, if its turn has not come,
the job is skipped. `Gate` bounds how many generations wait in the one queue.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from typing import AsyncIterator, Callable, TypeVar

from starlette.requests import Request

from app.core.model_runner import ModelRunner
from app.core.serve.errors import Busy, RequestError
from app.core.serve.work import Started

_END = object()
T = TypeVar("T")


class ClientGone(RequestError):
    """The client closed the connection before its answer began (nginx's 499: nobody reads it)."""

    status = 499
    kind = "client_closed_request"

    def __init__(self) -> None:
        super().__init__("The client closed the connection.")
DISCONNECT_POLL_S = 0.25  # how often a non-streaming request looks for a client that left


class Gate:
    """At most one running and `max_waiting` queued generations; more are refused (Busy, a 503).

    The counter is used on the event loop only. The open streams are also known here so that a
    stopping server can end their generations first (`abort_all`, from any thread): otherwise
    uvicorn waits out its graceful timeout and then cancels the responses with a traceback.
    """

    def __init__(self, max_waiting: int) -> None:
        self.limit = max_waiting + 1
        self.active = 0
        self._streams: set[PieceStream] = set()
        self._lock = threading.Lock()

    def opened(self, stream: PieceStream) -> None:
        with self._lock:
            self._streams.add(stream)

    def closed(self, stream: PieceStream) -> None:
        with self._lock:
            self._streams.discard(stream)

    def abort_all(self) -> int:
        """Cancel every open generation (the server is stopping); how many there were."""
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            stream.abort()
        return len(streams)

    def enter(self) -> None:
        if self.active >= self.limit:
            raise Busy(f"The server is busy: {self.active} requests for the model are running or queued "
                       f"(at most {self.limit}). Try again when one has finished.")
        self.active += 1

    def leave(self) -> None:
        self.active -= 1


class PieceStream:
    """The pieces of one generation, produced on the model thread and read on the event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._queue: asyncio.Queue = asyncio.Queue()
        self.cancel = threading.Event()
        self.ready: asyncio.Future[Started] = loop.create_future()
        self.future: Future[Started] | None = None
        self.error: BaseException | None = None
        self.started: Started | None = None
        self._lock = threading.Lock()
        self._pending: list[str] = []  # pieces made on the model thread, not yet on the loop
        self._scheduled = False

    # On the model's thread ------------------------------------------------------------------
    def run(self, engine, start: Callable[[object, threading.Event], Started]) -> Started:
        started = start(engine, self.cancel)  # a bad prompt raises here, before anything is sent
        self._loop.call_soon_threadsafe(self._set_ready, started)
        generation = started.generation
        # The token loop checks the cancel event after each token and ends itself, saying so in its stats.
        for piece in generation:
            with self._lock:
                self._pending.append(piece)
                wake, self._scheduled = not self._scheduled, True
            if wake:  # one wake-up of the loop carries every piece made until it runs
                self._loop.call_soon_threadsafe(self._flush)
        if not self.cancel.is_set():
            generation.after_answer()  # saves a repository prompt's state for the next question
        return started

    # On the event loop ----------------------------------------------------------------------
    def _flush(self) -> None:
        with self._lock:
            pending, self._pending, self._scheduled = self._pending, [], False
        if pending:
            self._queue.put_nowait("".join(pending))

    def _set_ready(self, started: Started) -> None:
        self.started = started
        if not self.ready.done():
            self.ready.set_result(started)

    def _finished(self, future: Future) -> None:
        error = None if future.cancelled() else future.exception()
        if error is not None:
            self.error = error
            if not self.ready.done():
                self.ready.set_exception(error)
        elif not self.ready.done():  # skipped before its turn (the client had gone)
            self.ready.cancel()
        self._queue.put_nowait(_END)

    async def pieces(self) -> AsyncIterator[str]:
        while (piece := await self._queue.get()) is not _END:
            yield piece

    def abort(self) -> None:
        """The client went away: stop the generation (or skip it if it has not started)."""
        self.cancel.set()
        if self.future is not None:
            self.future.cancel()


async def run_on_model(runner: ModelRunner, gate: Gate, work: Callable[[object], T]) -> T:
    """`work(engine)` on the model's thread, counted by the gate like a generation (tokenizing a
    request's worth of text takes the model's thread as well: unbounded, a flood of them would queue
    behind everyone's answers). A request gone before its turn has the job skipped."""
    gate.enter()
    try:
        future = runner.submit(work)
    except BaseException:
        gate.leave()
        raise
    loop = asyncio.get_running_loop()
    future.add_done_callback(lambda _f: loop.call_soon_threadsafe(gate.leave))  # free once the job has ended
    try:
        return await asyncio.wrap_future(future)
    except asyncio.CancelledError:
        future.cancel()
        raise


async def open_stream(runner: ModelRunner, gate: Gate, start: Callable[[object, threading.Event], Started],
                      request: Request) -> PieceStream:
    """Queue `start` on the model's thread and wait until its prompt is built (errors raise here).

    A client that leaves while its request waits for the model has its job skipped.
    """
    gate.enter()
    loop = asyncio.get_running_loop()
    stream = PieceStream(loop)

    def done(future: Future) -> None:
        gate.closed(stream)
        loop.call_soon_threadsafe(gate.leave)  # the model is free only once the job has ended
        loop.call_soon_threadsafe(stream._finished, future)

    gate.opened(stream)
    try:
        stream.future = runner.submit(lambda engine: stream.run(engine, start))
    except BaseException:
        gate.closed(stream)
        gate.leave()
        raise
    stream.future.add_done_callback(done)
    try:
        while not stream.ready.done():
            await asyncio.wait({stream.ready}, timeout=DISCONNECT_POLL_S)
            if not stream.ready.done() and await request.is_disconnected():
                stream.abort()
                raise ClientGone()
        if stream.ready.cancelled():
            raise ClientGone()
        stream.ready.result()  # the start's error (a bad or overlong prompt) raises here
        return stream
    except asyncio.CancelledError:
        stream.abort()
        raise


async def collect(stream: PieceStream, request: Request) -> str:
    """All of the text (a request that does not stream), cancelled if the client leaves meanwhile."""
    parts: list[str] = []

    async def read() -> None:
        async for piece in stream.pieces():
            parts.append(piece)

    reader = asyncio.ensure_future(read())
    try:
        while not reader.done():
            await asyncio.wait({reader}, timeout=DISCONNECT_POLL_S)
            if not reader.done() and await request.is_disconnected():
                stream.abort()
        await reader
    except asyncio.CancelledError:
        stream.abort()
        raise
    if stream.error is not None:
        raise stream.error
    return "".join(parts)
