"""What the server refuses: other Host names, missing keys, large bodies, too many waiting, bad input."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
import requests

from app.core.settings import ServerSettings
from app.server import LocalServer, ServerStartError
from tests.server.conftest import free_port

CHAT = {"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 2}


def test_dns_rebinding_host_is_refused(smol_server):
    port = smol_server.rsplit(":", 1)[1]
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1:1"):
        reply = requests.get(smol_server + "/v1/models", headers={"Host": host}, timeout=30)
        assert reply.status_code == 403, host
        assert "Host" in reply.json()["error"]["message"]
    for host in (f"localhost:{port}", f"127.0.0.1:{port}"):
        assert requests.get(smol_server + "/v1/models", headers={"Host": host}, timeout=30).status_code == 200


def test_api_key_is_required_when_set(smol_runner, start_server):
    base = start_server(smol_runner, api_key="s3cret").address
    assert requests.post(base + "/v1/chat/completions", json=CHAT, timeout=60).status_code == 401
    wrong = requests.post(base + "/v1/chat/completions", json=CHAT, timeout=60,
                          headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "API key" in wrong.json()["error"]["message"]
    good = requests.post(base + "/v1/chat/completions", json=CHAT, timeout=60,
                         headers={"Authorization": "Bearer s3cret"})
    assert good.status_code == 200
    assert requests.get(base + "/health", timeout=30).status_code == 200  # open, as on llama-server


def test_openai_client_with_key(smol_runner, start_server):
    import openai

    base = start_server(smol_runner, api_key="k-123").address
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=base + "/v1", api_key="wrong", max_retries=0).models.list()
    assert openai.OpenAI(base_url=base + "/v1", api_key="k-123", max_retries=0).models.list().data


def test_other_address_needs_a_key(smol_runner):
    with pytest.raises(ServerStartError, match="API key"):
        LocalServer(smol_runner, ServerSettings(host="0.0.0.0", port=free_port()))
    with pytest.raises(ServerStartError, match="API key"):
        LocalServer(smol_runner, ServerSettings(port=free_port(), api_key_required=True))


def test_cors_off_by_default_and_on_for_listed_origins(smol_runner, start_server, smol_server):
    origin = "http://editor.example"
    preflight = {"Origin": origin, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"}
    off = requests.options(smol_server + "/v1/chat/completions", headers=preflight, timeout=30)
    assert "access-control-allow-origin" not in off.headers
    assert "access-control-allow-origin" not in requests.get(
        smol_server + "/v1/models", headers={"Origin": origin}, timeout=30).headers
    base = start_server(smol_runner, cors_origins=(origin,), api_key="k").address
    on = requests.options(base + "/v1/chat/completions", headers=preflight, timeout=30)
    assert on.status_code == 200 and on.headers["access-control-allow-origin"] == origin
    other = requests.options(base + "/v1/chat/completions", timeout=30,
                             headers={**preflight, "Origin": "http://evil.example"})
    assert other.headers.get("access-control-allow-origin") != "http://evil.example"


def test_a_listed_origin_may_send_the_openai_js_clients_headers(smol_runner, start_server):
    """The openai JavaScript client (in a page of a listed origin) adds its x-stainless-* headers, so its
    preflight names them; a preflight refused for them kept that client off a server the user opened."""
    origin = "http://localhost:3000"
    base = start_server(smol_runner, cors_origins=(origin,)).address
    preflight = requests.options(base + "/v1/chat/completions", timeout=30, headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-stainless-os,x-stainless-lang"})
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == origin
    assert "x-stainless-os" in preflight.headers["access-control-allow-headers"].lower()


def test_a_web_page_of_an_origin_not_listed_cannot_run_the_model(smol_runner, start_server, smol_server):
    """A page on any site may POST to 127.0.0.1 with a "simple" request (text/plain, no preflight): the
    Host is right and CORS only hides the answer, so the model would run for it (and fill the queue).
    Browsers name the page's origin on such requests; one not listed is refused before any work."""
    body = json.dumps({"prompt": "Hi", "max_tokens": 2})
    simple = {"Origin": "http://evil.example", "Content-Type": "text/plain"}
    refused = requests.post(smol_server + "/v1/completions", data=body, headers=simple, timeout=60)
    assert refused.status_code == 403 and "origin" in refused.json()["error"]["message"].lower()
    assert requests.post(smol_server + "/completion", data=body, timeout=60,
                         headers={**simple, "Origin": "null"}).status_code == 403  # sandboxed frames, file://
    # Tools that are not browsers send no Origin, as before; a listed origin is served (CORS on).
    assert requests.post(smol_server + "/v1/completions", data=body, timeout=60).status_code == 200
    listed = start_server(smol_runner, cors_origins=("http://editor.example",)).address
    assert requests.post(listed + "/v1/completions", data=body, timeout=60,
                         headers={**simple, "Origin": "http://editor.example"}).status_code == 200
    assert requests.post(listed + "/v1/completions", data=body, headers=simple, timeout=60).status_code == 403


