"""How the remote client reads addresses and the error bodies servers send (shapes from their sources:
llama-server's format_error_response, llama-cpp-python's ErrorResponseFormatters, Ollama, FastAPI)."""

from __future__ import annotations

import pytest

from app.core.remote.errors import (
    RemoteAuthError,
    RemoteContextError,
    RemoteError,
    RemoteModelError,
    RemoteUnsupportedError,
)
from app.core.remote.http import RemoteClient, normalize_url
from tests.server.conftest import smol_runner, start_server  # noqa: F401 - the server tests' fixtures


@pytest.mark.parametrize(("given", "root"), [
    ("127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("http://gpu-box:8000/v1", "http://gpu-box:8000"),
    ("https://llm.example.org/api/v1/", "https://llm.example.org/api"),
    (" http://localhost:11434/ ", "http://localhost:11434"),
])
def test_addresses_become_the_servers_root(given: str, root: str) -> None:
    assert normalize_url(given) == root


@pytest.mark.parametrize("bad", ["", "   ", "ftp://host/file", "http://"])
def test_a_bad_address_is_one_clear_error(bad: str) -> None:
    with pytest.raises(RemoteError):
        normalize_url(bad)


@pytest.fixture
def client():
    made = RemoteClient("127.0.0.1:9")
    yield made
    made.close()


def test_llama_servers_overflow_carries_both_counts(client: RemoteClient) -> None:
    body = {"error": {"code": 400, "message": "the request exceeds the available context size",
                      "type": "exceed_context_size_error", "n_prompt_tokens": 5000, "n_ctx": 4096}}
    error = client.error_for(400, body, "/completion")
    assert isinstance(error, RemoteContextError)
    assert (error.prompt_tokens, error.n_ctx) == (5000, 4096) and "5,000 tokens" in error.message


def test_an_openai_style_overflow_message_is_read_for_its_counts(client: RemoteClient) -> None:
    body = {"error": {"message": "This model's maximum context length is 2048 tokens. However, you requested 3000 "
                                 "tokens (2990 in the messages, 10 in the completion).", "code": "context_length_exceeded"}}
    error = client.error_for(400, body, "/v1/chat/completions")
    assert isinstance(error, RemoteContextError) and (error.prompt_tokens, error.n_ctx) == (2990, 2048)


def test_keys_models_and_missing_endpoints(client: RemoteClient) -> None:
    assert isinstance(client.error_for(401, {"error": {"message": "Invalid API Key"}}, "/v1/models"), RemoteAuthError)
    assert isinstance(client.error_for(403, None, "/tokenize"), RemoteAuthError)
    assert isinstance(client.error_for(404, {"error": "model 'llama9' not found"}, "/v1/chat/completions"),
                      RemoteModelError)
    assert isinstance(client.error_for(404, {"detail": "Not Found"}, "/props"), RemoteUnsupportedError)
    loading = client.error_for(503, {"error": {"code": 503, "message": "Loading model", "type": "unavailable_error"}},
                               "/completion")
    assert loading.retryable and "Loading model" in loading.message


@pytest.mark.parametrize("key", ["sk-ключ", "sk-ab\u00a0c", "sk-a\nX-Injected: 1"])
def test_a_key_no_header_can_carry_is_one_clear_error(key: str) -> None:
    """A key pasted with a non-ASCII character (a no-break space, a curly quote) raised a bare
    UnicodeEncodeError on the first request; a line break would have split the header."""
    with pytest.raises(RemoteAuthError, match="API key"):
        RemoteClient("http://127.0.0.1:1", key).get("/v1/models")


def test_a_key_read_with_its_line_break_is_sent_without_it(smol_runner, start_server) -> None:  # noqa: F811
    base = start_server(smol_runner, api_key="sk-123").address
    client = RemoteClient(base, " sk-123\n")
    try:
        assert client.get("/v1/models").status == 200
    finally:
        client.close()


def test_a_server_that_redirects_is_named_with_where_it_points() -> None:
    """A reverse proxy that sends http:// to https:// (or a wrong path) answers every endpoint with a
    redirect; Test connection took that for a llama-cpp-python server with an assumed 4,096 context."""
    import http.server
    import threading

    from app.core.remote.engine import RemoteConfig, check_connection

    class Redirect(http.server.BaseHTTPRequestHandler):
        def answer(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            self.send_response(301)
            self.send_header("Location", "https://secure.example" + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = answer

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(RemoteError, match="redirect") as caught:
            check_connection(RemoteConfig(f"http://127.0.0.1:{server.server_address[1]}"))
        assert "https://secure.example" in caught.value.message
    finally:
        server.shutdown()
        server.server_close()


def test_a_web_page_is_not_taken_for_a_server() -> None:
    """An address that serves a web app (a chat front end's port, a single-page app answering every
    path with its page) was reported as a llama-cpp-python server with an assumed context."""
    import http.server
    import threading

    from app.core.remote.engine import RemoteConfig, check_connection

    class Page(http.server.BaseHTTPRequestHandler):
        def answer(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            page = b"<!doctype html><html><body>app</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        do_GET = do_POST = answer

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(RemoteUnsupportedError, match="not a model list"):
            check_connection(RemoteConfig(f"http://127.0.0.1:{server.server_address[1]}"))
    finally:
        server.shutdown()
        server.server_close()
