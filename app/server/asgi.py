"""The server's ASGI application: the routes, CORS when origins are listed, and the Guard outside."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response

from app.server.context import ServeContext
from app.server.errors import plain_error
from app.server.llama_api import LlamaRoutes
from app.server.openai_api import OpenAIRoutes


async def _not_found(request: Request, exc: Exception) -> Response:
    return plain_error(404, f"No such endpoint: {request.method} {request.url.path}", "not_found_error")


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return plain_error(405, f"{request.method} is not allowed on {request.url.path}", "invalid_request_error")


def build_app(ctx: ServeContext) -> Starlette:
    app = Starlette(routes=[*OpenAIRoutes(ctx).routes(), *LlamaRoutes(ctx).routes()],
                    exception_handlers={404: _not_found, 405: _not_allowed})
    if ctx.settings.cors_origins:  # off unless the user listed origins
        # Any request header: the origins are the user's choice, no cookies are involved (credentials
        # stay off), and clients add their own (the openai JavaScript client's x-stainless-*).
        app.add_middleware(CORSMiddleware, allow_origins=list(ctx.settings.cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["*"])
    return app
