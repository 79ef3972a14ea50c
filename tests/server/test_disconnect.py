"""A client that goes away mid-stream cancels its generation, and the model serves the next request."""

from __future__ import annotations

from concurrent.futures import Future

import requests


class WatchedRunner:
    """The real ModelThread, with the futures of the work it was given kept for the test to read."""

    def __init__(self, runner) -> None:
        self._runner = runner
        self.futures: list[Future] = []

    def info(self):
        return self._runner.info()

    def submit(self, work) -> Future:
        future = self._runner.submit(work)
        self.futures.append(future)
        return future


def test_disconnect_mid_stream_cancels_and_frees_the_model(smol_runner, start_server):
    watched = WatchedRunner(smol_runner)
    base = start_server(watched).address
    body = {"prompt": "Count: 1, 2, 3, 4, 5,", "n_predict": -1, "stream": True, "temperature": 0}
    with requests.post(base + "/completion", json=body, stream=True, timeout=120) as reply:
        lines = reply.iter_lines()
        assert next(line for line in lines if line).startswith(b"data: ")
    # The connection is closed: the generation ends at the next token instead of filling the context.
    started = watched.futures[-1].result(timeout=120)
    stats = started.generation.stats
    assert stats.stop_reason == "cancelled"
    assert stats.generated_tokens < 2048 - stats.prompt_tokens
    after = requests.post(base + "/completion", json={"prompt": "Hello", "n_predict": 3}, timeout=120)
    assert after.status_code == 200 and after.json()["tokens_predicted"] >= 1


def test_disconnect_while_waiting_skips_the_job(smol_runner, start_server):
    import threading

    watched = WatchedRunner(smol_runner)
    base = start_server(watched).address
    blocker = threading.Event()
    held = smol_runner.submit(lambda engine: blocker.wait(120))
    try:
        try:
            requests.post(base + "/v1/chat/completions", timeout=1.5,
                          json={"messages": [{"role": "user", "content": "Hi"}], "stream": True})
        except requests.exceptions.ReadTimeout:
            pass  # the client gives up while its request waits behind the held model
        for _ in range(200):
            if watched.futures and watched.futures[-1].cancelled():
                break
            threading.Event().wait(0.05)
        assert watched.futures[-1].cancelled()
    finally:
        blocker.set()
        held.result(timeout=60)


def test_disconnect_during_a_non_streaming_answer_cancels_it(smol_runner, start_server):
    watched = WatchedRunner(smol_runner)
    base = start_server(watched).address
    # A bare number sequence: the model must still be writing when the client goes. Worded prompts
    # ("Count from 1 to 1000: ...") end on their own after about 75 tokens here, close to the 1 s the
    # client waits, and how soon depends on the CPU's greedy path; the bare sequence runs past 400.
    body = {"prompt": "1, 2, 3, 4, 5, 6, 7, 8, 9, 10,", "n_predict": -1, "temperature": 0}
    try:
        requests.post(base + "/completion", json=body, timeout=1)
    except requests.exceptions.ReadTimeout:
        pass  # the client gives up while the answer is being generated
    started = watched.futures[-1].result(timeout=120)
    assert started.generation.stats.stop_reason == "cancelled"


def test_stopping_the_server_ends_an_open_stream_as_cancelled(smol_runner, start_server, capfd):
    """Stop cancels the generation first, so its response ends properly and is logged with its tokens,
    rather than being cut by uvicorn's shutdown (after its graceful timeout, with a traceback)."""
    import threading
    import time

    entries = []
    watched = WatchedRunner(smol_runner)
    server = start_server(watched, on_request=entries.append)
    body = {"prompt": "Count: 1, 2, 3, 4, 5,", "n_predict": -1, "stream": True, "temperature": 0}
    events: list[bytes] = []
    first = threading.Event()
    ended = threading.Event()

    def read() -> None:
        try:
            with requests.post(server.address + "/completion", json=body, stream=True, timeout=120) as reply:
                for line in reply.iter_lines():
                    if line:
                        events.append(line)
                        first.set()
        except requests.RequestException as exc:
            events.append(repr(exc).encode())
        ended.set()

    threading.Thread(target=read, daemon=True).start()
    assert first.wait(120)
    server.stop()
    assert ended.wait(60)
    stats = watched.futures[-1].result(timeout=60).generation.stats
    assert stats.stop_reason == "cancelled"
    assert b'"stop": true' in events[-1] or b'"stop":true' in events[-1], events[-1]
    # The log entry is made once the response is sent: the client may have read the end first.
    deadline = time.monotonic() + 30
    while not entries and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(entries) == 1 and entries[0].status == 200 and entries[0].tokens_out >= 1
    assert "Exception in ASGI application" not in capfd.readouterr().err
