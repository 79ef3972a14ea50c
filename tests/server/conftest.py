"""Real servers for the server tests: LocalServer on 127.0.0.1 over real llama.cpp models.

`smol_runner` is a ModelThread over the embedded SmolLM2 (chat, completion); `tiny_runner` over the
generated tiny Code Llama (infill tokens, random weights). `start_server(runner, **settings)` starts
a LocalServer on a free port and stops it after the test.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Callable

import pytest

from app.core.engine import LoadOptions, LocalEngine
from app.core.model_runner import ModelThread
from app.core.settings import SamplingSettings, ServerSettings
from app.server import LocalServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _runner(open_engine: Callable[[], LocalEngine]) -> ModelThread:
    runner = ModelThread(open_engine, name="test-inference")
    runner.start().result(timeout=120)
    return runner


@pytest.fixture(scope="session")
def smol_runner(smollm2_path: Path):
    runner = _runner(lambda: LocalEngine(smollm2_path, chat_format="template", name="SmolLM2",
                                         options=LoadOptions(context_limit=2048)))
    yield runner
    runner.close()


@pytest.fixture(scope="session")
def tiny_runner(tiny_codellama: Path):
    runner = _runner(lambda: LocalEngine(tiny_codellama, chat_format="codellama-instruct", name="tiny-codellama",
                                         options=LoadOptions(context_limit=1024)))
    yield runner
    runner.close()


# Short answers keep the suite quick on two shared cores; a request may ask for more.
TEST_SAMPLING = SamplingSettings(max_tokens=16, seed=7)


@pytest.fixture
def start_server(tmp_path: Path):
    started: list[LocalServer] = []

    def start(runner, *, api_key: str = "", repositories=(), on_request=None, **settings) -> LocalServer:
        settings.setdefault("port", free_port())
        server = LocalServer(runner, ServerSettings(**settings), api_key=api_key, repositories=repositories,
                             on_request=on_request, sampling=TEST_SAMPLING, cache_dir=tmp_path / "cache")
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def smol_server(smol_runner, start_server) -> str:
    """Base URL of a default server over SmolLM2."""
    return start_server(smol_runner).address
