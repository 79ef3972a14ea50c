"""Speed on this machine, through the engine on the model's thread: prompt evaluation tokens/s
at 512 and 4,096 tokens (capped at the model's context), generation tokens/s, time to first
token (of the 512-token prompt) and the process's peak resident memory.

Each step is a separate piece of work for the ModelRunner, so other jobs interleave. Prompts
start with different code so nothing of one is served from the KV cache of the one before.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from typing import Callable

import psutil

from app.core.engine_types import Generation
from app.core.errors import PromptError
from app.core.measure.completion import greedy
from app.core.measure.humaneval import load_problems
from app.core.prompts.chat import ChatMessage
from app.core.remote import is_remote

PROMPT_SIZES = (512, 4096)
GENERATED_TOKENS = 128
ANSWER_ROOM = 64  # the 4k prompt leaves this much of a small context for the answer


@dataclass(frozen=True)
class SpeedStep:
    task_id: str  # "prompt-512", "prompt-4096", "generation"
    work: Callable  # work(engine) -> StepFigures, run on the model's thread


@dataclass(frozen=True)
class StepFigures:
    prompt_tokens: int
    generated_tokens: int
    prompt_tps: float | None
    gen_tps: float | None
    first_token_s: float
    peak_rss_mb: float | None


def steps(cancel: threading.Event) -> list[SpeedStep]:
    found = [SpeedStep(f"prompt-{n}", lambda engine, n=n: _prompt(engine, n, cancel)) for n in PROMPT_SIZES]
    return found + [SpeedStep("generation", lambda engine: _generation(engine, cancel))]


def metrics(figures: dict[str, StepFigures]) -> dict:
    """The run's metrics from its steps' figures (the names the results table shows)."""
    small, large, gen = (figures.get(k) for k in ("prompt-512", "prompt-4096", "generation"))
    peaks = [f.peak_rss_mb for f in figures.values() if f.peak_rss_mb is not None]
    return {
        "prompt_tps_512": small.prompt_tps if small else None,
        "prompt_tps_4k": large.prompt_tps if large else None,
        "prompt_tokens_4k": large.prompt_tokens if large else None,  # fewer than 4,096 where the context is smaller
        "gen_tps": gen.gen_tps if gen else None,
        "ttft_s": small.first_token_s if small else None,
        "peak_rss_mb": max(peaks) if peaks else None,
    }


def _code_text(offset: int) -> str:
    """Real code to read: the HumanEval prompts and solutions, starting at problem `offset`."""
    problems = load_problems()
    ordered = problems[offset:] + problems[:offset]
    return "\n\n".join(p.prompt + p.canonical_solution for p in ordered)


def _text_of(engine, text: str, tokens: int) -> str:
    """A start of `text` of at most `tokens` tokens by the engine's own count (a remote server's)."""
    while engine.count_tokens(text) < tokens:
        text += "\n\n" + text
    cut = len(text)
    while cut > 0:
        counted = engine.count_tokens(text[:cut])
        if counted <= tokens:
            return text[:cut]
        cut = int(cut * tokens / counted * 0.98)  # characters per token from the last count, a little under
    return text[:1]


def _local(engine) -> bool:
    return hasattr(engine, "continue_tokens") and hasattr(engine, "tokenizer") and not is_remote(engine.info)


def _prompt(engine, size: int, cancel: threading.Event) -> StepFigures:
    size = min(size, engine.info.n_ctx - ANSWER_ROOM)
    offset = 17 if size > 1000 else 101  # different first tokens: no cache reuse between the two
    if _local(engine):
        tokenizer = engine.tokenizer
        tokens = tokenizer.encode(_code_text(offset))
        while len(tokens) < size:
            tokens += tokens
        bos = [tokenizer.bos_id] if tokenizer.add_bos and tokenizer.bos_id >= 0 else []
        tokens = bos + tokens[:size - len(bos)]
        generation = engine.continue_tokens(tokens, greedy(1), cancel)
        "".join(generation.pieces)
        sent = len(tokens)
    else:  # a remote server: the prompt goes through its chat route, network time included
        generation, sent = _remote_prompt(engine, _code_text(offset), size, cancel)
    stats = generation.stats
    if not stats.prompt_tokens:  # a server that does not report its prompt's size: the text's own count
        stats.prompt_tokens = sent
    evaluated = stats.prompt_tokens - stats.reused_tokens
    tps = evaluated / stats.first_token_seconds if stats.first_token_seconds > 0 else None
    return StepFigures(stats.prompt_tokens, stats.generated_tokens, tps, None, stats.first_token_seconds,
                       _peak_rss_mb(engine))


def _remote_prompt(engine, text: str, size: int, cancel: threading.Event) -> tuple[Generation, int]:
    """The prompt read by a server; once more at the server's real context when it holds less than
    it reported (llama-cpp-python's server does not say, and is taken for 4,096)."""
    def read(tokens: int):
        message = _text_of(engine, text, tokens)
        generation = engine.chat([ChatMessage("user", message)], greedy(1), cancel)
        "".join(generation.pieces)
        return generation, engine.count_tokens(message)

    try:
        return read(size - 32)
    except PromptError as exc:
        real = getattr(exc, "n_ctx", 0)
        if not 0 < real < size + ANSWER_ROOM:
            raise
        return read(real - ANSWER_ROOM - 32)


def _generation(engine, cancel: threading.Event) -> StepFigures:
    sampling = greedy(GENERATED_TOKENS)
    if getattr(engine.info, "chat_format", "") == "none" and _local(engine):  # a base model: continue code
        tokenizer = engine.tokenizer
        tokens = tokenizer.encode(load_problems()[0].prompt)
        tokens = ([tokenizer.bos_id] if tokenizer.add_bos and tokenizer.bos_id >= 0 else []) + tokens
        generation = engine.continue_tokens(tokens, sampling, cancel)
    else:  # past the end token too, so every model generates the same number of tokens
        generation = engine.chat([ChatMessage("user", "Write a Python function that merges two sorted lists.")],
                                 sampling, cancel, ignore_eos=True)
    "".join(generation.pieces)
    stats = generation.stats
    return StepFigures(stats.prompt_tokens, stats.generated_tokens, None, stats.tokens_per_second or None,
                       stats.first_token_seconds, _peak_rss_mb(engine))


def _peak_rss_mb(engine) -> float | None:
    """The process's peak resident memory so far (the model's weights and cache included); None
    for a remote model, whose memory is another machine's."""
    if is_remote(engine.info):
        return None
    peak = psutil.Process().memory_info().rss
    try:
        import resource

        scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
        peak = max(peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale)
    except ImportError:  # Windows: psutil's peak working set
        peak = max(peak, getattr(psutil.Process().memory_info(), "peak_wset", 0))
    return peak / 2**20
