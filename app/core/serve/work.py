"""What a server request runs on the model's thread: the prompt, the context check, the Generation.

Each `start_*` is called inside a `ModelRunner` job with the engine, so tokenizing and the model
stay on the one thread that owns them. They build the prompt with the app's own formats (a
client's chat template is never used), refuse a prompt that does not fit the context with the
counts (ContextOverflow, a 400), and return a `Started`: the Generation to iterate there and the
prompt's size. A client's stop strings are a filter on the pieces.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Sequence

from app.core.engine_stream import filtered
from app.core.engine_types import Generation
from app.core.infill.fill import start_fill
from app.core.infill.prompt import InfillRequest
from app.core.prompts.chat import ChatMessage
from app.core.serve.errors import BadRequest, ContextOverflow, NotServable
from app.core.serve.params import Budget
from app.core.serve.stops import StopFilter

CONTEXT_MARGIN = 16  # LocalEngine.fit_history refuses a prompt this close to the end: the same line here


@dataclass
class Started:
    """A generation begun for a request (its prompt evaluated when first iterated)."""

    generation: Generation
    prompt_tokens: int
    stop: StopFilter | None = None

    @property
    def stopped_by(self) -> str:
        """The client's stop string that ended the text ('' when none did)."""
        return self.stop.matched if self.stop is not None else ""


def local(engine):
    """`engine` if it is a model in this process (a LocalEngine: its tokenizer and token loop are here)."""
    if getattr(engine, "tokenizer", None) is None or not hasattr(engine, "build_prompt"):
        raise NotServable(f"{engine.info.model_name} runs on another server; the local server serves only a "
                          "model loaded in this app.")
    return engine


def in_process(engine, what: str):
    """`engine` if its model runs in this process: `what` (a token-id prompt run as given, a token's
    bytes) is done by llama.cpp here. A remote engine chats, fills and tokenizes through its server,
    but has none of these (it raised AttributeError, a 500)."""
    engine = local(engine)
    if not hasattr(engine, "continue_tokens") or not hasattr(engine.tokenizer, "piece_bytes"):
        raise NotServable(f"{what} needs a model loaded in this app; {engine.info.model_name} runs on another "
                          "server (chat, infill and /tokenize still work).")
    return engine


def _check_fits(prompt_tokens: int, n_ctx: int) -> None:
    if prompt_tokens > n_ctx - CONTEXT_MARGIN:
        raise ContextOverflow(prompt_tokens, n_ctx)


def _with_stops(generation: Generation, stops: Sequence[str], prompt_tokens: int) -> Started:
    if not stops:
        return Started(generation, prompt_tokens)
    stop = StopFilter(stops)
    generation.pieces = filtered(generation.pieces, [stop], generation.stats)
    return Started(generation, prompt_tokens, stop)


def start_chat(engine, messages: Sequence[ChatMessage], budget: Budget, cancel: threading.Event, *,
               keep_leading: int | None = None, state_scope: str = "") -> Started:
    """A chat answer in the model's own chat format. Nothing of the client's history is dropped
    silently: a conversation that does not fit is a ContextOverflow (the client decides what to cut)."""
    engine = local(engine)
    prompt = engine.build_prompt(messages)
    _check_fits(len(prompt.tokens), engine.info.n_ctx)
    keep = len(messages) - 1 if keep_leading is None else keep_leading  # all but the question: never dropped
    generation = engine.chat(messages, budget.sampling, cancel, keep_leading=keep, state_scope=state_scope)
    return _with_stops(generation, budget.stops, len(prompt.tokens))


def prompt_tokens_of(engine, prompt: str | list[int | str]) -> list[int]:
    """llama-server's reading of a completion prompt: text with special tokens parsed and the model's
    BOS added; a list of token ids as given, strings in it tokenized the same way."""
    engine = in_process(engine, "A raw prompt (/completion, /v1/completions)")
    tok = engine.tokenizer
    parts = [prompt] if isinstance(prompt, str) else prompt
    tokens: list[int] = []
    n_vocab = vocab_size(engine)
    for part in parts:
        if isinstance(part, str):
            tokens += tok.encode(part, special=True)
        else:
            if not 0 <= part < n_vocab:  # llama.cpp reads out of bounds on a bad id: refuse it here
                raise BadRequest(f"Token id {part} is not in the model's vocabulary.", param="prompt")
            tokens.append(part)
    if tok.add_bos and isinstance(parts[0] if parts else "", str) and (not tokens or tokens[0] != tok.bos_id):
        tokens.insert(0, tok.bos_id)
    return tokens


def start_completion(engine, prompt: str | list[int | str], budget: Budget, cancel: threading.Event) -> Started:
    """A plain continuation of `prompt` (llama-server `/completion`, OpenAI `/v1/completions`):
    the client built the prompt itself (Continue builds its own FIM layout), so it is sent as is."""
    tokens = prompt_tokens_of(engine, prompt)
    if not tokens:
        raise BadRequest("The prompt is empty.", param="prompt")
    _check_fits(len(tokens), engine.info.n_ctx)
    generation = engine.continue_tokens(tokens, budget.sampling, cancel)
    if budget.warm_up:
        generation.pieces = _drain(generation.pieces)  # the prompt is read into the cache; nothing is sent
    return _with_stops(generation, budget.stops, len(tokens))


def start_infill(engine, request: InfillRequest, budget: Budget, cancel: threading.Event, *,
                 context_tokens: int, single_line: bool = False) -> Started:
    """The middle through the app's fill use case (infill.fill): the model's own FIM tokens, or an
    instruction fill for a model without them. The prompt is trimmed to fit, so it cannot overflow."""
    engine = local(engine)
    # llama.vscode's `n_predict: 0` evaluates the prompt so the next request reuses its cache: one
    # token is sampled (the token loop has no prompt-only mode) and never sent.
    generation = start_fill(engine, request, budget.sampling, cancel, single_line=single_line,
                            context_tokens=context_tokens)
    if budget.warm_up:
        generation.pieces = _drain(generation.pieces)  # runs the model, sends nothing
    return _with_stops(generation, budget.stops, 0)


def _drain(pieces):
    for _ in pieces:
        pass
    return
    yield  # a generator that yields nothing


def vocab_size(engine) -> int:
    return engine.tokenizer.n_vocab


def tokenize(engine, content: str, *, add_special: bool, parse_special: bool) -> list[int]:
    engine = local(engine)
    tok = engine.tokenizer
    tokens = tok.encode(content, special=parse_special)
    if add_special and tok.add_bos:
        tokens.insert(0, tok.bos_id)
    return tokens


def detokenize(engine, tokens: list[int]) -> str:
    engine = in_process(engine, "/detokenize")
    n_vocab = vocab_size(engine)
    if not all(0 <= t < n_vocab for t in tokens):
        raise BadRequest("A token id is not in the model's vocabulary.", param="tokens")
    return engine.tokenizer.decode(tokens, special=True)  # control tokens as their text, as llama-server does


def piece_of(engine, token: int) -> str:
    engine = in_process(engine, "/tokenize with_pieces")
    return engine.tokenizer.piece_bytes(token, special=True).decode("utf-8", errors="replace")


def chat_template(engine) -> str:
    """The model's own chat template text ('' when it has none; the app's built-in format is used then)."""
    return local(engine).tokenizer.chat_template() or ""
