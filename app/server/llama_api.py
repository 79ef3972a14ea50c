"""llama-server-compatible routes, for llama.vscode and Continue's llama.cpp provider.

/infill (input_prefix, input_suffix, input_extra, prompt, n_predict; `n_predict: 0` warms the cache),
/completion (a string or token-id prompt; streams `data: {"content": ...}` lines, the last with
`"stop": true`), /tokenize, /detokenize, /props, /health. Replies use llama-server's field names.
An infill from a server with an allowed repository adds the app's repository snippets.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.core.infill.prompt import InfillRequest, Snippet
from app.core.serve import work
from app.core.serve.errors import BadRequest
from app.core.serve.params import Budget, budget_of, extra_files, flag, prompt_of, string
from app.server.bridge import PieceStream, open_stream, run_on_model
from app.server.common import count_tokens, dumps, read_json, repository_of, sse, whole_answer
from app.server.context import ServeContext
from app.server.errors import error_body, error_response, plain_error

MAX_TOKENIZE_IDS = 1_000_000


def _stop_type(pieces: PieceStream) -> tuple[str, str]:
    stats = pieces.started.generation.stats
    if pieces.started.stopped_by:
        return "word", pieces.started.stopped_by
    return ("eos" if stats.stop_reason == "end" else "limit"), ""


def _final(pieces: PieceStream, content: str, model: str, budget: Budget) -> dict:
    stats = pieces.started.generation.stats
    stop_type, word = _stop_type(pieces)
    prompt_s = stats.first_token_seconds
    predict_s = max(0.0, stats.total_seconds - stats.first_token_seconds)
    evaluated = stats.prompt_tokens or pieces.started.prompt_tokens
    new_prompt = max(0, evaluated - stats.reused_tokens)
    return {
        "content": content, "id_slot": 0, "stop": True, "model": model,
        "tokens_predicted": stats.generated_tokens, "tokens_evaluated": evaluated,
        "tokens_cached": stats.reused_tokens, "truncated": False, "has_new_line": "\n" in content,
        "stop_type": stop_type, "stopping_word": word,
        "generation_settings": {"n_predict": budget.max_tokens, "temperature": budget.sampling.temperature,
                                "top_k": budget.sampling.top_k, "top_p": budget.sampling.top_p,
                                "seed": budget.sampling.seed},
        "timings": {"cache_n": stats.reused_tokens, "prompt_n": new_prompt, "prompt_ms": prompt_s * 1000,
                    "prompt_per_second": new_prompt / prompt_s if prompt_s > 0 else 0.0,
                    "predicted_n": stats.generated_tokens, "predicted_ms": predict_s * 1000,
                    "predicted_per_second": stats.tokens_per_second},
    }


class LlamaRoutes:
    def __init__(self, ctx: ServeContext) -> None:
        self.ctx = ctx

    def routes(self) -> list[Route]:
        return [Route("/health", self.health, methods=["GET"]), Route("/v1/health", self.health, methods=["GET"]),
                Route("/props", self.props, methods=["GET"]),
                Route("/infill", self.infill, methods=["POST"]),
                Route("/completion", self.completion, methods=["POST"]),
                Route("/completions", self.completion, methods=["POST"]),
                Route("/tokenize", self.tokenize, methods=["POST"]),
                Route("/detokenize", self.detokenize, methods=["POST"])]

    async def health(self, request: Request) -> Response:
        if self.ctx.runner.info() is None:
            return plain_error(503, "Loading model", "unavailable_error", openai=False)
        return JSONResponse({"status": "ok"})

    async def props(self, request: Request) -> Response:
        try:
            info = self.ctx.info()
            template = await run_on_model(self.ctx.runner, self.ctx.gate, work.chat_template)
        except Exception as exc:  # noqa: BLE001
            return error_response(exc, openai=False)
        s = self.ctx.sampling
        return JSONResponse({
            "default_generation_settings": {"n_ctx": info.n_ctx, "model": info.model_name, "params": {
                "n_predict": s.max_tokens, "temperature": s.temperature, "top_k": s.top_k, "top_p": s.top_p,
                "repeat_penalty": s.repeat_penalty, "seed": s.seed}},
            "total_slots": 1, "model_path": info.model_path, "model_alias": info.model_name,
            "chat_template": template, "infill_format": info.infill_format, "build_info": "codellama-desktop"})

    async def infill(self, request: Request) -> Response:
        try:
            body = await read_json(request)
            budget = budget_of(body, self.ctx.sampling, names=("n_predict", "max_tokens"), allow_zero=True)
            prefix = string(body, "input_prefix") + string(body, "prompt")  # llama-server appends the prompt to the prefix
            suffix = string(body, "input_suffix")
            path = string(body, "path") or string(body, "filename")
            snippets = [Snippet(name, text) for name, text in extra_files(body) if text]
            request_ = InfillRequest(prefix, suffix, path=path, snippets=snippets)
            named = repository_of(body)
            repos = self.ctx.repos
            if repos is not None and (named or repos.default is not None) and self.ctx.info().infill_family:
                root = await asyncio.to_thread(repos.find, named) if named else repos.default
                found = await asyncio.wrap_future(repos.infill_snippets(root, prefix, suffix, path))
                if found is not None:  # the app's definitions first, then what the editor sent
                    request_ = InfillRequest(prefix, suffix, path=found.path or path, repo_name=found.repo_name,
                                             snippets=[*found.snippets, *snippets])
            stream = flag(body, "stream")

            def start(engine, cancel):
                return work.start_infill(engine, request_, budget, cancel, context_tokens=self.ctx.infill_context)

            pieces = await open_stream(self.ctx.runner, self.ctx.gate, start, request)
        except Exception as exc:  # noqa: BLE001
            return error_response(exc, openai=False)
        return await self._answer(request, pieces, budget, stream)

    async def completion(self, request: Request) -> Response:
        try:
            body = await read_json(request)
            # n_predict 0 evaluates the prompt only (a client warming the cache), as llama-server allows.
            budget = budget_of(body, self.ctx.sampling, names=("n_predict", "max_tokens"), allow_zero=True)
            prompt = prompt_of(body)
            stream = flag(body, "stream")

            def start(engine, cancel):
                return work.start_completion(engine, prompt, budget, cancel)

            pieces = await open_stream(self.ctx.runner, self.ctx.gate, start, request)
        except Exception as exc:  # noqa: BLE001
            return error_response(exc, openai=False)
        return await self._answer(request, pieces, budget, stream)

    async def _answer(self, request: Request, pieces: PieceStream, budget: Budget, stream: bool) -> Response:
        model = self.ctx.runner.info().model_name if self.ctx.runner.info() else ""
        if not stream:
            try:
                text, stats = await whole_answer(pieces, request)
            except Exception as exc:  # noqa: BLE001
                return error_response(exc, openai=False)
            return JSONResponse(_final(pieces, text, model, budget))

        async def events():
            try:
                async for piece in pieces.pieces():
                    yield dumps({"content": piece, "stop": False, "id_slot": 0})
                if pieces.error is not None:
                    yield dumps(error_body(pieces.error, openai=False)[1])
                    return
                stats = pieces.started.generation.stats
                count_tokens(request, stats.prompt_tokens, stats.generated_tokens)
                yield dumps(_final(pieces, "", model, budget))
            finally:
                if not (pieces.future is not None and pieces.future.done()):
                    pieces.abort()

        return sse(events())

    async def tokenize(self, request: Request) -> Response:
        try:
            body = await read_json(request)
            content = string(body, "content")
            add_special, parse_special = flag(body, "add_special", False), flag(body, "parse_special", True)
            with_pieces = flag(body, "with_pieces")

            def run(engine):
                tokens = work.tokenize(engine, content, add_special=add_special, parse_special=parse_special)
                if not with_pieces:
                    return tokens
                return [{"id": t, "piece": work.piece_of(engine, t)} for t in tokens]

            tokens = await run_on_model(self.ctx.runner, self.ctx.gate, run)
        except Exception as exc:  # noqa: BLE001
            return error_response(exc, openai=False)
        return JSONResponse({"tokens": tokens})

    async def detokenize(self, request: Request) -> Response:
        try:
            body = await read_json(request)
            tokens = body.get("tokens", [])
            if (not isinstance(tokens, list) or len(tokens) > MAX_TOKENIZE_IDS
                    or not all(isinstance(t, int) and not isinstance(t, bool) for t in tokens)):
                raise BadRequest("'tokens' must be a list of token ids.", param="tokens")
            content = await run_on_model(self.ctx.runner, self.ctx.gate, lambda engine: work.detokenize(engine, tokens))
        except Exception as exc:  # noqa: BLE001
            return error_response(exc, openai=False)
        return JSONResponse({"content": content})
