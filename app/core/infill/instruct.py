"""Fill the middle through a chat model, for models without infill tokens (clearly a fallback).

The model sees the code with a marker where the middle goes and is asked for only that code.
Chat models like to wrap code in Markdown fences and to rewrite the code around the marker, so
the answer is made into a clean middle once it is complete (tidy.py); the fences are found here.
"""

from __future__ import annotations

from app.core.infill.post import LineEnds, line_runs
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
        self._ends = LineEnds()

    def _line(self, line: str) -> str:  # one complete line (with its "\n"): the text to show
        raise NotImplementedError

    def _end(self, partial: str) -> str:  # the answer ended; `partial` is its unfinished last line
        return self._line(partial) if partial else ""

    def feed(self, piece: str) -> str:
        out = []
        for run in line_runs(self._ends.feed(piece)):
            if self.done:
                break
            self._partial += run
            if self._partial.endswith("\n"):
                line, self._partial = self._partial, ""
                out.append(self._line(line))
        return "".join(out)

    def finish(self) -> str:
        last = self.feed(self._ends.finish())  # a held "\r" ends the last line
        partial, self._partial = self._partial, ""
        return last + ("" if self.done else self._end(partial))


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
