"""The token loop: sample from llama.cpp, decode to text, stop at the end, the budget or a cancel.

Threads: the stream runs llama.cpp, so it is iterated only on the thread that owns the engine.
Cancel is the one thing another thread touches: it sets the `threading.Event`, which the loop
checks between tokens and llama.cpp's abort callback checks during a long prompt evaluation.
"""

from __future__ import annotations

import codecs
import random
import threading
import time
from typing import Iterator, Sequence

from app.core import llama_log
from app.core.engine_prompt import PromptProgress, evaluate_prompt
from app.core.engine_states import cached_tokens, common_prefix, with_generated_reuse
from app.core.engine_types import GenerationStats
from app.core.llama_tokenizer import LlamaTokenizer
from app.core.settings import SamplingSettings

ANSWER_RESERVE = 256  # tokens kept free for the answer when fitting history into the context


class AbortOnCancel:
    """Lets Stop interrupt a long prompt evaluation, not only generation between tokens.

    llama.cpp polls this during graph computation (CPU backend); returning True makes the
    decode fail, which `stream_tokens` reports as a cancel. `cancel` is the running stream's event.
    """

    def __init__(self, llama: object) -> None:
        import llama_cpp

        self.cancel: threading.Event | None = None

        def should_abort(_data: object) -> bool:
            cancel = self.cancel
            if cancel is not None and cancel.is_set():
                llama_log.expect_abort()  # llama.cpp logs the failed decode next: a Stop, not an error
                return True
            return False

        self._callback = llama_cpp.ggml_abort_callback(should_abort)  # kept alive with the engine
        llama_cpp.llama_set_abort_callback(llama._ctx.ctx, self._callback, None)  # noqa: SLF001


def stream_tokens(llama: object, tokenizer: LlamaTokenizer, tokens: list[int], stop_ids: frozenset[int],
                  sampling: SamplingSettings, cancel: threading.Event | None, stats: GenerationStats,
                  started: float, *, n_ctx: int, abort: AbortOnCancel, strip_first_space: bool = True,
                  reuse_generated_tokens: bool = False, progress: PromptProgress | None = None) -> Iterator[str]:
    """Generate after `tokens`, yielding text pieces and filling in `stats` as it goes.

    Nothing runs until the first piece is asked for, so a state restored before that is used.
    """
    cached = cached_tokens(llama)  # after any restored state
    if reuse_generated_tokens:  # the previous answer, as the model spelled it, stays in the cache
        tokens = with_generated_reuse(cached, tokens, tokenizer, n_ctx - ANSWER_RESERVE)
    stats.prompt_tokens = len(tokens)
    stats.reused_tokens = common_prefix(cached, tokens)
    budget = min(sampling.max_tokens, n_ctx - len(tokens))
    seed = sampling.seed if sampling.seed >= 0 else random.randrange(2**31)
    llama.set_seed(seed)
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    first = strip_first_space
    stats.stop_reason = "length"
    abort.cancel = cancel
    try:
        if not evaluate_prompt(llama, tokens, cancel, progress):  # batch by batch, reporting each
            stats.stop_reason = "cancelled"
            return
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
            text = decoder.decode(tokenizer.piece_bytes(token))
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
        abort.cancel = None
        llama_log.abort_handled()
        stats.total_seconds = time.perf_counter() - started


def filtered(pieces: Iterator[str], filters: Sequence, stats: GenerationStats) -> Iterator[str]:
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
