"""What the routes share: reading a JSON body, answering errors, SSE, finish reasons, repositories."""

from __future__ import annotations

import json
from typing import Any, AsyncIterator

from sse_starlette.sse import EventSourceResponse
from starlette.requests import Request

from app.core.engine_types import GenerationStats
from app.core.serve.errors import BadRequest, RequestError
from app.core.serve.params import require_object, string
from app.server.bridge import PieceStream, collect
from app.server.guard import BodyTooLarge


class TooLarge(RequestError):
    status = 413


async def read_json(request: Request) -> dict:
    try:
        raw = await request.body()
    except BodyTooLarge as exc:
        raise TooLarge(str(exc)) from None
    try:
        body = json.loads(raw or b"null")
    except (ValueError, RecursionError):
        raise BadRequest("The request body is not valid JSON.") from None
    return require_object(body)


def finish_reason(stats: GenerationStats) -> str:
    """OpenAI's name for why generation ended."""
    return "length" if stats.stop_reason in ("length", "context") else "stop"


def count_tokens(request: Request, prompt: int, generated: int) -> None:
    """The figures the request log shows (read by the Guard once the answer is sent)."""
    request.state.tokens_in = prompt
    request.state.tokens_out = generated


async def whole_answer(pieces: PieceStream, request: Request) -> tuple[str, GenerationStats]:
    """The text of a request that does not stream, and its figures (counted for the log)."""
    text = await collect(pieces, request)
    stats = pieces.started.generation.stats
    count_tokens(request, stats.prompt_tokens, stats.generated_tokens)
    return text, stats


def sse(events: AsyncIterator[str]) -> EventSourceResponse:
    """`data: <json>` lines; \\n separators as OpenAI and llama-server send them (some clients split on them)."""
    return EventSourceResponse(events, sep="\n", ping=0, headers={"Cache-Control": "no-cache"})


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def repository_of(body: dict, model: str = "") -> str:
    """The repository a request names: the `repository` extension field, or a `repo:<folder>` model id."""
    from app.server.context import REPO_ALIAS

    named = string(body, "repository")
    if not named and model.startswith(REPO_ALIAS):
        named = model[len(REPO_ALIAS):]
    return named
