"""A model on another machine's server, behind the same interface as the local engine.

`RemoteEngine` implements `ChatBackend` and what the infill use case and the repository assistant
call (count_tokens, prompt_tokens, chat with keep_leading/state_scope, infill_text,
instruction_fill, info). Where the server tokenizes and takes token ids (llama-server, vLLM) the
prompts are the app's own, built with the server's tokenizer: token for token what the local
engine would run, and llama-server keeps the longest shared prefix cached (`cache_prompt`), so a
follow-up on a packed repository reads only its new tokens. Elsewhere (Ollama, LM Studio, plain
OpenAI, llama-cpp-python's server) chat goes as messages through `/v1/chat/completions`, fills are
asked for in words, and the Test connection report says so.

Threads: like LocalEngine, owned by one thread (the inference worker, or the CLI's main thread):
every method and the iteration of every Generation run there; `info` is a frozen snapshot.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import PurePath
from typing import Sequence

from app.core.engine_stream import ANSWER_RESERVE
from app.core.engine_stream import filtered as _filtered
from app.core.engine_types import EngineInfo, Generation
from app.core.errors import EngineError, PromptError
from app.core.i18n import translate
from app.core.infill.formats import InfillFamily, InfillFormat, detect_format
from app.core.infill.instruct import instruction_messages
from app.core.infill.post import MiddleFilter
from app.core.infill.prompt import InfillPrompt, InfillRequest, build_infill_prompt
from app.core.infill.tidy import instruction_filters
from app.core.prompts.chat import ChatMessage, ChatPrompt, build_chat_prompt
from app.core.remote import REMOTE_ID_PREFIX
from app.core.remote.errors import RemoteContextError, RemoteUnsupportedError, context_message
from app.core.remote.http import RemoteClient
from app.core.remote.probe import ChatRoute, ServerKind, ServerReport, Tokenize, probe
from app.core.remote.stream import Protocol, sampling_fields, stream_answer
from app.core.remote.tokenizer import ExtrasCounter, RemoteTokenizer
from app.core.settings import SamplingSettings

log = logging.getLogger(__name__)

DEFAULT_INFILL_CONTEXT = 4096
CHARS_PER_TOKEN = 3.5  # the estimate where a server cannot count (said in the report)
MESSAGE_OVERHEAD = 8  # role markers per message, in the estimate


class InfillRoute(str, Enum):
    TOKEN_IDS = "the app's infill tokens as token ids"
    SERVER_INFILL = "the server's /infill"
    INSTRUCTION = "an instruction fill through chat"


@dataclass(frozen=True)
class RemoteConfig:
    """A remote engine as the user set it up. The key is not kept here once saved (see remote/keys.py)."""

    url: str
    key: str = ""
    model: str = ""  # '' : the server's first (or only) model
    chat_format: str = "auto"  # as in the manifest: auto, template, codellama-instruct, codellama-70b
    n_ctx: int = 0  # 0: what the server reports
    infill_hint: str = ""  # the manifest's infill_format for the remote model ('none' to refuse infill)
    prefer_server_infill: bool = False  # use llama-server's /infill even where token ids could be sent


class RemoteEngine:
    """A remote server's model as a ChatBackend. `connect()` probes the server first."""

    def __init__(self, config: RemoteConfig, *, client: RemoteClient | None = None) -> None:
        started = time.perf_counter()
        self.config = config
        self._client = client or RemoteClient(config.url, config.key)
        self._closed = False
        self.states = None  # the server keeps the prompt cache; nothing is saved here
        try:
            self.report: ServerReport = probe(self._client, config.model)
            self.tokenizer: RemoteTokenizer | None = (
                RemoteTokenizer(self._client, self.report) if self.report.tokenize in (Tokenize.LLAMA, Tokenize.VLLM) else None)
            self._counter = ExtrasCounter(self._client, self.report.model) if (
                self.report.tokenize is Tokenize.EXTRAS) else None
            self.chat_format = self._chat_format()
            self.route = ChatRoute.TOKEN_IDS if self.report.token_ids and self.chat_format else ChatRoute.CHAT_MESSAGES
            self.infill: InfillFormat | None = None
            self.infill_route = self._infill_route()
        except BaseException:
            self._client.close()
            raise
        n_ctx = config.n_ctx or self.report.n_ctx
        family = self.infill.family if self.infill else (
            InfillFamily.GENERIC if self.infill_route is InfillRoute.SERVER_INFILL else None)
        label = self.infill.label if self.infill else ("server /infill" if family else "")
        self.info = EngineInfo(
            model_name=PurePath(self.report.model).name or self.report.kind.value,  # a served path: its file name
            model_path=self._client.url,
            backend=f"remote {self.report.kind.value}", gpu_layers=0, n_ctx=n_ctx, n_ctx_train=n_ctx, threads=0,
            threads_batch=0, chat_format=self.chat_format or "server template",
            load_seconds=time.perf_counter() - started, model_id=f"{REMOTE_ID_PREFIX}{self._client.url}#{self.report.model}",
            infill_format=label, infill_family=family)
        log.info("remote engine %s: %s, n_ctx=%d, chat by %s, infill by %s", self._client.url, self.report.kind.value,
                 n_ctx, self.route.value, self.infill_route.value)

    def _chat_format(self) -> str:
        """The app's chat format for token-exact prompts, or '' when the server's template must do."""
        tok, fmt = self.tokenizer, self.config.chat_format
        if tok is None or not self.report.token_ids:
            return ""
        template = tok.chat_template()
        # llama.cpp reports ChatML as a stand-in for a model without a template: a model whose vocabulary
        # has no <|im_start|> token has none of its own (the tiny Code Llama), so Meta's format applies.
        if template and "<|im_start|>" in template and tok.piece_id("<|im_start|>") is None:
            tok.drop_template()
            template = None
        if fmt == "auto":
            fmt = "template" if template else "codellama-instruct"
        if fmt == "template" and (not template or self.report.kind is ServerKind.VLLM):
            return ""  # vLLM's tokenizer parses special tokens in message text: only the server renders it safely
        return fmt

    def _infill_route(self) -> InfillRoute:
        if self.tokenizer is not None and self.report.token_ids and self.config.infill_hint != "none":
            self.infill = detect_format(self.tokenizer, self.config.infill_hint)
        if self.report.infill_endpoint and (self.config.prefer_server_infill or self.infill is None):
            self.infill = None
            return InfillRoute.SERVER_INFILL
        return InfillRoute.TOKEN_IDS if self.infill is not None else InfillRoute.INSTRUCTION

    # Token counting ---------------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        if self.tokenizer is not None:
            return len(self.tokenizer.encode(text))
        if self._counter is not None:
            return self._counter(text)
        return math.ceil(len(text) / CHARS_PER_TOKEN)

    def _encode(self, text: str) -> list[int]:
        """Token ids where the server counts, else a stand-in list of the estimated length (for budgets)."""
        return self.tokenizer.encode(text) if self.tokenizer is not None else [0] * self.count_tokens(text)

    def build_prompt(self, messages: Sequence[ChatMessage]) -> ChatPrompt:
        """The app's exact prompt tokens (token-id route only)."""
        if self.tokenizer is None or not self.chat_format:
            raise RemoteUnsupportedError(translate(
                "core", "{name} takes chat messages, not the app's prompt tokens.").format(name=self._client.name))
        return build_chat_prompt(self.chat_format, self.tokenizer, messages)

    def prompt_tokens(self, messages: Sequence[ChatMessage]) -> int:
        if self.route is ChatRoute.TOKEN_IDS:
            return len(self.build_prompt(messages).tokens)
        if not any(m.role == "user" and m.content.strip() for m in messages[-1:]):
            raise PromptError(translate("core", "The message is empty: type a question first."))
        return sum(self.count_tokens(m.content) + MESSAGE_OVERHEAD for m in messages)

    def fit_history(self, messages: Sequence[ChatMessage], keep_leading: int | None = None
                    ) -> tuple[list[ChatMessage], ChatPrompt | None, int]:
        """As LocalEngine.fit_history: the oldest exchanges go until the prompt fits; the first
        `keep_leading` messages (a repository's packed code) and the last user message stay."""
        if keep_leading is None:
            keep_leading = 1 if messages and messages[0].role == "system" else 0
        lead, rest = list(messages[:keep_leading]), list(messages[keep_leading:])
        limit, dropped = self.info.n_ctx - ANSWER_RESERVE, 0
        while True:
            prompt = self.build_prompt(lead + rest) if self.route is ChatRoute.TOKEN_IDS else None
            size = len(prompt.tokens) if prompt is not None else self.prompt_tokens(lead + rest)
            if size <= limit or len(rest) <= 1:
                break
            rest, dropped = rest[2:], dropped + 2
        if size >= self.info.n_ctx - 16:
            raise RemoteContextError(context_message(self._client.name, size, self.info.n_ctx), size, self.info.n_ctx)
        return lead + rest, prompt, dropped

    # Generation -------------------------------------------------------------------------------
    def chat(self, messages: Sequence[ChatMessage], sampling: SamplingSettings,
             cancel: threading.Event | None = None, *, ignore_eos: bool = False,
             keep_leading: int | None = None, state_scope: str = "") -> Generation:
        """Stream an answer. `state_scope` needs nothing here: the server's prompt cache serves follow-ups."""
        self._check_open()
        requested = time.perf_counter()
        kept, prompt, dropped = self.fit_history(messages, keep_leading)
        generation = Generation(iter(()))
        generation.stats.dropped_messages = dropped
        if prompt is not None:
            generation.stats.prompt_tokens = len(prompt.tokens)
            generation.pieces = self._ids_stream(prompt.tokens, sampling, cancel, generation, requested,
                                                 ignore_eos=ignore_eos, strip_first_space=True)
            return generation
        budget = sampling.max_tokens
        body = {"model": self.report.model, "messages": [{"role": m.role, "content": m.content} for m in kept],
                **sampling_fields(Protocol.OPENAI_CHAT, sampling, budget, ignore_eos)}
        generation.pieces = stream_answer(self._client, "/v1/chat/completions", body, Protocol.OPENAI_CHAT, cancel,
                                          generation.stats, requested, budget=budget, max_tokens=sampling.max_tokens,
                                          strip_first_space=True, progress=generation.prompt_progress)
        return generation

    def _ids_stream(self, tokens: list[int], sampling: SamplingSettings, cancel: threading.Event | None,
                    generation: Generation, requested: float, *, ignore_eos: bool = False,
                    strip_first_space: bool):
        budget = min(sampling.max_tokens, self.info.n_ctx - len(tokens))
        if self.report.kind is ServerKind.VLLM:
            path, protocol = "/v1/completions", Protocol.OPENAI_COMPLETION
            body = {"model": self.report.model, "prompt": tokens}
        else:
            path, protocol = "/completion", Protocol.LLAMA
            body = {"prompt": tokens}
        body.update(sampling_fields(protocol, sampling, budget, ignore_eos))
        return stream_answer(self._client, path, body, protocol, cancel, generation.stats, requested, budget=budget,
                             max_tokens=sampling.max_tokens, strip_first_space=strip_first_space,
                             progress=generation.prompt_progress)

    # Infill -----------------------------------------------------------------------------------
    def infill_prompt(self, request: InfillRequest, max_tokens: int,
                      context_tokens: int = DEFAULT_INFILL_CONTEXT) -> InfillPrompt:
        if self.infill is None or self.tokenizer is None:
            raise PromptError(translate(
                "core", "{model_name} on {name} cannot take the app's infill tokens."
            ).format(model_name=self.info.model_name, name=self._client.name))
        return build_infill_prompt(self.infill, self.tokenizer, request, min(context_tokens, self._room(max_tokens)))

    def infill_text(self, request: InfillRequest, sampling: SamplingSettings,
                    cancel: threading.Event | None = None, *, single_line: bool = False,
                    context_tokens: int = DEFAULT_INFILL_CONTEXT) -> Generation:
        """The middle between `request.prefix` and `request.suffix`, filtered as the local engine's is."""
        self._check_open()
        requested = time.perf_counter()
        generation = Generation(iter(()))
        if self.infill_route is InfillRoute.TOKEN_IDS:
            prompt = self.infill_prompt(request, sampling.max_tokens, context_tokens)
            generation.stats.prompt_tokens = len(prompt.tokens)
            raw = self._ids_stream(prompt.tokens, sampling, cancel, generation, requested, strip_first_space=False)
            prefix, suffix = prompt.prefix, prompt.suffix
        elif self.infill_route is InfillRoute.SERVER_INFILL:
            raw, prefix, suffix = self._server_infill(request, sampling, cancel, generation, requested, context_tokens)
        else:
            raise PromptError(translate(
                "core", "{name} cannot infill; the fill is asked for in words instead.").format(name=self._client.name))
        generation.pieces = _filtered(raw, [MiddleFilter(suffix, single_line, prefix)], generation.stats)
        return generation

    def _server_infill(self, request: InfillRequest, sampling: SamplingSettings, cancel: threading.Event | None,
                       generation: Generation, requested: float, context_tokens: int):
        """llama-server's /infill: its own layout of the same parts (the app trims them to the budget)."""
        from app.core.infill.prompt import fit_around_cursor

        budget = min(context_tokens, self._room(sampling.max_tokens))
        prefix, _, suffix, _ = fit_around_cursor(request.prefix, request.suffix, budget, self._encode)
        extra = [{"filename": s.path, "text": s.text} for s in request.snippets]
        n_predict = min(sampling.max_tokens, self.info.n_ctx - budget)
        body = {"input_prefix": prefix, "input_suffix": suffix, "input_extra": extra,
                **sampling_fields(Protocol.LLAMA, sampling, n_predict, False)}
        raw = stream_answer(self._client, "/infill", body, Protocol.LLAMA, cancel, generation.stats, requested,
                            budget=n_predict, max_tokens=sampling.max_tokens, strip_first_space=False,
                            progress=generation.prompt_progress)
        return raw, prefix, suffix

    def instruction_fill(self, prefix: str, suffix: str, language: str, sampling: SamplingSettings,
                         cancel: threading.Event | None = None, *, single_line: bool = False,
                         context_tokens: int = DEFAULT_INFILL_CONTEXT) -> Generation:
        """The middle asked of the chat model in words: for servers or models without infill tokens."""
        budget = min(context_tokens, self._room(sampling.max_tokens) - 200)  # 200: the instructions
        messages, used_prefix, used_suffix = instruction_messages(prefix, suffix, language, budget, self._encode,
                                                                  single_line)
        generation = self.chat(messages, sampling, cancel)
        generation.pieces = _filtered(generation.pieces, instruction_filters(used_prefix, used_suffix, single_line),
                                      generation.stats)
        return generation

    def _room(self, max_tokens: int) -> int:
        return self.info.n_ctx - min(max_tokens, self.info.n_ctx // 2)

    def _check_open(self) -> None:
        if self._closed:
            raise EngineError(translate("core", "The remote engine was closed."))

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._client.close()


def connect(config: RemoteConfig) -> RemoteEngine:
    """Probe the server and return the engine (on the thread that will own it)."""
    return RemoteEngine(config)


def check_connection(config: RemoteConfig) -> ServerReport:
    """The Models window's Test connection: probe the server, report, and hang up (any thread but the GUI's)."""
    client = RemoteClient(config.url, config.key)
    try:
        return probe(client, config.model)
    finally:
        client.close()

