"""A client's stop strings: the text ends before the first one, which is never sent.

The filter follows the `feed / finish / done` protocol of engine_stream.filtered, so it stacks on
any generation. It holds back only what could still become a stop string, so streaming stays
piece by piece.
"""

from __future__ import annotations

from typing import Sequence


class StopFilter:
    def __init__(self, stops: Sequence[str]) -> None:
        self._stops = tuple(s for s in stops if s)
        self._held = ""
        self.done = False
        self.matched = ""  # the stop string that ended the text

    def feed(self, piece: str) -> str:
        if self.done:
            return ""
        text = self._held + piece
        cut = min((i for i in (text.find(s) for s in self._stops) if i >= 0), default=-1)
        if cut >= 0:
            self.matched = next(s for s in self._stops if text.find(s) == cut)
            self.done, self._held = True, ""
            return text[:cut]
        keep = self._partial(text)
        self._held = text[len(text) - keep:] if keep else ""
        return text[: len(text) - keep]

    def finish(self) -> str:
        held, self._held = self._held, ""
        return "" if self.done else held

    def _partial(self, text: str) -> int:
        """Length of the longest end of `text` that begins some stop string."""
        best = 0
        for stop in self._stops:
            for n in range(min(len(stop) - 1, len(text)), best, -1):
                if stop.startswith(text[-n:]):
                    best = n
                    break
        return best
