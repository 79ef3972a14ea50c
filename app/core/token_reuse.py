"""Keep the model's own tokens for text it generated, so a follow-up reuses the whole cached answer.

A follow-up prompt holds the previous answer as text, tokenized afresh. The model often produced
that text through other tokens than the tokenizer would choose ("ret" + "ry" where the tokenizer
writes "retry"), so the fresh prompt parts from the cached tokens a few words into the answer and
everything after that point was evaluated again. Where the cached tokens spell exactly the same
bytes as the prompt's, the cached ones are used instead: the model sees the same text, through a
tokenization it produced itself. Control tokens are never part of such a swap, so every marker
the prompt builder placed stays exactly where it put it.
"""

from __future__ import annotations

from typing import Callable, Sequence

MAX_ALIGN_TOKENS = 16_384  # the longest answer this looks through, bounding the work per prompt


def reuse_generated(cached: Sequence[int], tokens: list[int], piece_bytes: Callable[[int], bytes],
                    is_control: Callable[[int], bool]) -> list[int]:
    """`tokens`, with the stretch after its common prefix with `cached` replaced by cached tokens
    that spell the same bytes, as far as they do (at a boundary of tokens on both sides)."""
    start = 0
    for a, b in zip(cached, tokens):
        if a != b:
            break
        start += 1
    ours = cached[start:start + MAX_ALIGN_TOKENS]
    theirs = tokens[start:start + MAX_ALIGN_TOKENS]
    i = j = 0  # tokens consumed on each side
    pending = b""  # bytes the side that is ahead has spelled beyond the other
    ours_ahead = False
    best: tuple[int, int] | None = None
    while True:
        if not pending and (i or j):
            best = (i, j)
        advance_ours = not ours_ahead or not pending
        if advance_ours:
            if i >= len(ours) or is_control(ours[i]):
                break
            piece, i = piece_bytes(ours[i]), i + 1
        else:
            if j >= len(theirs) or is_control(theirs[j]):
                break
            piece, j = piece_bytes(theirs[j]), j + 1
        if not pending:
            pending, ours_ahead = piece, advance_ours
        elif len(piece) <= len(pending):
            if not pending.startswith(piece):
                break
            pending = pending[len(piece):]
        else:
            if not piece.startswith(pending):
                break
            pending, ours_ahead = piece[len(pending):], advance_ours
    if best is None:
        return tokens
    i, j = best
    return [*tokens[:start], *ours[:i], *tokens[start + j:]]
