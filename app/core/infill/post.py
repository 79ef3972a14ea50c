"""What is shown of a generated middle: cut where it starts repeating the suffix, or at the line end.

Models often write the middle and then carry on with the code that follows the cursor (the
closing brace, the next statement). Shown inline, that duplicates code. The filter holds back a
partial line while it could still become the suffix's first line, and ends the middle at the
first line that repeats it (same indentation too, so an inner block's `}` is not mistaken for
the function's).
"""

from __future__ import annotations

import re

_RUNS = re.compile(r"[^\n]*\n|[^\n]+")  # lines with their "\n", and an unfinished last one


class LineEnds:
    """Streamed text with every line break as "\n": "\r\n" and a lone "\r" included.

    A model can write a bare "\r" (a line break to a terminal, an editor and a text-mode pipe); a
    filter that looked for "\n" alone would let a "single line" of two lines through. A "\r" at the
    end of a piece is held: the next piece may start with its "\n".
    """

    def __init__(self) -> None:
        self._cr = False

    def feed(self, piece: str) -> str:
        if self._cr:
            piece = "\r" + piece
        self._cr = piece.endswith("\r")
        if self._cr:
            piece = piece[:-1]
        return piece.replace("\r\n", "\n").replace("\r", "\n")

    def finish(self) -> str:
        held, self._cr = self._cr, False
        return "\n" if held else ""


def line_runs(text: str) -> list[str]:
    """`text` as lines that keep their "\n"; only "\n" ends a line (not str.splitlines' \x0c, \x1c...)."""
    return _RUNS.findall(text)


def _anchor(suffix: str, line_start: bool) -> str:
    """The suffix's first non-blank line (right-stripped): the line a runaway middle repeats."""
    lines = suffix.split("\n")
    if lines and lines[0].strip() and not line_start:
        # The rest of the cursor's line: repeated only if the middle ends the line and goes on,
        # which the next line of the suffix shows better.
        lines = lines[1:]
    for line in lines:
        if line.strip():
            return line.rstrip()
    return ""


class MiddleFilter:
    def __init__(self, suffix: str, single_line: bool = False, prefix: str = "") -> None:
        """`prefix` matters only by its end: whether the cursor is at the start of a line."""
        line_start = not prefix or prefix.endswith("\n")
        self._anchor = _anchor(suffix, line_start=line_start)
        # The rest of the cursor's line: a middle that writes it again and goes on to further
        # lines has rewritten the line, and is cut before it. The first line is held until then.
        self._rest = "" if line_start else suffix.split("\n", 1)[0].strip()
        self._first = True
        self._single = single_line
        self._line = ""  # the current line so far
        self._held = True  # nothing of the current line shown yet: it may still be the anchor
        self.done = False  # the middle is complete: generation can stop
        self.text = ""  # everything shown so far
        self._ends = LineEnds()

    def _may_be_anchor(self, partial: str) -> bool:
        return bool(self._anchor) and self._anchor.startswith(partial.rstrip())

    def feed(self, piece: str) -> str:
        """The part of `piece` that can be shown now."""
        out: list[str] = []
        for run in line_runs(self._ends.feed(piece)):
            if self.done:
                break
            ended = run.endswith("\n")
            body = run[:-1] if ended else run
            self._line += body
            shown = self._line if self._held else body
            if not ended:
                if self._first and self._rest:
                    continue  # held whole: it may end by restating the rest of the line
                if not self._held:
                    out.append(body)
                elif not self._may_be_anchor(self._line):
                    out.append(shown)
                    self._held = False
                continue
            if self._first and self._rest and self._line.rstrip().endswith(self._rest):
                out.append(self._line.rstrip()[: -len(self._rest)])
                self.done = True  # the line was finished again and more followed: keep only the middle
            elif self._held and self._anchor and self._line.rstrip() == self._anchor:
                self.done = True  # the middle ends where the code after the cursor begins
            elif self._single and (self._line.strip() or self.text or out):
                out.append(shown)
                self.done = True  # single-line: the rest of this line only
            else:
                out.append(shown + "\n")
            self._line, self._held, self._first = "", True, False
        text = "".join(out)
        self.text += text
        return text

    def finish(self) -> str:
        """What was held back, once generation has ended."""
        last = self._ends.finish()
        if last:
            shown = self.feed(last)
            return shown + self.finish()
        line, held = self._line, self._held
        self._line, self._held = "", True
        if self.done or not held or not line or (self._anchor and line.rstrip() == self._anchor):
            return ""
        self.text += line
        return line


def filter_middle(text: str, suffix: str, single_line: bool = False, prefix: str = "") -> str:
    """The whole of a finished middle, filtered at once."""
    middle = MiddleFilter(suffix, single_line, prefix)
    return middle.feed(text) + middle.finish()
