"""The model engine: load a GGUF with llama.cpp, stream tokens, cancel, count tokens, unload.

`ChatBackend` is the small interface the rest of the app talks to; `LocalEngine` implements it
on llama-cpp-python. A remote backend (an OpenAI-compatible server) can implement the same
interface later. An engine is not thread-safe: exactly one thread (the inference worker, or the
CLI's main thread) owns it.
"""

from __future__ import annotations

import codecs
import logging
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Protocol, Sequence

from app.core import hardware, llama_log
from app.core.errors import EngineError, ModelFileError, ModelTooLargeError, PromptError
from app.core.gguf_info import GGUFInfo, read_gguf_info
from app.core.infill.formats import InfillFamily, InfillFormat, detect_format
from app.core.infill.instruct import EchoFilter, FenceFilter, SuffixEchoFilter, instruction_messages
from app.core.infill.post import MiddleFilter
from app.core.infill.prompt import InfillPrompt, InfillRequest, build_infill_prompt
from app.core.prompt_states import PromptStateStore, state_key
from app.core.prompts.chat import ChatMessage, ChatPrompt, build_chat_prompt, check_chat_template, check_template_source
from app.core.settings import SamplingSettings
from app.core.token_reuse import reuse_generated

log = logging.getLogger(__name__)

MIN_CONTEXT = 512
ANSWER_RESERVE = 256  # tokens kept free for the answer when fitting history into the context
DEFAULT_INFILL_CONTEXT = 4096  # tokens of code around an infill cursor (Settings.infill_context)
MIN_RESTORE_GAIN = 64  # loading a saved state costs disk reads: only for at least this many tokens saved


@dataclass(frozen=True)
class LoadOptions:
    context_limit: int = 16384  # the user's cap on n_ctx
    max_context: int = 0  # how far beyond its trained length the model still works (manifest)
    memory_limit_mb: int = 0  # 0: what the machine has free
    gpu_layers: int = -1  # -1: all layers when the build can offload, 0: CPU only
    threads: int | None = None  # None: hardware.thread_plan()
    threads_batch: int | None = None


@dataclass(frozen=True)
class EngineInfo:
    model_name: str
    model_path: str
    backend: str  # where the layers run: "CPU", "CUDA", "Metal", ...
    gpu_layers: int
    n_ctx: int
    n_ctx_train: int
    threads: int
    threads_batch: int
    chat_format: str
    load_seconds: float
    context_reduced_for_memory: bool = False
    model_id: str = ""  # manifest id, or the file path for a model outside the manifest
    infill_format: str = ""  # the fill-in-the-middle family's label (formats.FAMILY_NAMES), empty when it has none
    infill_family: InfillFamily | None = None  # what features are decided by


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    reused_tokens: int = 0  # prompt tokens served from the KV cache
    generated_tokens: int = 0
    stop_reason: str = ""  # "end", "length", "context", "cancelled"
    first_token_seconds: float = 0.0
    total_seconds: float = 0.0
    dropped_messages: int = 0  # oldest history left out to fit the context

    @property
    def tokens_per_second(self) -> float:
        gen_time = self.total_seconds - self.first_token_seconds
        return (self.generated_tokens - 1) / gen_time if self.generated_tokens > 1 and gen_time > 0 else 0.0


@dataclass
class Generation:
    """An answer being generated: iterate for text pieces; `stats` is complete afterwards."""

    pieces: Iterator[str]
    stats: GenerationStats = field(default_factory=GenerationStats)
    after: Callable[[], None] | None = None  # work that can wait until the answer is shown

    def __iter__(self) -> Iterator[str]:
        return self.pieces

    def text(self) -> str:
        text = "".join(self.pieces)
        self.after_answer()
        return text

    def after_answer(self) -> None:
        """Run the deferred work (saving the prompt's KV state); once, after the pieces are consumed."""
        after, self.after = self.after, None
        if after is not None:
            after()


