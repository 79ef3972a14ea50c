"""The HTTP client of a remote engine: JSON requests and cancellable server-sent-event streams.

Built on httpx2 (the maintained successor of httpx, which openai and huggingface-hub already pull in
here): one pooled connection per server, so a follow-up reuses it; separate connect and read
timeouts. Every failure leaves this module as a typed RemoteError (errors.py), never as an httpx2
exception.

Cancelling: a stream is read on the thread that owns the engine, which blocks in a socket read
while the server evaluates a long prompt. A small watcher thread waits on the cancel event and
closes the response, which ends that read at once; the server sees the connection go and stops.

Threads: a RemoteClient belongs to the engine's thread; only the watcher, which it starts, closes
a response from another thread.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import urlsplit

import httpx2

from app.core.i18n import translate
from app.core.remote.errors import (
    RemoteAuthError,
    RemoteContextError,
    RemoteError,
    RemoteModelError,
    RemoteStreamError,
    RemoteTimeoutError,
    RemoteUnreachableError,
    RemoteUnsupportedError,
    context_message,
)

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 600.0  # a remote CPU reading a 16k-token prompt is slow, but never silent for ten minutes
MAX_ERROR_BYTES = 64 * 1024
DONE = object()  # what a stream yields for OpenAI's `data: [DONE]`


def normalize_url(url: str) -> str:
    """`host:port`, `http://host:port/` or an OpenAI base URL (`.../v1`) as the server's root URL."""
    text = url.strip()
    if not text:
        raise RemoteError(translate("core", "The server address is empty; give one such as http://127.0.0.1:8080."))
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RemoteError(translate("core", "{url!r} is not an http:// or https:// server address.").format(url=url))
    path = re.sub(r"/v1/?$", "", parts.path.rstrip("/"))
    return f"{parts.scheme}://{parts.netloc}{path}"


@dataclass(frozen=True)
class Reply:
    status: int
    data: Any  # the JSON body, or None when it was not JSON


class RemoteClient:
    """JSON over HTTP to one server, with the user's key as a bearer token."""

    def __init__(self, url: str, key: str = "", *, read_timeout_s: float = READ_TIMEOUT_S) -> None:
        self.url = normalize_url(url)
        self.name = urlsplit(self.url).netloc  # how messages name the server
        key = key.strip()  # a key read from a file or pasted keeps its line break or spaces around it
        if key and not all(" " < ch <= "~" for ch in key):
            # A header carries printable ASCII only: a no-break space or curly quote pasted with the key
            # was a bare UnicodeEncodeError on the first request, and a line break would split the header.
            raise RemoteAuthError(translate(
                "core", "The API key has a character an HTTP header cannot carry (a space, a line break or a non-ASCII "
                "letter, often picked up when copying it); paste it again."))
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._http = httpx2.Client(base_url=self.url, headers=headers, follow_redirects=False,
                                   timeout=httpx2.Timeout(read_timeout_s, connect=CONNECT_TIMEOUT_S))

    def close(self) -> None:
        self._http.close()

    # Plain requests ------------------------------------------------------------------------------
    def get(self, path: str, *, timeout_s: float | None = None) -> Reply:
        """GET `path`; any status comes back (probing asks for endpoints a server may not have)."""
        return self._send("GET", path, None, timeout_s)

    def post(self, path: str, body: dict, *, timeout_s: float | None = None) -> Reply:
        return self._send("POST", path, body, timeout_s)

    def post_ok(self, path: str, body: dict, *, timeout_s: float | None = None) -> Any:
        """POST `path` and return its JSON; a failure status is raised as its RemoteError."""
        reply = self.post(path, body, timeout_s=timeout_s)
        if reply.status >= 400:
            raise self.error_for(reply.status, reply.data, path)
        return reply.data

    def _send(self, method: str, path: str, body: dict | None, timeout_s: float | None) -> Reply:
        extra = {"timeout": timeout_s} if timeout_s is not None else {}
        try:
            response = self._http.request(method, path, json=body, **extra)
        except httpx2.HTTPError as exc:
            raise self._transport_error(exc) from None
        self._refuse_redirect(response, path)
        return Reply(response.status_code, _json_or_none(response.content))

    # Streams -----------------------------------------------------------------------------------
    def stream(self, path: str, body: dict, cancel: threading.Event | None) -> Iterator[Any]:
        """POST `path` and yield each SSE `data:` event as parsed JSON (DONE for `[DONE]`).

        Ends quietly when the server closes the stream, or when `cancel` is set (the caller sees
        the event is set). A failure status before the stream raises its RemoteError; a connection
        lost mid-stream raises RemoteStreamError.
        """
        finished = threading.Event()
        try:
            with self._http.stream("POST", path, json=body) as response:
                self._refuse_redirect(response, path)
                if response.status_code >= 400:
                    raw = response.read()[:MAX_ERROR_BYTES]
                    raise self.error_for(response.status_code, _json_or_none(raw), path)
                if cancel is not None:
                    threading.Thread(target=_close_on_cancel, args=(cancel, finished, response),
                                     name="remote-cancel", daemon=True).start()
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue  # comments (": ping"), event names, blank separators
                    payload = line[5:].strip()
                    if payload == "[DONE]":
                        yield DONE
                        continue
                    try:
                        yield json.loads(payload)
                    except ValueError:
                        raise RemoteStreamError(translate(
                            "core", "{name} sent a line that is not JSON: {payload!r}"
                        ).format(name=self.name, payload=payload[:80])) from None
        except RemoteError:
            raise
        except httpx2.HTTPError as exc:
            if cancel is not None and cancel.is_set():
                return  # the watcher closed the response: a Stop, not a failure
            if isinstance(exc, (httpx2.RemoteProtocolError, httpx2.ReadError, httpx2.StreamError)):
                raise RemoteStreamError(translate(
                    "core", "{name} closed the connection in the middle of the answer ({type}); the server may have stopped "
                    "or crashed.").format(name=self.name, type=type(exc).__name__)) from None
            raise self._transport_error(exc) from None
        finally:
            finished.set()

    # Errors ------------------------------------------------------------------------------------
    def _refuse_redirect(self, response: httpx2.Response, path: str) -> None:
        """An API server does not redirect its endpoints; a proxy sending http:// to https://, or an
        address that is not the server's root, does. Not followed (the key would go with it), and
        said, rather than read as a server without those endpoints."""
        if 300 <= response.status_code < 400:
            target = response.headers.get("location", "")
            raise RemoteUnreachableError(
                translate(
                    "core", "{url} redirects {path} ({status_code}) to {target}; give the server's own address (for example "
                    "its https:// one)."
                ).format(url=self.url, path=path, status_code=response.status_code,
                         target=target or translate("core", "another address")))

    def _transport_error(self, exc: httpx2.HTTPError) -> RemoteError:
        if isinstance(exc, httpx2.TimeoutException):
            what = translate("core", "connecting") if isinstance(exc, httpx2.ConnectTimeout) else \
                translate("core", "waiting for an answer")
            return RemoteTimeoutError(translate(
                "core", "{name} did not respond in time ({what}); is it busy or stopped?").format(name=self.name, what=what))
        if isinstance(exc, httpx2.ConnectError):
            return RemoteUnreachableError(translate(
                "core", "Cannot reach {url}: {reason}. Is the server running, and is the address right?"
            ).format(url=self.url, reason=_reason(exc)))
        return RemoteUnreachableError(translate("core", "{url} failed: {reason}.").format(url=self.url, reason=_reason(exc)))

    def error_for(self, status: int, data: Any, path: str) -> RemoteError:
        """The typed error for a failure reply, with the server's own words."""
        message, kind, counts = _error_fields(data)
        said = f": {message}" if message else ""
        if status in (401, 403):
            return RemoteAuthError(translate(
                "core", "{name} refused the request ({status}{said}). Check the API key (--remote-key, CODELLAMA_REMOTE_KEY, "
                "or the Models window).").format(name=self.name, status=status, said=said))
        if kind == "exceed_context_size_error" or _CONTEXT_RE.search(message):
            prompt, n_ctx = counts
            if not (prompt and n_ctx):
                prompt, n_ctx = _counts_in(message)
            return RemoteContextError(context_message(self.name, prompt, n_ctx), prompt, n_ctx)
        if status in (400, 404) and re.search(r"\bmodel\b.*(not found|does not exist|not exist)", message, re.I):
            return RemoteModelError(translate(
                "core", "{name} does not serve that model{said}.").format(name=self.name, said=said))
        if status in (404, 405, 501):
            return RemoteUnsupportedError(translate(
                "core", "{name} has no {path} ({status}{said}).").format(name=self.name, path=path, status=status, said=said))
        if status == 503:
            return RemoteError(translate(
                "core", "{name} is not ready ({status}{said}); try again shortly."
            ).format(name=self.name, status=status, said=said), retryable=True)
        return RemoteError(translate(
            "core", "{name} answered {status} to {path}{said}.").format(name=self.name, status=status, path=path, said=said))


