"""Prompt progress on a terminal: one line rewritten in place on a TTY, plain lines otherwise.

For the CLI's stderr (stdout carries the answer). A prompt read in one batch is over before a
line would help, so nothing is written for it: a short `chat` keeps a clean stderr, while a
long `ask` shows "Reading the context… 42%" after each batch.
"""

from __future__ import annotations

from typing import TextIO

from app.core.engine_figures import describe_prompt_progress

_ERASE = "\r\x1b[K"  # back to the start of the line and clear it


class PromptProgressLine:
    """A `Generation.on_prompt` callback writing to `stream`; `close()` once the prompt is read or given up.

    On a TTY the line is erased when the prompt is read, so the answer (on stdout, the same
    terminal) starts on a clean line.
    """

    def __init__(self, stream: TextIO, what: str | None = None, *, tty: bool | None = None) -> None:
        self._stream = stream
        self._what = what
        self._tty = is_tty(stream) if tty is None else tty
        self._reports = 0
        self._shown = False  # a line is on the terminal (TTY) or was written (plain)
        self._open = False  # the TTY line still has to be erased

    def __call__(self, done: int, total: int) -> None:
        self._reports += 1
        finished = done >= total
        if self._reports == 1 and not finished:
            return  # the start (what the cache already held): the first batch's report follows
        if finished and not self._shown:
            return  # read in one batch: nothing was worth a line
        if finished and self._tty:
            self.close()  # the answer follows on the same terminal
            return
        text = describe_prompt_progress(done, total, self._what)
        if self._tty:
            self._stream.write(_ERASE + text)
            self._open = True
        else:
            self._stream.write(text + "\n")
        self._shown = True
        self._stream.flush()

    def close(self) -> None:
        """Erase the TTY line (after the prompt is read, or when the command ends early)."""
        if self._open:
            self._open = False
            self._stream.write(_ERASE)
            self._stream.flush()


def is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream: plain lines are always safe
        return False