class ChatBackend(Protocol):
    info: EngineInfo

    def count_tokens(self, text: str) -> int: ...

    def prompt_tokens(self, messages: Sequence[ChatMessage]) -> int: ...

    def chat(self, messages: Sequence[ChatMessage], sampling: SamplingSettings,
             cancel: threading.Event | None = None) -> Generation: ...

    def close(self) -> None: ...


class LlamaTokenizer:
    """`prompts.tokenizer.Tokenizer` over a loaded llama_cpp.Llama."""

    def __init__(self, llama: object, metadata: dict[str, str]) -> None:
        import llama_cpp

        self._llama = llama
        self._llama_cpp = llama_cpp
        model = llama._model  # noqa: SLF001 - llama-cpp-python exposes no public vocab handle
        self._vocab = model.vocab
        self.bos_id = int(model.token_bos())
        self.eos_id = int(model.token_eos())
        self.add_bos = bool(model.add_bos_token())
        self._metadata = metadata
        self._eog: frozenset[int] | None = None
        self._controls: frozenset[str] | None = None
        import ctypes

        self._piece_buf = ctypes.create_string_buffer(64)

    def encode(self, text: str, *, special: bool = False) -> list[int]:
        if not text:
            return []
        return self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=special)

    def piece_id(self, piece: str) -> int | None:
        ids = self._llama.tokenize(piece.encode("utf-8"), add_bos=False, special=True)
        return ids[0] if len(ids) == 1 and self.token_text(ids[0]) == piece else None

    def piece_bytes(self, token_id: int) -> bytes:
        """The bytes of one token as generated text.

        llama-cpp-python's detokenize uses a fixed 32-byte buffer and returns nothing for longer
        pieces (deep indentation, long rulers), so the buffer is sized from llama.cpp's answer.
        """
        import ctypes

        n = self._llama_cpp.llama_token_to_piece(self._vocab, token_id, self._piece_buf, len(self._piece_buf), 0, False)
        if n < 0:
            self._piece_buf = ctypes.create_string_buffer(-n)
            n = self._llama_cpp.llama_token_to_piece(self._vocab, token_id, self._piece_buf, -n, 0, False)
        return self._piece_buf.raw[:n]

    def decode(self, ids: Sequence[int]) -> str:
        return b"".join(self.piece_bytes(t) for t in ids).decode("utf-8", errors="replace")

    def is_control(self, token_id: int) -> bool:
        return bool(self._llama_cpp.llama_vocab_is_control(self._vocab, token_id))

    def control_texts(self) -> frozenset[str]:
        """Text of every control token (<|im_start|>, <s>, ...), to keep it out of message text."""
        if self._controls is None:
            self._controls = frozenset(
                text for t in range(self._llama.n_vocab()) if self.is_control(t) and (text := self.token_text(t)))
        return self._controls

    def token_text(self, token_id: int) -> str:
        return self._llama_cpp.llama_vocab_get_text(self._vocab, token_id).decode("utf-8", errors="replace")

    def is_eog(self, token_id: int) -> bool:
        return bool(self._llama_cpp.llama_vocab_is_eog(self._vocab, token_id))

    def eog_ids(self) -> frozenset[int]:
        if self._eog is None:
            n_vocab = self._llama.n_vocab()
            # Control tokens are few and sit at the ends of the vocabulary; scan all once.
            self._eog = frozenset(t for t in range(n_vocab) if self.is_eog(t))
        return self._eog

    def chat_template(self) -> str | None:
        return self._metadata.get("tokenizer.chat_template") or None

    def fim_ids(self) -> dict[str, int]:
        """Infill tokens as llama.cpp knows them (GGUF keys tokenizer.ggml.fim_*_token_id, or their
        text); -1 where absent."""
        lib, vocab = self._llama_cpp, self._vocab
        return {name: int(getattr(lib, f"llama_vocab_fim_{name}")(vocab))
                for name in ("pre", "suf", "mid", "pad", "rep", "sep")}


