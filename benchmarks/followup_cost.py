"""Follow-up cost: time to first token of turn 10 vs turn 2 of one conversation.

The history is a stable token prefix, so each turn evaluates only its new tokens. For contrast
the script also times turn 10 with the KV cache cleared (what an app without reuse pays).
Target: TTFT(turn 10) / TTFT(turn 2) <= 1.5.

    .venv/bin/python benchmarks/followup_cost.py
"""

from __future__ import annotations

import argparse

from _common import embedded_model, median, verdict

from app.core.engine import LoadOptions, LocalEngine
from app.core.prompts.chat import ChatMessage
from app.core.settings import SamplingSettings

QUESTIONS = [
    "What is a Python list?", "How do I sort it?", "And in reverse?", "What about a tuple?",
    "How do I unpack one?", "What is a dict?", "How do I loop over its items?", "What is a set?",
    "How do I remove duplicates from a list?", "Write a function that merges two dicts.",
]


def conversation(engine: LocalEngine, sampling: SamplingSettings, show: bool) -> tuple[list[float], list[ChatMessage]]:
    engine._llama.reset()  # noqa: SLF001 - every run starts from an empty cache
    messages = [ChatMessage("system", "You are a helpful coding assistant. Be brief.")]
    ttft: list[float] = []
    for turn, question in enumerate(QUESTIONS, start=1):
        messages.append(ChatMessage("user", question))
        generation = engine.chat(messages, sampling)
        answer = generation.text()
        stats = generation.stats
        ttft.append(stats.first_token_seconds)
        if show:
            print(f"turn {turn:2d}: prompt {stats.prompt_tokens:5d} tokens, reused {stats.reused_tokens:5d}, "
                  f"first token after {stats.first_token_seconds * 1000:6.1f} ms")
        messages.append(ChatMessage("assistant", answer))
    messages.pop()
    return ttft, messages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5, help="whole conversations; the median per turn is used")
    args = parser.parse_args()
    engine = LocalEngine(embedded_model(), chat_format="template", options=LoadOptions(context_limit=8192))
    sampling = SamplingSettings(temperature=0.0, max_tokens=80, seed=1)
    runs = [conversation(engine, sampling, show=(i == 0)) for i in range(args.runs)]
    ttft = [median([run[0][turn] for run in runs]) for turn in range(len(QUESTIONS))]
    messages = runs[-1][1]
    print(f"median over {args.runs} runs: turn 2 {ttft[1] * 1000:.1f} ms, turn 10 {ttft[9] * 1000:.1f} ms")
    engine._llama.reset()  # noqa: SLF001 - forget the cache: the cost without reuse
    cold = engine.chat(messages, sampling)
    cold.text()
    ratio = ttft[9] / ttft[1]
    print(f"turn 10 without KV reuse: first token after {cold.stats.first_token_seconds * 1000:.1f} ms "
          f"({cold.stats.prompt_tokens} tokens evaluated)")
    print(f"ratio TTFT turn 10 / turn 2: {ratio:.2f} (target <= 1.5) {verdict(ratio <= 1.5)}")
    engine.close()


if __name__ == "__main__":
    main()
