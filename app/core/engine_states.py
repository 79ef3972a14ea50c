"""What llama.cpp's KV cache already holds of a prompt: reuse in memory, and states saved on disk.

A follow-up turn starts from the tokens left in the cache by the previous one (including the answer
as the model spelled it, token_reuse); a chat with a `state_scope` also finds the state saved for
that scope in a `PromptStateStore`, and saves the state after a complete answer for the next time.

Threads: every function here reads or writes the llama.cpp context, so only the thread that owns
the engine may call it.
"""

from __future__ import annotations

import ctypes
import logging
from pathlib import Path
from typing import Callable, Iterator, Sequence

from app.core.engine_types import GenerationStats
from app.core.llama_tokenizer import LlamaTokenizer
from app.core.prompt_states import PromptStateStore, state_key
from app.core.token_reuse import reuse_generated

log = logging.getLogger(__name__)

MIN_RESTORE_GAIN = 64  # loading a saved state costs disk reads: only for at least this many tokens saved


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def cached_tokens(llama: object) -> list[int]:
    """The tokens llama.cpp's KV cache holds now (after any restored state)."""
    return llama._input_ids[: llama.n_tokens].tolist()  # noqa: SLF001


def with_generated_reuse(cached: list[int], tokens: list[int], tokenizer: LlamaTokenizer, limit: int) -> list[int]:
    """`tokens` with the previous answer as the model spelled it (it stays in the cache), when the
    spliced prompt is no longer than `limit` (or than `tokens`)."""
    spliced = reuse_generated(cached, tokens, tokenizer.piece_bytes, tokenizer.is_control)
    return spliced if len(spliced) <= max(len(tokens), limit) else tokens


def state_key_for(model_path: Path, model_id: str, n_ctx: int, scope: str) -> str | None:
    """The key of `scope`'s saved state for this model file and context size; None when the file is gone."""
    try:
        stat = model_path.stat()  # a replaced file must never meet the old file's states
    except OSError:
        return None  # the model file was moved or deleted while loaded: no states for it
    identity = f"{model_id}|{model_path}|{stat.st_size}|{stat.st_mtime_ns}"
    return state_key(identity, n_ctx, scope)


def after_restoring(pieces: Iterator[str], restore: Callable[[], None]) -> Iterator[str]:
    """`pieces`, once `restore` has loaded the saved state (on the first piece asked for)."""
    restore()
    yield from pieces


def restore_state(llama: object, states: PromptStateStore, key: str, tokens: list[int], n_ctx: int) -> None:
    """Load the saved state for `key` if it covers more of `tokens` than memory does."""
    import llama_cpp

    saved = states.tokens(key)
    in_memory = common_prefix(cached_tokens(llama), tokens)
    # Loading costs disk reads for every saved token, evaluating only for the tokens gained:
    # worth it when the gain is a fair share of the file (and more than a handful of tokens).
    gain = common_prefix(saved, tokens) - in_memory
    if gain < max(MIN_RESTORE_GAIN, len(saved) // 20) or len(saved) > n_ctx:
        return
    buffer = (llama_cpp.llama_token * len(saved))()
    count = ctypes.c_size_t(0)
    path = str(states.state_path(key)).encode()
    ok = llama_cpp.llama_state_load_file(llama._ctx.ctx, path, buffer, len(saved), ctypes.byref(count))  # noqa: SLF001
    if not ok or list(buffer[: count.value]) != saved:
        # A damaged or foreign file: forget it, and start the prompt from scratch.
        log.warning("saved prompt state %s could not be loaded; discarded", key)
        states.discard(key)
        llama.reset()
        return
    llama.input_ids[: len(saved)] = saved
    llama.n_tokens = len(saved)
    llama._requires_eval = True  # noqa: SLF001 - the restored logits are not the live ones
    states.touch(key)
    log.info("restored %d prompt tokens from a saved state", len(saved))


def save_state_after(llama: object, states: PromptStateStore, key: str, tokens: list[int],
                     stats: GenerationStats) -> None:
    """After a complete answer, save the state, unless the saved one already starts this prompt
    (a follow-up over the same context gains nothing from writing it again)."""
    if stats.stop_reason in ("end", "length") and common_prefix(states.tokens(key), tokens) < len(tokens) * 0.9:
        save_state(llama, states, key)


def save_state(llama: object, states: PromptStateStore, key: str) -> None:
    """Save what the KV cache holds now as `key`'s state; a failure is logged, not raised."""
    import llama_cpp

    ctx = llama._ctx.ctx  # noqa: SLF001
    tokens = cached_tokens(llama)
    temporary: Path | None = None
    try:
        if not tokens or not states.room_for(int(llama_cpp.llama_state_get_size(ctx))):
            return
        temporary = states.temporary_path(key)
        ids = (llama_cpp.llama_token * len(tokens))(*tokens)
        if not llama_cpp.llama_state_save_file(ctx, str(temporary).encode(), ids, len(tokens)):
            raise OSError("llama.cpp could not write the state file")
        states.commit(key, temporary, tokens)
    except OSError as exc:  # a cache: failing to save it costs time later, nothing else
        log.warning("could not save the prompt state: %s", exc)
        if temporary is not None:
            temporary.unlink(missing_ok=True)
            temporary.with_suffix(".tokens.tmp").unlink(missing_ok=True)