def plan_context(info: GGUFInfo, file_size: int, options: LoadOptions) -> tuple[int, bool]:
    """Context size: the model's trained length, capped by the setting and by free memory.

    Returns (n_ctx, reduced_for_memory). Raises ModelTooLargeError when not even the weights
    plus a minimal context fit.
    """
    trained = info.context_length or 4096
    # Beyond the trained length only where the model is known to hold up (Code Llama's RoPE base
    # was raised for this), and only as far as the user's limit asks.
    ceiling = max(trained, options.max_context)
    wanted = max(MIN_CONTEXT, min(ceiling, options.context_limit))
    budget = hardware.memory_budget(options.memory_limit_mb)
    need_min = hardware.estimate_memory(info, file_size, MIN_CONTEXT)
    if need_min > budget:
        raise ModelTooLargeError(
            f"The model needs about {need_min / 2**30:.1f} GiB but only {budget / 2**30:.1f} GiB "
            "is available; choose a smaller model or quantization, or close other programs.")
    n_ctx = wanted
    while n_ctx > MIN_CONTEXT and hardware.estimate_memory(info, file_size, n_ctx) > budget:
        n_ctx //= 2
    n_ctx = max(MIN_CONTEXT, n_ctx)
    return n_ctx, n_ctx < wanted


