"""Prompt progress: the real SmolLM2 evaluates a long prompt batch by batch and reports each batch."""

from __future__ import annotations

import threading

import pytest

from app.core.engine import LocalEngine
from app.core.prompts.chat import ChatMessage
from app.core.settings import SamplingSettings

pytestmark = pytest.mark.model

GREEDY = SamplingSettings(temperature=0.0, max_tokens=8, seed=1)


def long_question(items: int = 150) -> list[ChatMessage]:
    # Distinct lines (about 9 tokens each): 150 make a prompt of ~3 batches of 512 tokens.
    code = " ".join(f"value_{i} = {i}" for i in range(items))
    return [ChatMessage("system", "You answer questions about code."),
            ChatMessage("user", f"{code}\nWhat is value_7?")]


def test_reports_after_each_batch(smollm2_engine: LocalEngine) -> None:
    seen: list[tuple[int, int]] = []
    generation = smollm2_engine.chat(long_question(), GREEDY)
    generation.on_prompt = lambda done, total: seen.append((done, total))
    generation.text()
    total = generation.stats.prompt_tokens
    assert total > 2 * 512  # the point of the test: a prompt of several batches
    assert all(t == total for _, t in seen)
    done = [d for d, _ in seen]
    assert done == sorted(done) and len(set(done)) == len(done)  # every report is new progress
    assert done[-1] == total
    assert len(done) >= 3  # the start, then one per batch (512 tokens)
    assert all(b - a <= 512 for a, b in zip(done, done[1:]))


def test_follow_up_starts_from_the_cached_prefix(smollm2_engine: LocalEngine) -> None:
    messages = long_question(90)
    first = smollm2_engine.chat(messages, GREEDY)
    answer = first.text()
    messages += [ChatMessage("assistant", answer), ChatMessage("user", "And value_9?")]
    seen: list[int] = []
    second = smollm2_engine.chat(messages, GREEDY)
    second.on_prompt = lambda done, _total: seen.append(done)
    second.text()
    # The first report already counts what the cache held; only the new turn is evaluated.
    assert seen[0] == second.stats.reused_tokens >= first.stats.prompt_tokens
    assert seen[-1] == second.stats.prompt_tokens


def test_same_answer_as_one_call(smollm2_engine: LocalEngine) -> None:
    """Evaluating in slices keeps the answer: the same greedy text with a cold and a warm cache."""
    messages = long_question(60)
    smollm2_engine.chat([ChatMessage("user", "unrelated")], GREEDY).text()  # nothing of it in the cache
    cold = smollm2_engine.chat(messages, GREEDY)
    cold_text = cold.text()
    again = smollm2_engine.chat(messages, GREEDY)
    assert again.text() == cold_text
    assert again.stats.reused_tokens >= again.stats.prompt_tokens - 1


def test_cancel_between_batches(smollm2_engine: LocalEngine) -> None:
    cancel = threading.Event()
    seen: list[int] = []

    def on_prompt(done: int, _total: int) -> None:
        seen.append(done)
        if len(seen) == 2:  # after the first batch
            cancel.set()

    generation = smollm2_engine.chat(long_question(), SamplingSettings(max_tokens=50), cancel)
    generation.on_prompt = on_prompt
    assert generation.text() == ""
    assert generation.stats.stop_reason == "cancelled"
    assert generation.stats.generated_tokens == 0
    assert seen[-1] < generation.stats.prompt_tokens
    # The engine is usable afterwards, and the part evaluated before the stop is reused.
    after = smollm2_engine.chat(long_question(), GREEDY)
    after.text()
    assert after.stats.reused_tokens >= seen[-1] - 1
    assert after.stats.generated_tokens > 0
