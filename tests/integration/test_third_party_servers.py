"""The third-party server fixtures really serve: the peers that the app's server and remote engines meet.

llama-cpp-python's own OpenAI server and llama.cpp's llama-server run as real processes on 127.0.0.1
(tests/fixtures/servers.py); these tests talk to them the way clients do, with the official ``openai``
package and with llama-server's own JSON endpoints.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from llama_cpp import Llama
from openai import OpenAI

TIMEOUT_S = 120


def post(url: str, body: dict[str, Any], api_key: str | None = None) -> tuple[int, dict[str, Any]]:
    """POSTs JSON; returns the status and the decoded body, for error statuses too."""
    headers = {"Content-Type": "application/json"}
    if api_key is not None:
        headers["Authorization"] = f"Bearer {api_key}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
        return json.load(response)


def own_tokens(model: Path, text: str) -> list[int]:
    """The tokens llama.cpp itself gives ``text`` in-process (no BOS, special pieces parsed)."""
    vocab = Llama(str(model), vocab_only=True, verbose=False)
    try:
        return vocab.tokenize(text.encode(), add_bos=False, special=True)
    finally:
        vocab.close()


# llama-cpp-python's server

def test_llama_cpp_server_completes_through_the_openai_client(llama_cpp_server: str):
    client = OpenAI(base_url=llama_cpp_server + "/v1", api_key="unused", timeout=TIMEOUT_S)
    model = client.models.list().data[0].id
    completion = client.completions.create(model=model, prompt="def add(a, b):\n    return", max_tokens=8,
                                           temperature=0)
    assert completion.choices[0].text.strip()
    assert completion.usage is not None and 1 <= completion.usage.completion_tokens <= 8


def test_llama_cpp_server_streams_a_chat_through_the_openai_client(llama_cpp_server: str):
    client = OpenAI(base_url=llama_cpp_server + "/v1", api_key="unused", timeout=TIMEOUT_S)
    model = client.models.list().data[0].id
    stream = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Say hello."}],
                                            max_tokens=12, temperature=0, stream=True)
    pieces = [chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices]
    assert len([piece for piece in pieces if piece]) >= 2, pieces  # streamed, not one final blob
    assert "".join(pieces).strip()


# llama.cpp's llama-server

def test_llama_server_completes_on_smollm2(llama_server, smollm2_path: Path):
    server = llama_server(smollm2_path)
    status, body = post(server.base_url + "/completion",
                        {"prompt": "def add(a, b):\n    return", "n_predict": 8, "temperature": 0})
    assert status == 200, body
    assert body["content"].strip()
    assert 1 <= body["tokens_predicted"] <= 8
    assert get(server.base_url + "/props")["default_generation_settings"]["n_ctx"] == 2048


def test_llama_server_tokenizes_as_llama_cpp_does_in_process(llama_server, smollm2_path: Path):
    server = llama_server(smollm2_path)
    text = "def reverse(s: str) -> str:\n    return s[::-1]"
    status, body = post(server.base_url + "/tokenize", {"content": text})
    assert status == 200, body
    assert body["tokens"] == own_tokens(smollm2_path, text)
    status, back = post(server.base_url + "/detokenize", {"tokens": body["tokens"]})
    assert status == 200 and back["content"] == text


def test_llama_server_completes_on_tiny_codellama(llama_server, tiny_codellama: Path):
    server = llama_server(tiny_codellama)
    status, body = post(server.base_url + "/completion",
                        {"prompt": "def hello", "n_predict": 4, "temperature": 0})
    assert status == 200, body
    assert body["tokens_predicted"] >= 1 and isinstance(body["content"], str)


def test_llama_server_infills_with_code_llama_tokens(llama_server, tiny_codellama: Path):
    server = llama_server(tiny_codellama)
    prefix, suffix = "def hello(name):\n    ", "\n    return name\n"
    status, body = post(server.base_url + "/infill",
                        {"input_prefix": prefix, "input_suffix": suffix, "n_predict": 4, "temperature": 0,
                         "input_extra": [{"filename": "util.py", "text": "def helper():\n    pass\n"}]})
    # A model without Code Llama's <PRE>/<SUF>/<MID> pieces gets 501 "Infill is not supported".
    assert status == 200, body
    assert isinstance(body["content"], str) and body["tokens_predicted"] >= 1
    # The prompt held the prefix, the suffix and the extra chunk, not only the (empty) prompt field.
    n_prefix = len(own_tokens(tiny_codellama, prefix))
    n_suffix = len(own_tokens(tiny_codellama, suffix))
    assert body["tokens_evaluated"] >= n_prefix + n_suffix + 3


def test_llama_server_with_an_api_key_refuses_requests_without_it(llama_server, smollm2_path: Path):
    server = llama_server(smollm2_path, api_key="test-key-123")
    request = {"prompt": "Hello", "n_predict": 2}
    status, body = post(server.base_url + "/completion", request)
    assert status == 401, body
    status, body = post(server.base_url + "/completion", request, api_key="wrong-key")
    assert status == 401, body
    status, body = post(server.base_url + "/completion", request, api_key=server.api_key)
    assert status == 200, body


def test_a_missing_llama_server_names_the_build_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from tests.fixtures.servers import BUILD_COMMAND, find_llama_server, missing_llama_server_message

    monkeypatch.setenv("LLAMA_SERVER_BIN", str(tmp_path / "nowhere" / "llama-server"))
    assert find_llama_server() is None
    assert BUILD_COMMAND in missing_llama_server_message()
    assert str(tmp_path / "nowhere") in missing_llama_server_message()
