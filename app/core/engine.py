"""The model engine: load a GGUF with llama.cpp, stream tokens, cancel, count tokens, unload.

`LocalEngine` implements `ChatBackend` (engine_types) on llama-cpp-python, composed of the
loading (engine_load), the tokenizer (llama_tokenizer), the token loop (engine_stream) and the KV
cache reuse and saved states (engine_states). What callers imported from here before the split
stays importable from here (`__all__`).

Threads: an engine is not thread-safe. Exactly one thread (the inference worker, or the CLI's main
thread) owns it and its tokenizer, and iterates its generations; other threads only set a cancel
event and read the frozen `EngineInfo`.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Iterator, Sequence

from app.core import hardware
from app.core.engine_load import MIN_CONTEXT, open_llama, plan_context, plan_load
from app.core.engine_prompt import PromptProgress
from app.core.engine_states import MIN_RESTORE_GAIN, after_restoring, restore_state, save_state_after, state_key_for
from app.core.engine_states import common_prefix as _common_prefix  # noqa: F401 - its name before the split
from app.core.engine_stream import ANSWER_RESERVE, AbortOnCancel, stream_tokens
from app.core.engine_stream import filtered as _filtered
from app.core.engine_types import ChatBackend, EngineInfo, Generation, GenerationStats, LoadOptions
from app.core.errors import EngineError, ModelFileError, PromptError
from app.core.i18n import translate
from app.core.infill.formats import InfillFormat, detect_format
from app.core.infill.instruct import instruction_messages
from app.core.infill.post import MiddleFilter
from app.core.infill.prompt import InfillPrompt, InfillRequest, build_infill_prompt
from app.core.infill.tidy import instruction_filters
from app.core.llama_tokenizer import LlamaTokenizer, VocabCounter
from app.core.prompt_states import PromptStateStore
from app.core.prompts.chat import ChatMessage, ChatPrompt, build_chat_prompt, check_chat_template
from app.core.settings import SamplingSettings

__all__ = [
    "ANSWER_RESERVE", "DEFAULT_INFILL_CONTEXT", "MIN_CONTEXT", "MIN_RESTORE_GAIN", "ChatBackend", "EngineInfo",
    "Generation", "GenerationStats", "LlamaTokenizer", "LoadOptions", "LocalEngine", "VocabCounter", "plan_context",
]

log = logging.getLogger(__name__)

DEFAULT_INFILL_CONTEXT = 4096  # tokens of code around an infill cursor (Settings.infill_context)


class LocalEngine:
    """A GGUF model running in this process through llama-cpp-python.

    Owned by one thread (the inference worker, or the CLI's main thread): every method, and the
    iteration of every `Generation` it returns, runs there. `info` is a frozen snapshot.
    """

    def __init__(self, model_path: Path, *, chat_format: str = "auto", name: str = "", model_id: str = "",
                 options: LoadOptions | None = None, infill_hint: str = "") -> None:
        options = options or LoadOptions()
        started = time.perf_counter()
        plan = plan_load(model_path, options)
        gguf, n_ctx, reduced = plan.gguf, plan.n_ctx, plan.reduced_for_memory
        build = hardware.build_info()
        gen_threads, batch_threads = hardware.thread_plan()
        threads = options.threads or gen_threads
        threads_batch = options.threads_batch or batch_threads
        gpu_layers = 0 if not build.gpu_offload else options.gpu_layers
        self._llama = open_llama(model_path, n_ctx=n_ctx, gpu_layers=gpu_layers, threads=threads,
                                 threads_batch=threads_batch)
        self.model_path = model_path
        self.gguf = gguf
        self.file_size = model_path.stat().st_size  # the weights are mapped: what the file is, the memory is
        self.tokenizer = LlamaTokenizer(self._llama, self._llama.metadata)
        self.chat_format = chat_format
        if chat_format in ("auto", "template"):
            try:  # a template that hangs, floods memory or does not parse fails the load, not the first chat
                check_chat_template(self.tokenizer)
            except ModelFileError as exc:
                self._llama.close()
                raise ModelFileError(translate("core", "{name}: {reason}").format(
                    name=model_path.name, reason=exc.message)) from None
        self._closed = False
        self.states: PromptStateStore | None = None  # where chat(state_scope=...) saves and finds KV states
        self._abort = AbortOnCancel(self._llama)  # Stop interrupts a long prompt evaluation too
        self.infill = detect_format(self.tokenizer, infill_hint)
        self.info = EngineInfo(
            model_name=name or gguf.name or model_path.stem,
            model_path=str(model_path),
            backend=build.backend if gpu_layers != 0 else "CPU",
            gpu_layers=gpu_layers,
            n_ctx=self._llama.n_ctx(),
            n_ctx_train=gguf.context_length or 0,
            threads=threads,
            threads_batch=threads_batch,
            chat_format=chat_format,
            load_seconds=time.perf_counter() - started,
            context_reduced_for_memory=reduced,
            model_id=model_id or str(model_path),
            infill_format=self.infill.label if self.infill else "",
            infill_family=self.infill.family if self.infill else None,
        )
        log.info("loaded %s: n_ctx=%d backend=%s threads=%d/%d in %.2fs", self.info.model_name,
                 self.info.n_ctx, self.info.backend, threads, threads_batch, self.info.load_seconds)

    # Token counting ---------------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text))

    def build_prompt(self, messages: Sequence[ChatMessage]) -> ChatPrompt:
        return build_chat_prompt(self.chat_format, self.tokenizer, messages)

    def prompt_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return len(self.build_prompt(messages).tokens)

    def fit_history(self, messages: Sequence[ChatMessage], keep_leading: int | None = None) -> tuple[ChatPrompt, int]:
        """The prompt for `messages`, leaving out the oldest exchanges if it overflows the context.

        Returns (prompt, number of messages dropped). The first `keep_leading` messages (default:
        the system message) and the last user message are always kept; a repository question
        keeps its packed-code message this way while old follow-ups make room.
        """
        if keep_leading is None:
            keep_leading = 1 if messages and messages[0].role == "system" else 0
        system = list(messages[:keep_leading])
        rest = list(messages[keep_leading:])
        limit = self.info.n_ctx - ANSWER_RESERVE
        dropped = 0
        while True:
            prompt = self.build_prompt(system + rest)
            if len(prompt.tokens) <= limit or len(rest) <= 1:
                break
            rest = rest[2:]  # one user/assistant exchange at a time keeps the roles alternating
            dropped += 2
        if len(prompt.tokens) >= self.info.n_ctx - 16:
            raise PromptError(
                translate(
                    "core", "The message is too long for the model's context ({count:,} tokens, the context holds {n_ctx:,}); "
                    "shorten it or raise the context size.").format(count=len(prompt.tokens), n_ctx=self.info.n_ctx))
        return prompt, dropped

    # Generation -------------------------------------------------------------------------------
    def chat(self, messages: Sequence[ChatMessage], sampling: SamplingSettings,
             cancel: threading.Event | None = None, *, ignore_eos: bool = False,
             keep_leading: int | None = None, state_scope: str = "") -> Generation:
        """Stream an answer. `ignore_eos` keeps generating past the end token (benchmarks).

        With `state_scope` (and a store in `self.states`), the prompt starts from the state saved
        for that scope when it shares more of the prompt than the cache in memory does, and the
        state after a completed answer is saved for the next time.
        """
        if self._closed:
            raise EngineError(translate("core", "The model was unloaded."))
        requested = time.perf_counter()  # time to first token counts prompt building too
        prompt, dropped = self.fit_history(messages, keep_leading)
        generation = Generation(iter(()))
        generation.stats.dropped_messages = dropped
        stop_ids = frozenset() if ignore_eos else prompt.stop_ids
        pieces = self._stream(prompt.tokens, stop_ids, sampling, cancel, generation.stats, requested,
                              reuse_generated_tokens=True, progress=generation.prompt_progress)
        key = self._state_key(state_scope) if state_scope and self.states is not None else None
        if key is not None:
            pieces = after_restoring(pieces, lambda: restore_state(self._llama, self.states, key, prompt.tokens,
                                                                   self.info.n_ctx))
            generation.after = lambda: save_state_after(self._llama, self.states, key, prompt.tokens, generation.stats)
        generation.pieces = pieces
        return generation

    def continue_tokens(self, tokens: list[int], sampling: SamplingSettings,
                        cancel: threading.Event | None = None) -> Generation:
        """A plain continuation of a prompt a client built itself (the server's `/completion`):
        the tokens go in as they are and the model's end-of-generation tokens stop it."""
        if self._closed:
            raise EngineError(translate("core", "The model was unloaded."))
        generation = Generation(iter(()))
        generation.pieces = self._stream(tokens, self.tokenizer.eog_ids(), sampling, cancel, generation.stats,
                                         time.perf_counter(), strip_first_space=False,
                                         progress=generation.prompt_progress)
        return generation

    # Infill -----------------------------------------------------------------------------------
    def infill_prompt(self, request: InfillRequest, max_tokens: int, fmt: InfillFormat | None = None,
                      context_tokens: int = DEFAULT_INFILL_CONTEXT) -> InfillPrompt:
        """The infill tokens for `request`: at most `context_tokens` of code, and room left for the middle."""
        fmt = fmt or self.infill
        if fmt is None:
            raise PromptError(translate(
                "core", "{model_name} has no fill-in-the-middle tokens; use an instruction fill or load a model that infills "
                "(Code Llama 7B/13B, Qwen2.5-Coder).").format(model_name=self.info.model_name))
        return build_infill_prompt(fmt, self.tokenizer, request, min(context_tokens, self._room(max_tokens)))

    def infill_text(self, request: InfillRequest, sampling: SamplingSettings,
                    cancel: threading.Event | None = None, *, single_line: bool = False,
                    fmt: InfillFormat | None = None, context_tokens: int = DEFAULT_INFILL_CONTEXT) -> Generation:
        """Stream the middle between `request.prefix` and `request.suffix`, filtered (infill.post)."""
        if self._closed:
            raise EngineError(translate("core", "The model was unloaded."))
        requested = time.perf_counter()
        prompt = self.infill_prompt(request, sampling.max_tokens, fmt, context_tokens)
        log.info("infill prompt: %d tokens, %d snippets from other files (%s)", len(prompt.tokens),
                 len(prompt.snippets), ", ".join(s.path for s in prompt.snippets))
        generation = Generation(iter(()))
        raw = self._stream(prompt.tokens, prompt.stop_ids, sampling, cancel, generation.stats, requested,
                           strip_first_space=False,  # the middle's leading space is real text
                           progress=generation.prompt_progress)
        generation.pieces = _filtered(raw, [MiddleFilter(prompt.suffix, single_line, prompt.prefix)],
                                      generation.stats)
        return generation

    def instruction_fill(self, prefix: str, suffix: str, language: str, sampling: SamplingSettings,
                         cancel: threading.Event | None = None, *, single_line: bool = False,
                         context_tokens: int = DEFAULT_INFILL_CONTEXT) -> Generation:
        """The middle asked of a chat model in words: for models without infill tokens."""
        budget = min(context_tokens, self._room(sampling.max_tokens) - 200)  # 200: the instructions
        messages, used_prefix, used_suffix = instruction_messages(prefix, suffix, language, budget,
                                                                  self.tokenizer.encode, single_line)
        generation = self.chat(messages, sampling, cancel)
        filters = instruction_filters(used_prefix, used_suffix, single_line)  # one clean middle (infill/tidy.py)
        generation.pieces = _filtered(generation.pieces, filters, generation.stats)
        return generation

    def _room(self, max_tokens: int) -> int:
        """Tokens of prompt that leave room for the answer (at most half the window is kept for it)."""
        return self.info.n_ctx - min(max_tokens, self.info.n_ctx // 2)

    # Saved states and the token loop (engine_states, engine_stream) -------------------------
    def _state_key(self, scope: str) -> str | None:
        return state_key_for(self.model_path, self.info.model_id, self.info.n_ctx, scope)

    def _stream(self, tokens: list[int], stop_ids: frozenset[int], sampling: SamplingSettings,
                cancel: threading.Event | None, stats: GenerationStats, started: float,
                strip_first_space: bool = True, reuse_generated_tokens: bool = False,
                progress: PromptProgress | None = None) -> Iterator[str]:
        return stream_tokens(self._llama, self.tokenizer, tokens, stop_ids, sampling, cancel, stats, started,
                             n_ctx=self.info.n_ctx, abort=self._abort, strip_first_space=strip_first_space,
                             reuse_generated_tokens=reuse_generated_tokens, progress=progress)

    def memory_bytes(self) -> int:
        """About what this engine holds in memory (weights, KV cache, overhead): what closing it frees."""
        return hardware.estimate_memory(self.gguf, self.file_size, self.info.n_ctx)

    def close(self) -> None:
        """Free the model's memory now (deleting the object does not reliably do it)."""
        if not self._closed:
            self._closed = True
            self._llama.close()
