"""Evaluating a prompt in llama.cpp's batches, reporting after each one.

`Llama.generate` evaluates the whole uncached prompt in one call before its first token, so a long
repository question sat silent for half a minute (minutes with a 7B model on a CPU). Here the prompt
is evaluated batch by batch first, with the same KV cache reuse `generate` would do (the longest
prefix already in the cache is kept), up to its last token; `generate` then finds all but that
token cached, evaluates it and samples, exactly as on a follow-up turn.

Threads: this runs llama.cpp, so only the thread that owns the engine calls it; `progress` is
called on that thread (the inference worker turns it into a signal).
"""

from __future__ import annotations

import threading
from typing import Callable

from app.core.engine_states import cached_tokens, common_prefix

PromptProgress = Callable[[int, int], None]  # (prompt tokens evaluated or cached, prompt tokens)


def evaluate_prompt(llama: object, tokens: list[int], cancel: threading.Event | None,
                    progress: PromptProgress | None) -> bool:
    """Evaluate `tokens[:-1]` in n_batch slices, calling `progress` after each; False if cancelled.

    A cancel is seen between batches here and inside a batch by the engine's abort callback (the
    decode then raises RuntimeError, which the caller treats as the cancel it is).
    """
    total = len(tokens)
    end = total - 1  # the last token is left to generate(), which samples right after evaluating it
    reused = common_prefix(cached_tokens(llama), tokens)
    if reused >= end:
        _report(progress, total, total)  # nothing to evaluate but what generate() replays
        return True
    # What generate() would do on a partial hit: keep the shared prefix, drop the rest of the cache.
    if reused > 0 and llama._ctx.kv_cache_seq_rm(-1, reused, -1):  # noqa: SLF001
        llama.n_tokens = reused
    else:
        llama.reset()  # nothing shared, or a model whose cache cannot be cut (recurrent): from scratch
        reused = 0
    done = reused
    _report(progress, done, total)
    step = max(1, int(llama.n_batch))
    while done < end:
        if cancel is not None and cancel.is_set():
            return False
        batch = tokens[done:min(end, done + step)]
        llama.eval(batch)
        done += len(batch)
        # The one token left costs what a generated token does: the prompt is read once this batch is.
        _report(progress, total if done >= end else done, total)
    return True


def _report(progress: PromptProgress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)