_CONTEXT_RE = re.compile(r"context (length|size|window)|exceeds? the (available )?context|maximum context", re.I)


def _counts_in(message: str) -> tuple[int, int]:
    """(prompt tokens, context) from an OpenAI-style overflow message, (0, 0) when it names none."""
    n_ctx = re.search(r"(?:maximum context length|context (?:size|length|window)) (?:is|of) (\d+)", message)
    prompt = (re.search(r"(\d+) (?:tokens )?in (?:the messages|your prompt|the prompt)", message)
              or re.search(r"(?:requested|requesting|you have|prompt (?:has|of|contains)) (\d+)", message))
    return (int(prompt.group(1)) if prompt else 0), (int(n_ctx.group(1)) if n_ctx else 0)


def _error_fields(data: Any) -> tuple[str, str, tuple[int, int]]:
    """(message, type, (n_prompt_tokens, n_ctx)) from the error bodies servers send."""
    if isinstance(data, dict):
        error = data.get("error", data)
        if isinstance(error, str):
            return error, "", (0, 0)  # Ollama: {"error": "model 'x' not found"}
        if isinstance(error, dict):
            detail = error.get("message") or error.get("detail") or ""
            if isinstance(detail, list):  # FastAPI's validation errors
                detail = "; ".join(str(item.get("msg", item)) if isinstance(item, dict) else str(item) for item in detail)
            counts = (_int(error.get("n_prompt_tokens")), _int(error.get("n_ctx")))
            return str(detail), str(error.get("type") or ""), counts
    return "", "", (0, 0)


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw[:MAX_ERROR_BYTES * 64])
    except ValueError:
        return None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text[:200] if text else type(exc).__name__


def _close_on_cancel(cancel: threading.Event, finished: threading.Event, response: httpx2.Response) -> None:
    while not finished.is_set():
        if cancel.wait(0.05):
            if not finished.is_set():
                try:
                    response.close()
                except Exception:  # noqa: BLE001 - closing a response mid-read may complain; it is closed
                    log.debug("closing a cancelled stream", exc_info=True)
            return