def test_oversize_body_is_413(smol_runner, start_server):
    base = start_server(smol_runner, max_request_kb=1).address
    big = {"messages": [{"role": "user", "content": "x" * 5000}]}
    reply = requests.post(base + "/v1/chat/completions", json=big, timeout=30)
    assert reply.status_code == 413 and "bytes" in reply.json()["error"]["message"]

    def chunks():  # no Content-Length: the body is counted as it comes
        for _ in range(10):
            yield b"x" * 600

    chunked = requests.post(base + "/v1/chat/completions", data=chunks(), timeout=30,
                            headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413


def test_bad_json_unknown_route_and_method(smol_server):
    bad = requests.post(smol_server + "/v1/chat/completions", data=b"{nope", timeout=30)
    assert bad.status_code == 400 and "JSON" in bad.json()["error"]["message"]
    assert requests.post(smol_server + "/v1/chat/completions", json=[1], timeout=30).status_code == 400
    missing = requests.get(smol_server + "/v2/anything", timeout=30)
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "not_found_error"
    assert requests.get(smol_server + "/v1/chat/completions", timeout=30).status_code == 405


def test_queue_is_bounded(smol_runner, start_server):
    """With no room to wait, of two generations asked for at once one runs and the other gets a 503."""
    server = start_server(smol_runner, max_waiting=0)
    blocker = threading.Event()
    held = smol_runner.submit(lambda engine: blocker.wait(120))  # the model thread is busy until released
    replies: list[requests.Response] = []
    answered = threading.Semaphore(0)

    def ask() -> None:
        replies.append(requests.post(server.address + "/v1/chat/completions", json=CHAT, timeout=180))
        answered.release()

    workers = [threading.Thread(target=ask) for _ in range(2)]
    for worker in workers:
        worker.start()
    try:
        assert answered.acquire(timeout=120)  # the refused one answers while the model is still held
        assert replies[0].status_code == 503
        error = replies[0].json()["error"]
        assert error["type"] == "unavailable_error" and "busy" in error["message"]
    finally:
        blocker.set()
        held.result(timeout=60)
        for worker in workers:
            worker.join(180)
    assert sorted(r.status_code for r in replies) == [200, 503]


def test_the_bound_counts_tokenizing_too(smol_runner, start_server):
    """/tokenize, /detokenize and /props run on the model's thread as generations do: a flood of them
    (each up to the body limit) queued without bound behind the chat pane and the editors."""
    server = start_server(smol_runner, max_waiting=0)
    blocker = threading.Event()
    held = smol_runner.submit(lambda engine: blocker.wait(120))
    replies: list[requests.Response] = []
    answered = threading.Semaphore(0)

    def ask(path: str, body: dict | None) -> None:
        method = requests.post if body is not None else requests.get
        replies.append(method(server.address + path, json=body, timeout=180))
        answered.release()

    workers = [threading.Thread(target=ask, args=args) for args in
               (("/tokenize", {"content": "one"}), ("/detokenize", {"tokens": [1]}), ("/props", None))]
    for worker in workers:
        worker.start()
    try:
        for _ in range(2):  # two of the three are refused while the model is still held
            assert answered.acquire(timeout=120)
        assert [r.status_code for r in replies] == [503, 503]
        assert replies[0].json()["error"]["type"] == "unavailable_error"
    finally:
        blocker.set()
        held.result(timeout=60)
        for worker in workers:
            worker.join(180)
    assert sorted(r.status_code for r in replies) == [200, 503, 503]


def test_next_free_port(smol_runner, start_server):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = start_server(smol_runner, port=port)
        assert server.address.startswith("http://127.0.0.1:") and not server.address.endswith(f":{port}")
        assert requests.get(server.address + "/health", timeout=30).json() == {"status": "ok"}


def test_request_log(smol_runner, start_server):
    entries = []
    server = start_server(smol_runner, on_request=entries.append)
    requests.post(server.address + "/v1/chat/completions", json=CHAT, timeout=60)
    requests.get(server.address + "/nope", timeout=30)
    # An entry is made once its response has been sent, so the client may read the answer first.
    deadline = time.monotonic() + 30
    while len(entries) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    chat, missing = entries[-2], entries[-1]
    assert (chat.method, chat.path, chat.status) == ("POST", "/v1/chat/completions", 200)
    assert chat.tokens_in > 0 and chat.tokens_out >= 1 and chat.client.startswith("127.0.0.1:")
    assert missing.status == 404 and json.dumps(missing.line())


def test_listening_socket_is_tcp_so_replies_are_not_held_by_nagle():
    """asyncio sets TCP_NODELAY only on sockets created with IPPROTO_TCP; without it every reply
    written in two parts (headers, body) waited for the client's delayed ACK (~40 ms a request)."""
    from app.server.local_server import bind_socket

    sock = bind_socket("127.0.0.1", free_port())
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


def test_every_address_takes_any_host_name_but_still_the_key(smol_runner, start_server):
    """On 0.0.0.0 other machines name the server by its LAN name or address: the key guards it."""
    server = start_server(smol_runner, host="0.0.0.0", api_key="lan-key")
    port = server.address.rsplit(":", 1)[1]
    url = f"http://127.0.0.1:{port}/v1/models"
    named = {"Host": f"workstation.lan:{port}"}
    assert requests.get(url, headers=named, timeout=30).status_code == 401
    assert requests.get(url, headers={**named, "Authorization": "Bearer lan-key"}, timeout=30).status_code == 200
