"""The figures of one answer in words, as every front end shows them under (or after) the answer.

One formatter for the chat pane, the repository pane and the CLI, so that the same answer reads the
same everywhere: time to first token, generation speed and tokens generated.
"""

from __future__ import annotations

from app.core.engine_types import GenerationStats
from app.core.i18n import translate


def _seconds(value: float) -> str:
    # Tenths below a minute are what a person compares; beyond that whole seconds are plenty.
    if value < 60:
        return translate("core", "{seconds:.1f} s").format(seconds=value)
    return translate("core", "{seconds:.0f} s").format(seconds=value)


def describe_figures(stats: GenerationStats) -> str:
    """A short line such as "0.4 s to first token · 38.2 tokens/s · 120 tokens".

    Parts that have no value (nothing generated, a single token gives no speed) are left out, so a
    stopped prompt evaluation reads "stopped before the first token". One template per shape of
    line (with or without the speed), so a translation can order its parts as it likes.
    """
    if stats.generated_tokens == 0:
        if stats.stop_reason == "cancelled":
            return translate("core", "stopped before the first token")
        return translate("core", "no tokens generated")
    first, count, speed = _seconds(stats.first_token_seconds), stats.generated_tokens, stats.tokens_per_second
    if speed > 0:
        return translate("core", "{first} to first token · {speed:.1f} tokens/s · {count:,} token(s)", None,
                         count).format(first=first, speed=speed, count=count)
    return translate("core", "{first} to first token · {count:,} token(s)", None, count).format(first=first, count=count)


def prompt_percent(done: int, total: int) -> int:
    """Whole percent of the prompt read; 100 only once all of it is."""
    if total <= 0:
        return 0
    return 100 if done >= total else min(99, 100 * done // total)


def describe_prompt_progress(done: int, total: int, what: str | None = None) -> str:
    """"Reading the context… 42%": what shows while the prompt is evaluated, before the first token.

    `what` names what is read ("the context", a marked Text to be translated); the prompt by default.
    """
    return translate("core", "Reading {what}… {percent}%").format(
        what=what or translate("core", "the prompt"), percent=prompt_percent(done, total))
