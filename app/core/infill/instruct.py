"""Fill the middle through a chat model, for models without infill tokens (clearly a fallback).

The model sees the code with a marker where the middle goes and is asked for only that code.
Chat models like to wrap code in Markdown fences and to restate the line they were given, so
the answer is cleaned as it streams: fences dropped, then the same suffix-repeat cut as a true
infill (post.MiddleFilter).
"""

from __future__ import annotations

import re

from app.core.infill.prompt import fit_around_cursor
from app.core.prompts.chat import ChatMessage

MARK = "<FILL_HERE>"
SYSTEM = ("You complete code. The user's code contains the marker " + MARK + ". Reply with only the code that "
          "replaces the marker: no explanation, no Markdown fences, and nothing that is already before or after "
          "the marker. Keep the indentation of the surrounding code.")


def instruction_messages(prefix: str, suffix: str, language: str, budget: int, encode,
                         single_line: bool = False) -> tuple[list[ChatMessage], str, str]:
    """The chat for a fill, with prefix and suffix trimmed to `budget` tokens; and the parts used."""
    prefix_text, _, suffix_text, _ = fit_around_cursor(prefix, suffix, budget, encode)
    what = "Complete only the rest of the marker's line." if single_line else "Fill in the missing code."
    user = f"{what}\n\n```{language.lower()}\n{prefix_text}{MARK}{suffix_text}\n```"
    return [ChatMessage("system", SYSTEM), ChatMessage("user", user)], prefix_text, suffix_text


class _Lines:
    """Base of the line filters: pieces are cut into complete lines, each judged once whole.

    Judging whole lines only makes the result the same however the text was chunked; the price
    is that an instruction fill appears a line at a time.
    """

    def __init__(self) -> None:
        self._partial = ""
        self.done = False

    def _line(self, line: str) -> str:  # one complete line (with its "\n"): the text to show
        raise NotImplementedError

    def _end(self, partial: str) -> str:  # the answer ended; `partial` is its unfinished last line
        return self._line(partial) if partial else ""

    def feed(self, piece: str) -> str:
        out = []
        for run in piece.splitlines(keepends=True):
            if self.done:
                break
            self._partial += run
            if self._partial.endswith(("\n", "\r")):
                line, self._partial = self._partial, ""
                out.append(self._line(line))
        return "".join(out)

    def finish(self) -> str:
        partial, self._partial = self._partial, ""
        return "" if self.done else self._end(partial)


_PROSE_LINES = 3  # lines of preamble ("Here is the code:") held back in case a fence follows


class FenceFilter(_Lines):
    """Drops Markdown fences from an answer, and a short preamble before an opening fence."""

    def __init__(self) -> None:
        super().__init__()
        self._state = "before"  # "before" any code, "fenced" inside a fence, "plain" code without one
        self._held: list[str] = []

    def _line(self, line: str) -> str:
        fence = line.strip().startswith("```")
        if self._state == "before":
            if not line.strip():
                return ""  # leading blank lines are never the answer
            if fence:
                self._held, self._state = [], "fenced"  # whatever came before the fence was talk
                return ""
            self._held.append(line)
            if line.rstrip().endswith(":") and len(self._held) < _PROSE_LINES:
                return ""  # may be "Here is the code:"; the next lines decide
            self._state = "plain"
            held, self._held = "".join(self._held), []
            return held
        if fence and line.strip() == "```" or (fence and self._state == "plain"):
            self.done = True  # the closing fence: anything after it is talk
            return ""
        return line

    def _end(self, partial: str) -> str:
        text = self._line(partial) if partial else ""
        held, self._held = "".join(self._held), []
        return held + text


def _loose(line: str) -> str:
    """A line's words only: how a restated docstring or comment is recognised."""
    return re.sub(r"\W+", "", line).lower()


def _tight(line: str) -> str:
    """A line without its whitespace: code restated must be the same code."""
    return re.sub(r"\s+", "", line)


_COMMENTISH = ("#", "//", "/*", "*", "--", '"""', "'''", "<!--", ";")


class EchoFilter(_Lines):
    """Drops a restatement of the code before the marker from the start of the answer.

    Asked to fill `def add(a, b):\n<FILL_HERE>`, small chat models answer with the `def` line
    again, or rewrite the file from its top; at a marker mid-line (`x = <FILL_HERE>`) they
    repeat `x = `. Leading answer lines that are lines of the prefix are dropped until the first
    new one: code must match but for whitespace, comments and docstrings by their words.
    """

    def __init__(self, prefix: str) -> None:
        super().__init__()
        lines = prefix.split("\n")
        self._mid_line = lines[-1].strip()  # text before the marker on its own line
        self._indent = lines[-1] if not self._mid_line else ""  # the cursor sits after this indentation
        self._code = {_tight(line) for line in lines[:-1]} - {""}
        self._words = {_loose(line) for line in lines[:-1] if line.strip().startswith(_COMMENTISH)} - {""}
        self._echoing = True

    def _is_echo(self, body: str) -> bool:
        if _tight(body) in self._code:
            return True
        return body.startswith(_COMMENTISH) and _loose(body) in self._words

    def _line(self, line: str) -> str:
        if not self._echoing:
            return line
        body = line.strip()
        if not body or self._is_echo(body):
            return ""  # blank lines and restated lines before the answer proper
        self._echoing = False
        if self._mid_line and body.startswith(self._mid_line):
            return line.lstrip()[len(self._mid_line):].lstrip(" ")
        if self._indent and line.startswith(self._indent):
            return line[len(self._indent):]  # the editor already has this indentation before the cursor
        return line


class SuffixEchoFilter(_Lines):
    """Ends the answer at a line that restates one of the first lines after the marker.

    The chat model's version of the code after the cursor is often reworded (`def main():` for
    `def main() -> None:`), which the exact suffix check of a true infill misses; lines are
    compared by their words, a line matching the start of a suffix line counts. Line breaks at
    the end are kept only where the file has none: when the marker was at a line's end they would
    double the file's own, at the start of a line they separate the middle from it.
    """

    MIN_WORDS = 6  # characters of words: shorter lines (`}`, `else:`) are too common to judge by

    def __init__(self, suffix: str) -> None:
        super().__init__()
        lines = [_loose(line) for line in suffix.split("\n")]
        self._targets = [line for line in lines if len(line) >= self.MIN_WORDS][:3]
        self._suffix_breaks = suffix[:1] in ("", "\n", "\r")
        self._breaks = ""  # line breaks (and blank lines) held until more code follows
        self._started = False

    def _repeats(self, line: str) -> bool:
        words = _loose(line)
        return len(words) >= self.MIN_WORDS and any(t.startswith(words) for t in self._targets)

    def _line(self, line: str) -> str:
        body = line.rstrip("\r\n")
        if not body.strip():
            if self._started:
                self._breaks += line
            return ""
        if self._repeats(body):
            self.done = True
            return self._tail()
        shown = (self._breaks if self._started else "") + body
        self._started, self._breaks = True, line[len(body):]
        return shown

    def _tail(self) -> str:
        breaks, self._breaks = self._breaks, ""
        return "" if self._suffix_breaks else breaks

    def _end(self, partial: str) -> str:
        if partial.strip() and not self._repeats(partial):
            shown = (self._breaks if self._started else "") + partial
            self._breaks, self._started = "", True
            return shown
        return self._tail()

    def finish(self) -> str:
        partial, self._partial = self._partial, ""
        return self._tail() if self.done else self._end(partial)
