"""Infill prompt building and post-processing time for a 5,000-line file (target: under 20 ms).

    .venv/bin/python benchmarks/infill_prompt.py

Measures, with the cursor in the middle of a 5,000-line Python file taken from the standard
library: building the token list for a 16k-token window (trimming included) and filtering a
generated middle of ~250 pieces as it streams, at the app's default infill context of 4,096
tokens (and, for information, a 16k context). Two real tokenizers: Code Llama's layout
(SentencePiece, the generated test vocabulary) and SmolLM2's byte-level BPE (49k pieces, with
stand-in marker ids since it has no infill tokens). Baseline in the same run: tokenizing the
whole file once, which is what a builder that does not cut by characters first would pay.
"""

from __future__ import annotations

import sysconfig
import tempfile
import time
from pathlib import Path

from _common import embedded_model, median, verdict

from app.core.engine import LoadOptions, LocalEngine
from app.core.infill.formats import InfillFormat
from app.core.infill.post import MiddleFilter
from app.core.infill.prompt import InfillRequest, build_infill_prompt
from tests.fixtures.tiny_gguf import write_tiny_llama

RUNS = 20
N_CTX = 16384
CONTEXT = 4096  # the app's default infill context (Settings.infill_context)


def five_thousand_lines() -> str:
    lines: list[str] = []
    for path in sorted(Path(sysconfig.get_paths()["stdlib"]).glob("*.py")):
        lines += path.read_text(encoding="utf-8", errors="replace").split("\n")
        if len(lines) >= 5000:
            return "\n".join(lines[:5000])
    return "\n".join(lines)


def measure(name: str, engine: LocalEngine, fmt: InfillFormat, text: str) -> float:
    cut = len(text) // 2
    wide = []
    for _ in range(5):
        started = time.perf_counter()
        build_infill_prompt(fmt, engine.tokenizer, InfillRequest(text[:cut], text[cut:]), N_CTX - 256)
        wide.append(time.perf_counter() - started)
    print(f"{name}, context {N_CTX:,} for information: built in {median(wide) * 1000:.1f} ms")
    cut = len(text) // 2
    request = InfillRequest(text[:cut], text[cut:], path="big.py")
    middle = "        value = compute(item)\n        if value is None:\n            continue\n" * 12
    pieces = [middle[i:i + 4] for i in range(0, len(middle), 4)][:250]
    build, post, whole = [], [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        prompt = build_infill_prompt(fmt, engine.tokenizer, request, min(CONTEXT, N_CTX - 256))
        build.append(time.perf_counter() - started)
        started = time.perf_counter()
        filt = MiddleFilter(prompt.suffix, False, prompt.prefix)
        for piece in pieces:
            filt.feed(piece)
        filt.finish()
        post.append(time.perf_counter() - started)
        started = time.perf_counter()
        engine.tokenizer.encode(text)
        whole.append(time.perf_counter() - started)
    total = median(build) + median(post)
    print(f"{name}: prompt {len(prompt.tokens):,} tokens built in {median(build) * 1000:.1f} ms, "
          f"middle filtered in {median(post) * 1000:.2f} ms; total {total * 1000:.1f} ms "
          f"(target < 20 ms) {verdict(total < 0.020)}; baseline (tokenize the whole file) "
          f"{median(whole) * 1000:.1f} ms, ratio {total / median(whole):.2f}")
    return total


def main() -> None:
    text = five_thousand_lines()
    print(f"file: {text.count(chr(10)) + 1:,} lines, {len(text) / 1000:.0f} kB; median of {RUNS} runs")
    with tempfile.TemporaryDirectory() as folder:
        tiny = LocalEngine(write_tiny_llama(Path(folder) / "tiny.gguf"), options=LoadOptions(context_limit=N_CTX))
        measure("Code Llama layout (SentencePiece)", tiny, tiny.infill, text)
        tiny.close()
    smol = LocalEngine(embedded_model(), options=LoadOptions(context_limit=2048))
    tok = smol.tokenizer
    marks = [tok.piece_id(t) for t in ("<|im_start|>", "<|im_end|>", "<|endoftext|>")]
    stand_in = InfillFormat("starcoder", marks[0], marks[1], marks[2], frozenset({marks[2]}))
    measure("byte-level BPE, 49k pieces (SmolLM2's)", smol, stand_in, text)
    smol.close()


if __name__ == "__main__":
    main()
