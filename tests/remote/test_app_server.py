"""RemoteEngine against this app's own server (`codellama-desktop serve`, app.server) on real models.

The app's server speaks llama-server's API (/props, /tokenize, /detokenize, /completion with token
ids, /infill), so a second copy of the app can drive it token-exactly: the prompt the server runs is
the one the local engine would build, and a follow-up is served from its cache.
"""

from __future__ import annotations

import pytest

from app.core.engine import LoadOptions, LocalEngine
from app.core.infill.fill import start_fill
from app.core.infill.prompt import InfillRequest
from app.core.prompts.chat import ChatMessage
from app.core.remote.engine import InfillRoute, RemoteConfig, RemoteEngine
from app.core.remote.probe import ChatRoute, ServerKind
from app.core.settings import SamplingSettings
from tests.server.conftest import smol_runner, start_server, tiny_runner  # noqa: F401 - the server tests' fixtures

GREEDY = SamplingSettings(temperature=0.0, max_tokens=12, seed=1)
DIALOG = [ChatMessage("system", "You answer briefly."), ChatMessage("user", "What is a list?"),
          ChatMessage("assistant", "An ordered collection."), ChatMessage("user", "And a <|im_start|> tuple?")]


@pytest.fixture
def remote_smol(smol_runner, start_server):  # noqa: F811
    engine = RemoteEngine(RemoteConfig(start_server(smol_runner).address))
    yield engine
    engine.close()


def test_the_apps_server_is_found_and_takes_token_ids(remote_smol: RemoteEngine) -> None:
    assert remote_smol.report.kind is ServerKind.CODELLAMA_DESKTOP
    assert remote_smol.route is ChatRoute.TOKEN_IDS and remote_smol.chat_format == "template"
    assert remote_smol.info.n_ctx == 2048


def test_chat_is_token_exact_and_a_follow_up_is_served_from_the_cache(remote_smol: RemoteEngine,
                                                                      smollm2_engine: LocalEngine) -> None:
    expected = smollm2_engine.build_prompt(DIALOG).tokens
    assert remote_smol.build_prompt(DIALOG).tokens == expected
    first = remote_smol.chat(DIALOG, GREEDY)
    answer = first.text()
    assert answer.strip() and first.stats.prompt_tokens == len(expected)
    follow = [*DIALOG, ChatMessage("assistant", answer), ChatMessage("user", "Why?")]
    second = remote_smol.chat(follow, GREEDY)
    second.text()
    assert second.stats.reused_tokens >= len(expected) - 1


def test_infill_goes_as_the_apps_tokens(tiny_runner, start_server, tiny_codellama) -> None:  # noqa: F811
    remote = RemoteEngine(RemoteConfig(start_server(tiny_runner).address))
    local = LocalEngine(tiny_codellama, chat_format="codellama-instruct", options=LoadOptions(context_limit=1024))
    try:
        assert remote.infill_route is InfillRoute.TOKEN_IDS and remote.info.infill_format == "Code Llama"
        request = InfillRequest("def add(a, b):\n    return ", "\n\nprint(add(1, 2))\n", path="m.py",
                                suffix_first=True)
        expected = local.infill_prompt(request, 8).tokens
        assert remote.infill_prompt(request, 8).tokens == expected
        generation = start_fill(remote, request, SamplingSettings(temperature=0.0, max_tokens=8))
        generation.text()
        assert generation.stats.prompt_tokens == len(expected)
    finally:
        local.close()
        remote.close()


def test_serving_a_remote_engine_is_llama_servers_501_for_what_needs_a_local_model(smol_runner,  # noqa: F811
                                                                                 start_server) -> None:  # noqa: F811
    """The app serving a model it drives on another server (the GUI's switch while a remote engine is in
    use): chat and /tokenize go through that server; a token-id /completion, /detokenize and token pieces
    need llama.cpp here, so they are a 501 with llama-server's type name for it. They were 500s
    ("AttributeError: 'RemoteTokenizer' object has no attribute 'n_vocab'")."""
    import requests

    from app.core.model_runner import ModelThread

    upstream = start_server(smol_runner).address
    runner = ModelThread(lambda: RemoteEngine(RemoteConfig(upstream)), name="remote-model")
    runner.start().result(timeout=120)
    try:
        front = start_server(runner).address
        for path, body in (("/completion", {"prompt": "Hi", "n_predict": 2}), ("/detokenize", {"tokens": [1, 2]}),
                           ("/tokenize", {"content": "hi", "with_pieces": True})):
            reply = requests.post(front + path, json=body, timeout=60)
            assert reply.status_code == 501, (path, reply.text)
            error = reply.json()["error"]
            assert error["type"] == "not_supported_error" and "another server" in error["message"]
        assert requests.post(front + "/tokenize", json={"content": "hi"}, timeout=60).json()["tokens"]
        chat = requests.post(front + "/v1/chat/completions", timeout=60,
                             json={"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2})
        assert chat.status_code == 200 and chat.json()["choices"][0]["message"]["content"]
    finally:
        runner.close()
