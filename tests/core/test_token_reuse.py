"""A follow-up keeps the model's own tokens for its previous answer, so the whole answer is reused."""

from __future__ import annotations

from app.core.engine import LocalEngine
from app.core.prompts.chat import ChatMessage
from app.core.settings import SamplingSettings
from app.core.token_reuse import reuse_generated

PIECES = {1: b"<s>", 2: b"</s>", 10: b"ret", 11: b"ry", 12: b"retry", 13: b" policy", 14: b" pol", 15: b"icy",
          16: b"!", 20: b" x", 21: b" y", 30: b"re", 31: b"try"}
CONTROL = {1, 2}


def splice(cached: list[int], tokens: list[int]) -> list[int]:
    return reuse_generated(cached, tokens, PIECES.__getitem__, CONTROL.__contains__)


def test_same_bytes_through_other_tokens_are_taken_from_the_cache() -> None:
    # The cache spelled "retry policy" as ret|ry| pol|icy; the fresh prompt tokenizes it retry| policy.
    assert splice([1, 10, 11, 14, 15], [1, 12, 13, 2, 20]) == [1, 10, 11, 14, 15, 2, 20]
    assert splice([1, 30, 31, 13], [1, 10, 11, 14, 15, 16]) == [1, 30, 31, 13, 16]


def test_control_tokens_and_different_text_are_left_alone() -> None:
    assert splice([1, 10, 11, 2, 21], [1, 12, 2, 20]) == [1, 10, 11, 2, 20]  # stops at the marker
    assert splice([1, 10, 21], [1, 12, 20]) == [1, 12, 20]  # "ret x" is not "retry x": nothing swapped
    assert splice([1, 10, 11, 21], [1, 12, 20]) == [1, 10, 11, 20]  # only as far as the bytes agree
    assert splice([], [1, 12]) == [1, 12]
    assert splice([1, 12], [1, 12]) == [1, 12]
    assert splice([1, 12, 20], [1, 12]) == [1, 12]


def test_a_follow_up_reuses_the_whole_answer_on_the_real_model(smollm2_engine: LocalEngine) -> None:
    sampling = SamplingSettings(temperature=0.8, seed=3, max_tokens=120, top_k=100, top_p=1.0)
    history = [ChatMessage("user", "Explain retry_policy and backoff_factor in a Python HTTP client.")]
    total_new = 0
    for turn in range(3):
        generation = smollm2_engine.chat(history, sampling)
        answer = generation.text()
        stats = generation.stats
        if turn:
            # Everything before this turn's question came from the cache: the question and its
            # markers are all that was evaluated.
            question = smollm2_engine.count_tokens(history[-1].content)
            assert stats.prompt_tokens - stats.reused_tokens <= question + 12, stats
            total_new += stats.prompt_tokens - stats.reused_tokens
        history += [ChatMessage("assistant", answer), ChatMessage("user", f"And what about case {turn}?")]
    assert total_new > 0
