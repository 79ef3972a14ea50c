"""Streaming through the app's local server vs the same generation in-process.

The same chat (same prompt, seed and sampling, so the same tokens) is generated on the same
ModelThread twice per run: in-process (the model thread's pieces read directly) and through
LocalServer as an SSE stream read by a plain HTTP connection in this process. Runs alternate so both
see the same warm cache and machine load. Reported: tokens/s (server / in-process, target >= 0.95)
and time to first token (added by the server, target < 10 ms), medians over the runs.

    .venv/bin/python benchmarks/server_stream.py [--tokens 256] [--runs 7]
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import threading
import time

from _common import embedded_model, median, verdict

from app.core.engine import LoadOptions, LocalEngine
from app.core.model_runner import ModelThread
from app.core.prompts.chat import ChatMessage
from app.core.settings import SamplingSettings, ServerSettings
from app.server import LocalServer

PROMPT = "Write a long, well-commented Python module that implements a command-line todo list manager."


def in_process(runner: ModelThread, sampling: SamplingSettings) -> tuple[float, float, int]:
    """(time to first piece, tokens/s, tokens) read on the model thread itself, timed from submit."""
    started = time.perf_counter()
    marks: list[float] = []

    def work(engine):
        generation = engine.chat([ChatMessage("user", PROMPT)], sampling, threading.Event())
        for _ in generation:
            marks.append(time.perf_counter())
        return generation.stats

    stats = runner.submit(work).result()
    return marks[0] - started, _rate(stats.generated_tokens, marks), stats.generated_tokens


def through_server(conn: http.client.HTTPConnection, sampling: SamplingSettings) -> tuple[float, float, int]:
    """The same chat as an SSE stream, read line by line by a plain kept-alive HTTP connection."""
    body = json.dumps({"messages": [{"role": "user", "content": PROMPT}], "max_tokens": sampling.max_tokens,
                       "stream": True, "seed": sampling.seed, "temperature": sampling.temperature,
                       "top_p": sampling.top_p, "stream_options": {"include_usage": True}})
    marks: list[float] = []
    tokens = 0
    if conn.sock is None:
        conn.connect()  # outside the timing: a client keeps its connection open between requests
    started = time.perf_counter()
    conn.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
    reply = conn.getresponse()
    while line := reply.readline():
        if not line.startswith(b"data: {"):
            continue
        event = json.loads(line[6:])
        if event.get("usage"):
            tokens = event["usage"]["completion_tokens"]
        elif event["choices"] and event["choices"][0]["delta"].get("content"):
            marks.append(time.perf_counter())
    if reply.will_close:
        conn.close()
    return marks[0] - started, _rate(tokens, marks), tokens


def _health(conn: http.client.HTTPConnection) -> float:
    if conn.sock is None:
        conn.connect()
    started = time.perf_counter()
    conn.request("GET", "/health")
    conn.getresponse().read()
    return time.perf_counter() - started


def _rate(tokens: int, marks: list[float]) -> float:
    return (tokens - 1) / (marks[-1] - marks[0]) if tokens > 1 and marks[-1] > marks[0] else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=256)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    sampling = SamplingSettings(max_tokens=args.tokens, seed=42, temperature=0.7)
    path = embedded_model()
    runner = ModelThread(lambda: LocalEngine(path, chat_format="template", options=LoadOptions(context_limit=2048)))
    runner.start().result()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = LocalServer(runner, ServerSettings(port=port), sampling=sampling)
    server.start()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)  # kept alive, as an editor's client
    try:
        in_process(runner, sampling)  # warm-up: both paths then start from the same cached prompt
        through_server(conn, sampling)
        local, served = [], []
        for _ in range(args.runs):
            local.append(in_process(runner, sampling))
            served.append(through_server(conn, sampling))
        round_trip = median([_health(conn) for _ in range(20)])
    finally:
        conn.close()
        server.stop()
        runner.close()
    ttft_local, ttft_served = median([r[0] for r in local]), median([r[0] for r in served])
    rate_local, rate_served = median([r[1] for r in local]), median([r[1] for r in served])
    ratio = rate_served / rate_local
    added_ms = median([(s[0] - r[0]) * 1000 for r, s in zip(local, served)])  # paired: same moment's load
    print(f"command: .venv/bin/python benchmarks/server_stream.py --tokens {args.tokens} --runs {args.runs}")
    print(f"tokens per run: in-process {[r[2] for r in local]}, server {[r[2] for r in served]}")
    print(f"in-process: {rate_local:.1f} tokens/s, first token {ttft_local * 1000:.1f} ms")
    print(f"server SSE: {rate_served:.1f} tokens/s, first token {ttft_served * 1000:.1f} ms")
    print(f"tokens/s ratio {ratio:.3f} (target >= 0.95): {verdict(ratio >= 0.95)}")
    print(f"added time to first token {added_ms:.1f} ms, median of the paired runs (target < 10 ms): "
          f"{verdict(added_ms < 10)}; a bare GET /health round trip here: {round_trip * 1000:.1f} ms")


if __name__ == "__main__":
    main()
