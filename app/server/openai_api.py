"""OpenAI-compatible routes: /v1/models, /v1/chat/completions, /v1/completions (suffix: fill in the middle).

A chat prompt is built by the app's own chat format for the loaded model; a chat naming a
repository (`repository`, or the model id `repo:<folder>`) is answered over the app's packed
context, with the citations in an extension field `citations`.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.core.infill.prompt import InfillRequest
from app.core.serve import work
from app.core.serve.errors import BadRequest
from app.core.serve.params import budget_of, flag, messages_of, prompt_of, string
from app.server.bridge import PieceStream, open_stream
from app.server.common import count_tokens, dumps, finish_reason, read_json, repository_of, sse, whole_answer
from app.server.context import ServeContext
from app.server.errors import error_body, error_response


def _usage(prompt: int, generated: int) -> dict:
    return {"prompt_tokens": prompt, "completion_tokens": generated, "total_tokens": prompt + generated}


def _include_usage(body: dict) -> bool:
    options = body.get("stream_options")
    if options is None:
        return False
    if not isinstance(options, dict):
        raise BadRequest("'stream_options' must be an object.", param="stream_options")
    return flag(options, "include_usage")


def _citations(prepared) -> list[dict]:
    return [{"path": c.path, "start_line": c.start_line, "end_line": c.end_line, "citation": c.citation}
            for c in prepared.session.context.chunks]


class OpenAIRoutes:
    def __init__(self, ctx: ServeContext) -> None:
        self.ctx = ctx

    def routes(self) -> list[Route]:
        return [Route("/v1/models", self.models, methods=["GET"]),
                Route("/v1/chat/completions", self.chat, methods=["POST"]),
                Route("/v1/completions", self.completions, methods=["POST"])]

    async def models(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [
            {"id": name, "object": "model", "created": self.ctx.created, "owned_by": "codellama-desktop"}
            for name in self.ctx.model_ids()]})

    async def chat(self, request: Request) -> Response:
        try:
            body = await read_json(request)
            messages = messages_of(body)
            budget = budget_of(body, self.ctx.sampling, names=("max_completion_tokens", "max_tokens"))
            stream, usage = flag(body, "stream"), _include_usage(body)
            model = string(body, "model")
            info = self.ctx.info()
            named = repository_of(body, model)
            prepared = None
            if named:
                repos = self.ctx.repos
                if repos is None:
                    from app.core.serve.errors import RepositoryRefused
                    raise RepositoryRefused("This server was started without repositories (serve --repository PATH).",
                                            param="repository")
                root = await asyncio.to_thread(repos.find, named)
                prepared = await asyncio.wrap_future(repos.prepare_chat(
                    root, messages, Path(info.model_path), info.n_ctx, budget.sampling.max_tokens))
                messages = prepared.messages

            def start(engine, cancel):
                if prepared is None:
                    return work.start_chat(engine, messages, budget, cancel)
                return work.start_chat(engine, messages, budget, cancel, keep_leading=prepared.keep_leading,
                                       state_scope=prepared.state_scope)

            pieces = await open_stream(self.ctx.runner, self.ctx.gate, start, request)
        except Exception as exc:  # noqa: BLE001 - every failure is an error reply
            return error_response(exc, openai=True)
        reply_id, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        name = model or info.model_name
        extra = {"citations": _citations(prepared)} if prepared is not None else {}
        if not stream:
            try:
                text, stats = await whole_answer(pieces, request)
            except Exception as exc:  # noqa: BLE001
                return error_response(exc, openai=True)
            return JSONResponse({
                "id": reply_id, "object": "chat.completion", "created": created, "model": name,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                             "finish_reason": finish_reason(stats), "logprobs": None}],
                "usage": _usage(stats.prompt_tokens, stats.generated_tokens), **extra})

        def chunk(delta: dict, reason: str | None, **more) -> str:
            return dumps({"id": reply_id, "object": "chat.completion.chunk", "created": created, "model": name,
                          "choices": [{"index": 0, "delta": delta, "finish_reason": reason, "logprobs": None}],
                          **({"usage": None} if usage else {}), **more})

        async def events():
            try:
                yield chunk({"role": "assistant", "content": ""}, None)
                async for piece in pieces.pieces():
                    yield chunk({"content": piece}, None)
                if pieces.error is not None:
                    yield dumps(error_body(pieces.error, openai=True)[1])
                    return
                stats = pieces.started.generation.stats
                count_tokens(request, stats.prompt_tokens, stats.generated_tokens)
                yield chunk({}, finish_reason(stats), **extra)
                if usage:
                    yield dumps({"id": reply_id, "object": "chat.completion.chunk", "created": created, "model": name,
                                 "choices": [], "usage": _usage(stats.prompt_tokens, stats.generated_tokens)})
                yield "[DONE]"
            finally:
                if not _done(pieces):  # the client left mid-stream: free the model for the next request
                    pieces.abort()

        return sse(events())

    async def completions(self, request: Request) -> Response:
        try:
            body = await read_json(request)
            budget = budget_of(body, self.ctx.sampling, names=("max_tokens",))
            stream, usage = flag(body, "stream"), _include_usage(body)
            model = string(body, "model")
            info = self.ctx.info()
            prompt = prompt_of(body)
            suffix = body.get("suffix")
            if suffix is not None:  # fill in the middle, through the app's infill use case
                if not isinstance(suffix, str) or not isinstance(prompt, str):
                    raise BadRequest("With 'suffix', 'prompt' and 'suffix' must be strings.", param="suffix")
                request_ = InfillRequest(prompt, suffix)

                def start(engine, cancel):
                    return work.start_infill(engine, request_, budget, cancel, context_tokens=self.ctx.infill_context)
            else:
                def start(engine, cancel):
                    return work.start_completion(engine, prompt, budget, cancel)

            pieces = await open_stream(self.ctx.runner, self.ctx.gate, start, request)
        except Exception as exc:  # noqa: BLE001
            return error_response(exc, openai=True)
        reply_id, created = f"cmpl-{uuid.uuid4().hex[:24]}", int(time.time())
        name = model or info.model_name
        if not stream:
            try:
                text, stats = await whole_answer(pieces, request)
            except Exception as exc:  # noqa: BLE001
                return error_response(exc, openai=True)
            return JSONResponse({
                "id": reply_id, "object": "text_completion", "created": created, "model": name,
                "choices": [{"index": 0, "text": text, "logprobs": None, "finish_reason": finish_reason(stats)}],
                "usage": _usage(stats.prompt_tokens, stats.generated_tokens)})

        def chunk(text: str, reason: str | None) -> str:
            return dumps({"id": reply_id, "object": "text_completion", "created": created, "model": name,
                          "choices": [{"index": 0, "text": text, "logprobs": None, "finish_reason": reason}],
                          **({"usage": None} if usage else {})})

        async def events():
            try:
                async for piece in pieces.pieces():
                    yield chunk(piece, None)
                if pieces.error is not None:
                    yield dumps(error_body(pieces.error, openai=True)[1])
                    return
                stats = pieces.started.generation.stats
                count_tokens(request, stats.prompt_tokens, stats.generated_tokens)
                yield chunk("", finish_reason(stats))
                if usage:
                    yield dumps({"id": reply_id, "object": "text_completion", "created": created, "model": name,
                                 "choices": [], "usage": _usage(stats.prompt_tokens, stats.generated_tokens)})
                yield "[DONE]"
            finally:
                if not _done(pieces):
                    pieces.abort()

        return sse(events())


def _done(pieces: PieceStream) -> bool:
    return pieces.future is not None and pieces.future.done()
