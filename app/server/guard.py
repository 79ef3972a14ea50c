"""The checks every request passes before a route sees it, as one ASGI middleware.

In order: the Host header must name this server (a web page that rebinds its own domain to
127.0.0.1 sends its own name, so it is refused: DNS rebinding, CVE-2024-28224 on Ollama); the
`Origin`, which browsers add to a page's cross-site requests: one not listed in the CORS origins is
refused, because a "simple" POST (text/plain, no preflight) from any site reaches 127.0.0.1 with a
right Host and CORS only hides the answer, not the work (tools that are not browsers send none); the API
key, where one is set (`Authorization: Bearer`, compared in constant time; /health stays open as on
llama-server); the body's size (413). CORS, when origins are listed, sits inside this (Starlette's
middleware), so a preflight from an allowed origin needs no key. Every request is logged.
"""

from __future__ import annotations

import hmac
import json
import time
from typing import Callable, Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.server.log_entry import RequestLogEntry

OPEN_PATHS = frozenset({"/health", "/v1/health"})
WILDCARDS = frozenset({"0.0.0.0", "::"})


class Guard:
    def __init__(self, app: ASGIApp, *, api_key: str, max_body: int,
                 on_request: Callable[[RequestLogEntry], None] | None, origins: Iterable[str] = ()) -> None:
        self.app = app
        self.origins = frozenset(_origin(o) for o in origins)  # "*" allows every origin, as CORS does
        self.api_key = api_key.encode("utf-8")
        self.max_body = max_body
        self.on_request = on_request
        self.allowed_hosts: frozenset[str] | None = frozenset()  # set once the port is bound; None: any

    def allow_hosts(self, host: str, port: int) -> None:
        """The Host values this server answers. Bound to every address (0.0.0.0, ::), other machines
        name it by any of its names or addresses, so none is refused there: that takes an API key,
        and a page that rebinds a name to this machine cannot send the key."""
        if host in WILDCARDS:
            self.allowed_hosts = None
            return
        names = {host, "localhost", "127.0.0.1", "[::1]"} | ({f"[{host}]"} if ":" in host else set())
        self.allowed_hosts = frozenset(f"{name}:{port}".lower() for name in names)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, wall = time.perf_counter(), time.time()
        state = scope.setdefault("state", {})
        status = [0]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            refusal = self._refusal(scope)
            if refusal is not None:
                await _reply(sending, *refusal)
            else:
                await self.app(scope, self._bounded(receive, sending), sending)
        finally:
            if self.on_request is not None:
                client = scope.get("client") or ("", 0)
                self.on_request(RequestLogEntry(
                    wall, scope["method"], scope["path"], status[0] or 499, int(state.get("tokens_in", 0)),
                    int(state.get("tokens_out", 0)), time.perf_counter() - started, f"{client[0]}:{client[1]}"))

    def _refusal(self, scope: Scope) -> tuple[int, str, str] | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if self.allowed_hosts is not None and headers.get("host", "").lower() not in self.allowed_hosts:
            return 403, "permission_error", ("The Host header does not name this server; requests from web pages "
                                             "that point another name at it are refused.")
        origin = headers.get("origin")
        if origin is not None and "*" not in self.origins and _origin(origin) not in self.origins:
            return 403, "permission_error", (f"Requests from web pages of origin {origin!r} are refused; list the "
                                             "origin in the server's CORS origins to allow it.")
        if self.api_key and scope["method"] != "OPTIONS" and scope["path"] not in OPEN_PATHS:
            auth = headers.get("authorization", "")
            given = auth[7:].strip() if auth[:7].lower() == "bearer " else headers.get("x-api-key", "")
            if not hmac.compare_digest(given.encode("utf-8"), self.api_key):
                return 401, "authentication_error", "Invalid or missing API key (send Authorization: Bearer KEY)."
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body:
            return 413, "invalid_request_error", f"The request body is over {self.max_body:,} bytes."
        return None

    def _bounded(self, receive: Receive, send: Send) -> Receive:
        """`receive` that stops a body (chunked, or longer than it said) at the limit."""
        seen = [0]
        limit = self.max_body

        async def bounded() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                seen[0] += len(message.get("body", b""))
                if seen[0] > limit:
                    raise BodyTooLarge(limit)
            return message

        return bounded


def _origin(text: str) -> str:
    return text.strip().rstrip("/").lower()


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"The request body is over {limit:,} bytes.")


async def _reply(send: Send, status: int, kind: str, message: str) -> None:
    body = json.dumps({"error": {"code": status, "message": message, "type": kind}}).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
