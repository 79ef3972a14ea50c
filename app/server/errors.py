"""Error replies in the JSON each family of clients reads.

OpenAI clients (the `/v1` routes) read `{"error": {"message", "type", "param", "code"}}`; llama.cpp's
clients read llama-server's `{"error": {"code": <status>, "message", "type"}}`. A context overflow
carries `n_prompt_tokens` and `n_ctx` in both.
"""

from __future__ import annotations

import logging

from starlette.responses import JSONResponse

from app.core.errors import ModelNotLoadedError, PromptError, UserError
from app.core.serve.errors import RequestError

log = logging.getLogger(__name__)


def status_and_kind(exc: BaseException) -> tuple[int, str]:
    if isinstance(exc, RequestError):
        return exc.status, exc.kind
    if isinstance(exc, ModelNotLoadedError):
        return 503, "unavailable_error"
    if isinstance(exc, PromptError):
        return 400, "invalid_request_error"
    if isinstance(exc, UserError):
        return 500, "server_error"
    return 500, "server_error"


def error_body(exc: BaseException, *, openai: bool) -> tuple[int, dict]:
    status, kind = status_and_kind(exc)
    if isinstance(exc, UserError):
        message = exc.message
    else:
        log.error("request failed", exc_info=exc)
        message = f"Internal error: {type(exc).__name__}: {exc}"
    extra = exc.extra() if isinstance(exc, RequestError) else {}
    if openai:
        param = exc.param if isinstance(exc, RequestError) else None
        code = exc.code if isinstance(exc, RequestError) else None
        error = {"message": message, "type": kind, "param": param, "code": code, **extra}
    else:
        error = {"code": status, "message": message, "type": kind, **extra}
    return status, {"error": error}


def error_response(exc: BaseException, *, openai: bool, headers: dict | None = None) -> JSONResponse:
    status, body = error_body(exc, openai=openai)
    return JSONResponse(body, status_code=status, headers=headers)


def plain_error(status: int, message: str, kind: str, *, openai: bool = True) -> JSONResponse:
    if openai:
        return JSONResponse({"error": {"message": message, "type": kind, "param": None, "code": None}},
                            status_code=status)
    return JSONResponse({"error": {"code": status, "message": message, "type": kind}}, status_code=status)