class LocalEngine:
    """A GGUF model running in this process through llama-cpp-python."""

    def __init__(self, model_path: Path, *, chat_format: str = "auto", name: str = "", model_id: str = "",
                 options: LoadOptions | None = None, infill_hint: str = "") -> None:
        options = options or LoadOptions()
        started = time.perf_counter()
        gguf = read_gguf_info(model_path)  # clear errors for missing/truncated/non-GGUF files
        try:
            check_template_source(gguf.metadata)  # Llama() compiles the templates: a hostile one would hang it
        except ModelFileError as exc:
            raise ModelFileError(f"{model_path.name}: {exc}") from None
        n_ctx, reduced = plan_context(gguf, model_path.stat().st_size, options)
        build = hardware.build_info()
        gen_threads, batch_threads = hardware.thread_plan()
        threads = options.threads or gen_threads
        threads_batch = options.threads_batch or batch_threads
        gpu_layers = 0 if not build.gpu_offload else options.gpu_layers
        llama_log.install()
        import llama_cpp

        try:
            self._llama = llama_cpp.Llama(
                model_path=str(model_path), n_ctx=n_ctx, n_gpu_layers=gpu_layers,
                n_threads=threads, n_threads_batch=threads_batch, n_batch=512,
                # Flash attention helps GPU backends; on CPU it measured slower (benchmarks/followup_cost.py).
                flash_attn=gpu_layers != 0,
                verbose=False,  # native logs reach Python logging through llama_log instead
            )
        except ValueError as exc:
            raise ModelFileError(
                f"{model_path.name}: llama.cpp could not load this model ({exc}); it may be corrupt, "
                "or its architecture is not supported by this build") from None
        except MemoryError:
            raise ModelTooLargeError(f"{model_path.name}: not enough memory to load the model") from None
        self.model_path = model_path
        self.gguf = gguf
        self.tokenizer = LlamaTokenizer(self._llama, self._llama.metadata)
        self.chat_format = chat_format
        if chat_format in ("auto", "template"):
            try:  # a template that hangs, floods memory or does not parse fails the load, not the first chat
                check_chat_template(self.tokenizer)
            except ModelFileError as exc:
                self._llama.close()
                raise ModelFileError(f"{model_path.name}: {exc}") from None
        self._closed = False
        self._cancel: threading.Event | None = None
        self.states: PromptStateStore | None = None  # where chat(state_scope=...) saves and finds KV states
        self._install_abort_callback()
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

    def _install_abort_callback(self) -> None:
        """Let Stop interrupt a long prompt evaluation, not only generation between tokens.

        llama.cpp polls this during graph computation (CPU backend); returning True makes the
        decode fail, which _stream reports as a cancel.
        """
        import llama_cpp

        def should_abort(_data: object) -> bool:
            cancel = self._cancel
            return bool(cancel is not None and cancel.is_set())

        self._abort_cb = llama_cpp.ggml_abort_callback(should_abort)  # kept alive with the engine
        llama_cpp.llama_set_abort_callback(self._llama._ctx.ctx, self._abort_cb, None)  # noqa: SLF001

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
                f"The message is too long for the model's context ({len(prompt.tokens):,} tokens, the "
                f"context holds {self.info.n_ctx:,}); shorten it or raise the context size.")
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
            raise EngineError("The model was unloaded.")
        requested = time.perf_counter()  # time to first token counts prompt building too
        prompt, dropped = self.fit_history(messages, keep_leading)
        generation = Generation(iter(()))
        generation.stats.dropped_messages = dropped
        stop_ids = frozenset() if ignore_eos else prompt.stop_ids
        pieces = self._stream(prompt.tokens, stop_ids, sampling, cancel, generation.stats, requested,
                              reuse_generated_tokens=True)
        key = self._state_key(state_scope) if state_scope and self.states is not None else None
        if key is not None:
            pieces = self._after_restoring(pieces, key, prompt.tokens)
            generation.after = lambda: self._save_state_for(key, prompt.tokens, generation.stats)
        generation.pieces = pieces
        return generation

    # Infill -----------------------------------------------------------------------------------
    def infill_prompt(self, request: InfillRequest, max_tokens: int, fmt: InfillFormat | None = None,
                      context_tokens: int = DEFAULT_INFILL_CONTEXT) -> InfillPrompt:
        """The infill tokens for `request`: at most `context_tokens` of code, and room left for the middle."""
        fmt = fmt or self.infill
        if fmt is None:
            raise PromptError(f"{self.info.model_name} has no fill-in-the-middle tokens; use an instruction "
                              "fill or load a model that infills (Code Llama 7B/13B, Qwen2.5-Coder).")
        return build_infill_prompt(fmt, self.tokenizer, request, min(context_tokens, self._room(max_tokens)))

    def infill_text(self, request: InfillRequest, sampling: SamplingSettings,
                    cancel: threading.Event | None = None, *, single_line: bool = False,
                    fmt: InfillFormat | None = None, context_tokens: int = DEFAULT_INFILL_CONTEXT) -> Generation:
        """Stream the middle between `request.prefix` and `request.suffix`, filtered (infill.post)."""
        if self._closed:
            raise EngineError("The model was unloaded.")
        requested = time.perf_counter()
        prompt = self.infill_prompt(request, sampling.max_tokens, fmt, context_tokens)
        log.info("infill prompt: %d tokens, %d snippets from other files (%s)", len(prompt.tokens),
                 len(prompt.snippets), ", ".join(s.path for s in prompt.snippets))
        generation = Generation(iter(()))
        raw = self._stream(prompt.tokens, prompt.stop_ids, sampling, cancel, generation.stats, requested,
                           strip_first_space=False)  # the middle's leading space is real text
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
        filters = [FenceFilter(), EchoFilter(used_prefix), SuffixEchoFilter(used_suffix),
                   MiddleFilter(used_suffix, single_line, used_prefix)]
        generation.pieces = _filtered(generation.pieces, filters, generation.stats)
        return generation

    def _room(self, max_tokens: int) -> int:
        """Tokens of prompt that leave room for the answer (at most half the window is kept for it)."""
        return self.info.n_ctx - min(max_tokens, self.info.n_ctx // 2)

    # Saved states -----------------------------------------------------------------------------
    def _state_key(self, scope: str) -> str | None:
        try:
            stat = self.model_path.stat()  # a replaced file must never meet the old file's states
        except OSError:
            return None  # the model file was moved or deleted while loaded: no states for it
        identity = f"{self.info.model_id}|{self.model_path}|{stat.st_size}|{stat.st_mtime_ns}"
        return state_key(identity, self.info.n_ctx, scope)

    def _after_restoring(self, pieces: Iterator[str], key: str, tokens: list[int]) -> Iterator[str]:
        """`pieces`, once the saved state has been loaded (on the first piece asked for)."""
        self._restore_state(key, tokens)
        yield from pieces

    def _save_state_for(self, key: str, tokens: list[int], stats: GenerationStats) -> None:
        """After a complete answer, save the state, unless the saved one already starts this prompt
        (a follow-up over the same context gains nothing from writing it again)."""
        assert self.states is not None
        if stats.stop_reason in ("end", "length") and \
                _common_prefix(self.states.tokens(key), tokens) < len(tokens) * 0.9:
            self._save_state(key)

    def _restore_state(self, key: str, tokens: list[int]) -> None:
        """Load the saved state for `key` if it covers more of `tokens` than memory does."""
        import ctypes

        import llama_cpp

        assert self.states is not None
        saved = self.states.tokens(key)
        llama = self._llama
        in_memory = _common_prefix(llama._input_ids[: llama.n_tokens].tolist(), tokens)  # noqa: SLF001
        # Loading costs disk reads for every saved token, evaluating only for the tokens gained:
        # worth it when the gain is a fair share of the file (and more than a handful of tokens).
        gain = _common_prefix(saved, tokens) - in_memory
        if gain < max(MIN_RESTORE_GAIN, len(saved) // 20) or len(saved) > self.info.n_ctx:
            return
        buffer = (llama_cpp.llama_token * len(saved))()
        count = ctypes.c_size_t(0)
        path = str(self.states.state_path(key)).encode()
        ok = llama_cpp.llama_state_load_file(llama._ctx.ctx, path, buffer, len(saved), ctypes.byref(count))  # noqa: SLF001
        if not ok or list(buffer[: count.value]) != saved:
            # A damaged or foreign file: forget it, and start the prompt from scratch.
            log.warning("saved prompt state %s could not be loaded; discarded", key)
            self.states.discard(key)
            llama.reset()
            return
        llama.input_ids[: len(saved)] = saved
        llama.n_tokens = len(saved)
        llama._requires_eval = True  # noqa: SLF001 - the restored logits are not the live ones
        self.states.touch(key)
        log.info("restored %d prompt tokens from a saved state", len(saved))

    def _save_state(self, key: str) -> None:
        import llama_cpp

        assert self.states is not None
        llama = self._llama
        ctx = llama._ctx.ctx  # noqa: SLF001
        tokens = llama._input_ids[: llama.n_tokens].tolist()  # noqa: SLF001
        temporary: Path | None = None
        try:
            if not tokens or not self.states.room_for(int(llama_cpp.llama_state_get_size(ctx))):
                return
            temporary = self.states.temporary_path(key)
            ids = (llama_cpp.llama_token * len(tokens))(*tokens)
            if not llama_cpp.llama_state_save_file(ctx, str(temporary).encode(), ids, len(tokens)):
                raise OSError("llama.cpp could not write the state file")
            self.states.commit(key, temporary, tokens)
        except OSError as exc:  # a cache: failing to save it costs time later, nothing else
            log.warning("could not save the prompt state: %s", exc)
            if temporary is not None:
                temporary.unlink(missing_ok=True)
                temporary.with_suffix(".tokens.tmp").unlink(missing_ok=True)

    def _stream(self, tokens: list[int], stop_ids: frozenset[int], sampling: SamplingSettings,
                cancel: threading.Event | None, stats: GenerationStats, started: float,
                strip_first_space: bool = True, reuse_generated_tokens: bool = False) -> Iterator[str]:
        llama = self._llama
        cached = llama._input_ids[: llama.n_tokens].tolist()  # noqa: SLF001 - after any restored state
        if reuse_generated_tokens:  # the previous answer, as the model spelled it, stays in the cache
            spliced = reuse_generated(cached, tokens, self.tokenizer.piece_bytes, self.tokenizer.is_control)
            if len(spliced) <= max(len(tokens), self.info.n_ctx - ANSWER_RESERVE):
                tokens = spliced
        stats.prompt_tokens = len(tokens)
        stats.reused_tokens = _common_prefix(cached, tokens)
        budget = min(sampling.max_tokens, self.info.n_ctx - len(tokens))
        seed = sampling.seed if sampling.seed >= 0 else random.randrange(2**31)
        llama.set_seed(seed)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        first = strip_first_space
        stats.stop_reason = "length"
        self._cancel = cancel
        try:
            for token in llama.generate(
                tokens, top_k=sampling.top_k, top_p=sampling.top_p, temp=sampling.temperature,
                repeat_penalty=sampling.repeat_penalty, min_p=0.05,
            ):
                if stats.generated_tokens == 0:
                    stats.first_token_seconds = time.perf_counter() - started
                if token in stop_ids:
                    stats.stop_reason = "end"
                    break
                stats.generated_tokens += 1
                text = decoder.decode(self.tokenizer.piece_bytes(token))
                if first and text:
                    text = text.lstrip(" ")  # SentencePiece's word-start space on the first piece
                    first = not text
                if text:
                    yield text
                if cancel is not None and cancel.is_set():
                    stats.stop_reason = "cancelled"
                    break
                if stats.generated_tokens >= budget:
                    stats.stop_reason = "context" if budget < sampling.max_tokens else "length"
                    break
            tail = decoder.decode(b"", final=True)
            if tail:
                yield tail
        except RuntimeError:
            if cancel is None or not cancel.is_set():
                raise
            # The abort callback stopped a long prompt evaluation: that is a cancel, not an error.
            stats.stop_reason = "cancelled"
        finally:
            self._cancel = None
            stats.total_seconds = time.perf_counter() - started

    def close(self) -> None:
        """Free the model's memory now (deleting the object does not reliably do it)."""
        if not self._closed:
            self._closed = True
            self._llama.close()


def _filtered(pieces: Iterator[str], filters: Sequence, stats: GenerationStats) -> Iterator[str]:
    """Pass generated text through `filters` in turn (each with feed/finish/done), ending
    generation once one of them says the text is complete."""
    try:
        for piece in pieces:
            for f in filters:
                piece = f.feed(piece)
            if piece:
                yield piece
            if any(f.done for f in filters):
                stats.stop_reason = "end"
                break
        # Each filter's held text goes on through the filters after it (a finished filter passes nothing).
        tail = ""
        for f in filters:
            tail = f.feed(tail) + f.finish()
        if tail:
            yield tail
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()  # stops llama.cpp's generator (and times the generation) when the middle ends early


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


class VocabCounter:
    """Token counting with a model's own tokenizer, loading only its vocabulary (no weights)."""

    def __init__(self, model_path: Path) -> None:
        info = read_gguf_info(model_path)  # the same clear errors as a full load
        try:
            check_template_source(info.metadata)  # the vocab-only Llama() compiles the templates too
        except ModelFileError as exc:
            raise ModelFileError(f"{model_path.name}: {exc}") from None
        llama_log.install()
        import llama_cpp

        try:
            self._llama = llama_cpp.Llama(model_path=str(model_path), vocab_only=True, verbose=False)
        except ValueError as exc:
            raise ModelFileError(f"{model_path.name}: llama.cpp could not read its vocabulary ({exc})") from None

    def __call__(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False)) if text else 0

    def close(self) -> None:
        self._llama.close()
