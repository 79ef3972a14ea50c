"""The figures of one answer in words, as every front end shows them under (or after) the answer.

One formatter for the chat pane, the repository pane and the CLI, so that the same answer reads the
same everywhere: time to first token, generation speed and tokens generated.
"""

from __future__ import annotations

from app.core.engine_types import GenerationStats


def _seconds(value: float) -> str:
    # Tenths below a minute are what a person compares; beyond that whole seconds are plenty.
    return f"{value:.1f} s" if value < 60 else f"{value:.0f} s"


def describe_figures(stats: GenerationStats) -> str:
    """A short line such as "0.4 s to first token · 38.2 tokens/s · 120 tokens".

    Parts that have no value (nothing generated, a single token gives no speed) are left out, so a
    stopped prompt evaluation reads "stopped before the first token".
    """
    if stats.generated_tokens == 0:
        return "stopped before the first token" if stats.stop_reason == "cancelled" else "no tokens generated"
    parts = [f"{_seconds(stats.first_token_seconds)} to first token"]
    speed = stats.tokens_per_second
    if speed > 0:
        parts.append(f"{speed:.1f} tokens/s")
    parts.append(f"{stats.generated_tokens:,} token{'s' if stats.generated_tokens != 1 else ''}")
    return " · ".join(parts)


def prompt_percent(done: int, total: int) -> int:
    """Whole percent of the prompt read; 100 only once all of it is."""
    if total <= 0:
        return 0
    return 100 if done >= total else min(99, 100 * done // total)


def describe_prompt_progress(done: int, total: int, what: str = "the prompt") -> str:
    """"Reading the context… 42%": what shows while the prompt is evaluated, before the first token."""
    return f"Reading {what}… {prompt_percent(done, total)}%"
