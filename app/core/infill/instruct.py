"""Fill the middle through a chat model, for models without infill tokens (clearly a fallback).

The model sees the code with a marker where the middle goes and is asked for only that code.
Chat models like to wrap code in Markdown fences and to restate the line they were given, so
the answer is cleaned as it streams: fences dropped, then the same suffix-repeat cut as a true
infill (post.MiddleFilter).
"""

from __future__ import annotations

import re

from app.core.infill.prompt import _fit
from app.core.prompts.chat import ChatMessage

MARK = "<FILL_HERE>"
SYSTEM = ("You complete code. The user's code contains the marker " + MARK + ". Reply with only the code that "
          "replaces the marker: no explanation, no Markdown fences, and nothing that is already before or after "
          "the marker. Keep the indentation of the surrounding code.")


def instruction_messages(prefix: str, suffix: str, language: str, budget: int, encode,
                         single_line: bool = False) -> tuple[list[ChatMessage], str, str]:
    """The chat for a fill, with prefix and suffix trimmed to `budget` tokens; and the parts used."""
    suffix_text, suffix_ids = _fit(suffix, max(budget // 4, budget - len(prefix)), encode, keep_end=False)
    prefix_text, _ = _fit(prefix, budget - len(suffix_ids), encode, keep_end=True)
    what = "Complete only the rest of the marker's line." if single_line else "Fill in the missing code."
    user = f"{what}\n\n```{language.lower()}\n{prefix_text}{MARK}{suffix_text}\n```"
    return [ChatMessage("system", SYSTEM), ChatMessage("user", user)], prefix_text, suffix_text


class FenceFilter:
    """Drops a Markdown fence around a streamed answer (```lang first line, ``` last line)."""

    def __init__(self) -> None:
        self._first: str | None = ""  # the first line, held until it is known not to be a fence
        self._pending = ""  # a line that may be the closing fence
        self.done = False

    def feed(self, piece: str) -> str:
        out = []
        for run in piece.splitlines(keepends=True):
            if self.done:
                break
            if self._first is not None:
                self._first += run
                if not self._first.endswith("\n"):
                    continue
                line, self._first = self._first, None
                if not line.lstrip().startswith("```"):
                    out.append(line)
                continue
            self._pending += run
            if not self._pending.endswith("\n"):
                if not "```".startswith(self._pending.strip()[:3]):
                    out.append(self._pending)
                    self._pending = ""
                continue
            line, self._pending = self._pending, ""
            if line.strip() == "```":
                self.done = True
            else:
                out.append(line)
        return "".join(out)

    def finish(self) -> str:
        held = (self._first or "") + self._pending
        self._first, self._pending = None, ""
        if self.done or held.strip().startswith("```"):
            return ""
        return held


def _normal(line: str) -> str:
    """A line's words only: chat models restate code with small changes (a dropped period, hints)."""
    return re.sub(r"\W+", "", line).lower()


class EchoFilter:
    """Drops a restatement of the code before the marker from the start of the answer.

    Asked to fill `def add(a, b):\n<FILL_HERE>`, small chat models answer with the `def` line
    again, or rewrite the file from its top; at a marker mid-line (`x = <FILL_HERE>`) they
    repeat `x = `. Leading answer lines that are lines of the prefix (compared by their words)
    are dropped until the first new line.
    """

    def __init__(self, prefix: str) -> None:
        lines = prefix.split("\n")
        self._mid_line = lines[-1].strip()  # text before the marker on its own line
        self._indent = lines[-1] if not self._mid_line else ""  # the cursor sits after this indentation
        self._known = {_normal(line) for line in lines[:-1]} - {""}
        self._line = ""
        self._echoing = True
        self.done = False

    def _clean(self, line: str) -> str | None:
        """The line as shown, or None while it is still an echo."""
        body = line.strip()
        if not body or _normal(body) in self._known:
            return None  # blank lines and restated lines before the answer proper
        self._echoing = False
        if self._mid_line and body.startswith(self._mid_line):
            return line.lstrip()[len(self._mid_line):].lstrip(" ")
        if self._indent and line.startswith(self._indent):
            return line[len(self._indent):]  # the editor already has this indentation before the cursor
        return line

    def feed(self, piece: str) -> str:
        if not self._echoing:
            return piece
        out = []
        for run in piece.splitlines(keepends=True):
            if not self._echoing:
                out.append(run)
                continue
            self._line += run
            if self._line.endswith("\n"):
                line, self._line = self._line, ""
                cleaned = self._clean(line)
                if cleaned is not None:
                    out.append(cleaned)
        return "".join(out)

    def finish(self) -> str:
        held, self._line = self._line, ""
        if not held:
            return ""
        cleaned = self._clean(held) if self._echoing else held
        return cleaned or ""


class SuffixEchoFilter:
    """Ends the answer at a line that restates one of the first lines after the marker.

    The chat model's version of the code after the cursor is often reworded (`def main():` for
    `def main() -> None:`), which the exact suffix check of a true infill misses; lines are
    compared by their words, a line matching the start of a suffix line counts. Line breaks are
    held until more code follows, so the answer never ends in newlines the file already has.
    """

    MIN_WORDS = 6  # characters of words: shorter lines (`}`, `else:`) are too common to judge by

    def __init__(self, suffix: str) -> None:
        lines = [_normal(line) for line in suffix.split("\n")]
        self._targets = [line for line in lines if len(line) >= self.MIN_WORDS][:3]
        self._line = ""  # the current line, held until it is known not to be a repeat
        self._breaks = ""  # line breaks (and blank lines) held until more code follows
        self._started = False
        self.done = False

    def _repeats(self, line: str) -> bool:
        words = _normal(line)
        return len(words) >= self.MIN_WORDS and any(t.startswith(words) for t in self._targets)

    def _show(self, line: str) -> str:
        text = (self._breaks if self._started else "") + line
        self._breaks, self._started = "", True
        return text

    def feed(self, piece: str) -> str:
        out = []
        for run in piece.splitlines(keepends=True):
            if self.done:
                break
            self._line += run
            if not self._line.endswith("\n"):
                continue
            line, self._line = self._line[:-1], ""
            if not line.strip():
                self._breaks += line + "\n" if self._started else ""
            elif self._repeats(line):
                self.done = True
            else:
                out.append(self._show(line))
                self._breaks = "\n"
        return "".join(out)

    def finish(self) -> str:
        held, self._line = self._line, ""
        if self.done or not held.strip() or self._repeats(held):
            return ""
        return self._show(held)
