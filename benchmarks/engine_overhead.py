"""Engine overhead: tokens/s through the app's streaming path vs a bare llama-cpp-python loop.

Same model, prompt, sampling and threads, alternating A/B runs in one process; decode speed is
measured from the first token to the last so prompt evaluation (and KV reuse) does not count.
Target: ratio (app / bare) >= 0.97.

    .venv/bin/python benchmarks/engine_overhead.py [--runs 5] [--tokens 200]
"""

from __future__ import annotations

import argparse
import time

from _common import embedded_model, median, verdict

from app.core.engine import LoadOptions, LocalEngine
from app.core.prompts.chat import ChatMessage
from app.core.settings import SamplingSettings


def bare_loop(engine: LocalEngine, tokens: list[int], n: int) -> float:
    """The baseline: llama-cpp-python's own generate loop, detokenizing each token."""
    llama = engine._llama  # noqa: SLF001 - the same loaded model, so only the wrapper differs
    llama.reset()
    count, first = 0, 0.0
    for token in llama.generate(tokens, top_k=40, top_p=0.95, min_p=0.05, temp=0.0, repeat_penalty=1.0):
        llama.detokenize([token])
        count += 1
        if count == 1:
            first = time.perf_counter()
        if count >= n:
            break
    return (count - 1) / (time.perf_counter() - first)


def app_path(engine: LocalEngine, messages: list[ChatMessage], n: int) -> float:
    engine._llama.reset()  # noqa: SLF001 - same cold start as the baseline
    generation = engine.chat(messages, SamplingSettings(temperature=0.0, top_k=40, top_p=0.95, repeat_penalty=1.0,
                                                        max_tokens=n), ignore_eos=True)
    for _ in generation:
        pass
    return generation.stats.tokens_per_second


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=200)
    args = parser.parse_args()
    engine = LocalEngine(embedded_model(), chat_format="template", options=LoadOptions(context_limit=2048))
    messages = [ChatMessage("user", "Write a Python class for a bank account with deposit and withdraw.")]
    tokens = engine.build_prompt(messages).tokens
    app, bare = [], []
    for _ in range(args.runs):
        bare.append(bare_loop(engine, tokens, args.tokens))
        app.append(app_path(engine, messages, args.tokens))
    ratio = median(app) / median(bare)
    print(f"model: {engine.info.model_name}, threads {engine.info.threads}/{engine.info.threads_batch}, "
          f"{args.tokens} tokens x {args.runs} runs")
    print(f"bare llama-cpp-python generate: {median(bare):.1f} tok/s (runs: {', '.join(f'{x:.1f}' for x in bare)})")
    print(f"app streaming path:             {median(app):.1f} tok/s (runs: {', '.join(f'{x:.1f}' for x in app)})")
    print(f"ratio app/bare: {ratio:.3f} (target >= 0.97) {verdict(ratio >= 0.97)}")
    engine.close()


if __name__ == "__main__":
    main()
