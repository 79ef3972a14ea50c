"""RemoteEngine against llama-cpp-python's own OpenAI server (a real process on 127.0.0.1, SmolLM2).

That server takes chat messages only (no token-id prompts), so these cover the chat-completions
route and the errors every server can give: a wrong key, an unknown model, an overflowing prompt,
a server that dies mid-answer, one that is not there, and Stop.
"""

from __future__ import annotations

import threading

import pytest

from app.core.infill.fill import FillMode, describe_fill, start_fill
from app.core.infill.prompt import InfillRequest
from app.core.prompts.chat import ChatMessage
from app.core.remote.engine import RemoteConfig, RemoteEngine
from app.core.remote.errors import (
    RemoteAuthError,
    RemoteContextError,
    RemoteModelError,
    RemoteStreamError,
    RemoteUnreachableError,
)
from app.core.remote.probe import ChatRoute, ServerKind
from app.core.settings import SamplingSettings
from tests.fixtures.servers import free_port, start_llama_cpp_server

GREEDY = SamplingSettings(temperature=0.0, max_tokens=24, seed=1)


@pytest.fixture(scope="module")
def remote(llama_cpp_server: str):
    engine = RemoteEngine(RemoteConfig(llama_cpp_server))
    yield engine
    engine.close()


def test_the_report_names_the_server_and_what_is_lost(remote: RemoteEngine) -> None:
    report = remote.report
    assert report.kind is ServerKind.LLAMA_CPP_PYTHON
    assert report.route is ChatRoute.CHAT_MESSAGES
    assert remote.info.model_name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    text = "\n".join(report.lines())
    assert "not token-exact" in text and "Takes token ids: no" in text


def test_chat_streams_an_answer(remote: RemoteEngine) -> None:
    generation = remote.chat([ChatMessage("user", "Name a colour.")], GREEDY)
    answer = generation.text()
    assert answer.strip()
    assert generation.stats.stop_reason in ("end", "length")
    assert generation.stats.generated_tokens > 0


def test_counts_come_from_the_servers_tokenizer(remote: RemoteEngine, smollm2_engine) -> None:
    text = "def add(a, b):\n    return a + b  # the sum"
    assert remote.count_tokens(text) == smollm2_engine.count_tokens(text)


def test_an_instruction_fill_goes_through_chat(remote: RemoteEngine) -> None:
    assert describe_fill(remote.info).mode is FillMode.INSTRUCTION
    generation = start_fill(remote, InfillRequest("def add(a, b):\n    return ", "\n", path="m.py"),
                            SamplingSettings(temperature=0.0, max_tokens=24, seed=1))
    generation.text()
    assert generation.stats.generated_tokens > 0


def test_an_unknown_model_is_named_with_what_the_server_serves(llama_cpp_server: str) -> None:
    with pytest.raises(RemoteModelError, match="no-such-model.*it serves: .*SmolLM2"):
        RemoteEngine(RemoteConfig(llama_cpp_server, model="no-such-model"))


def test_an_overflowing_prompt_says_both_counts(llama_cpp_server: str) -> None:
    long_text = "word " * 2600  # the server's context is 2048 tokens
    # The server does not tell its context size: the app assumes 4096, so the server refuses it.
    engine = RemoteEngine(RemoteConfig(llama_cpp_server))
    try:
        with pytest.raises(RemoteContextError) as refused:
            engine.chat([ChatMessage("user", long_text)], GREEDY).text()
        assert refused.value.n_ctx == 2048 and refused.value.prompt_tokens > 2048
    finally:
        engine.close()
    # Told the context size, the app refuses it before sending, with its own count.
    engine = RemoteEngine(RemoteConfig(llama_cpp_server, n_ctx=2048))
    try:
        with pytest.raises(RemoteContextError, match="2,048") as refused:
            engine.chat([ChatMessage("user", long_text)], GREEDY)
        assert refused.value.prompt_tokens > 2048
    finally:
        engine.close()


def test_cancel_stops_the_answer(remote: RemoteEngine) -> None:
    cancel = threading.Event()
    generation = remote.chat([ChatMessage("user", "Write a long story about a dragon and a knight.")],
                             SamplingSettings(temperature=0.8, max_tokens=400, seed=3), cancel)
    pieces = []
    for piece in generation:
        pieces.append(piece)
        if len(pieces) == 2:
            cancel.set()
    assert generation.stats.stop_reason == "cancelled"
    assert len(pieces) <= 3  # a piece already read may still come; the stream ends there
    # The connection was dropped, not the engine: the next question is answered.
    assert remote.chat([ChatMessage("user", "Say yes.")], GREEDY).text().strip()


def test_a_wrong_key_is_refused_with_advice(smollm2_path) -> None:
    with start_llama_cpp_server(smollm2_path, n_ctx=512, api_key="right-key") as server:
        with pytest.raises(RemoteAuthError, match="API key"):
            RemoteEngine(RemoteConfig(server.base_url, key="wrong-key"))
        with pytest.raises(RemoteAuthError):
            RemoteEngine(RemoteConfig(server.base_url))
        engine = RemoteEngine(RemoteConfig(server.base_url, key="right-key"))
        try:
            assert engine.chat([ChatMessage("user", "Say yes.")], GREEDY).text().strip()
        finally:
            engine.close()


def test_a_server_killed_mid_answer_is_a_clear_error(smollm2_path) -> None:
    with start_llama_cpp_server(smollm2_path, n_ctx=512) as server:
        engine = RemoteEngine(RemoteConfig(server.base_url))
        try:
            generation = engine.chat([ChatMessage("user", "Write a long story about a dragon.")],
                                     SamplingSettings(temperature=0.8, max_tokens=400, seed=5))
            with pytest.raises(RemoteStreamError, match="middle of the answer|before finishing"):
                for index, _piece in enumerate(generation):
                    if index == 1:
                        server.process.kill()
        finally:
            engine.close()


def test_nothing_listening_is_unreachable() -> None:
    with pytest.raises(RemoteUnreachableError, match="Is the server running"):
        RemoteEngine(RemoteConfig(f"127.0.0.1:{free_port()}"))


def test_cancel_during_a_long_prompt_ends_the_wait(remote: RemoteEngine) -> None:
    """While the server reads the prompt nothing arrives to read between; Stop closes the connection."""
    cancel = threading.Event()
    generation = remote.chat([ChatMessage("user", "Summarise: " + "the quick brown fox jumps over the lazy dog. " * 150)],
                             SamplingSettings(temperature=0.0, max_tokens=200, seed=1), cancel)
    timer = threading.Timer(0.3, cancel.set)
    timer.start()
    try:
        generation.text()
    finally:
        timer.cancel()
    assert generation.stats.stop_reason == "cancelled"
