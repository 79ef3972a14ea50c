"""Checked command-line values: a bad number, an empty path or bytes that are not UTF-8 get one line.

argparse's own failure prints the whole usage before its message; a person who typed `-n -5`
wants to read what is wrong, in one line, with the exit code argparse uses (2).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from typing import Callable, NoReturn

from app.core.atomic_file import describe_os_error
from app.core.errors import UserError


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are a single `error: ...` line on stderr."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def int_at_least(lowest: int, what: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a whole number, not {text!r}") from None
        if value < lowest:
            raise argparse.ArgumentTypeError(f"{what} must be at least {lowest:,} (got {value:,})")
        return value

    return parse


def float_between(lowest: float, highest: float, what: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a number, not {text!r}") from None
        if not math.isfinite(value) or not lowest <= value <= highest:
            raise argparse.ArgumentTypeError(f"{what} must be between {lowest:g} and {highest:g} (got {text})")
        return value

    return parse


def nonempty(what: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if not text.strip():
            # An empty path would silently mean the current folder.
            raise argparse.ArgumentTypeError(f"{what} is empty")
        return text

    return parse


def undecodable_argument(argv: list[str]) -> str | None:
    """A description of the first argument that is not valid UTF-8, or None.

    Python hands such bytes over as lone surrogates, which fail much later (printing, SQLite, the
    tokenizer) far from the argument that caused them.
    """
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raw = arg.encode("utf-8", "surrogateescape")
            shown = raw.decode("utf-8", "backslashreplace")
            return f"the argument {shown!r} is not valid UTF-8; rename the file or pass UTF-8 text"
    return None


MAX_STDIN_BYTES = 16 * 1024 * 1024  # far beyond any model's context; `< /dev/zero` must not eat memory


def read_stdin_text() -> str:
    """All of standard input as UTF-8 text, bounded; anything else is one clear error."""
    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read(MAX_STDIN_BYTES + 1) if stream is not None else b""
    if len(data) > MAX_STDIN_BYTES:
        raise UserError(f"standard input is larger than {MAX_STDIN_BYTES // 2**20} MB; no model's context holds that")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"standard input is not UTF-8 text (invalid byte at offset {exc.start:,}); convert it "
                        "to UTF-8 first") from None


class OutputClosed(Exception):
    """Whoever read standard output has gone (a closed pipe): stop quietly."""


class GuardedOutput:
    """sys.stdout for the CLI: a closed pipe ends the command quietly, any other failed write
    (a full disk, an I/O error) is one clear error line instead of a traceback at exit."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def _guard(self, call, *args):  # called for every piece of a streamed answer: nothing to import here
        try:
            return call(*args)
        except BrokenPipeError:
            self._discard()
            raise OutputClosed from None
        except OSError as exc:
            self._discard()
            raise UserError(f"cannot write the output: {describe_os_error(exc)}") from None

    def _discard(self) -> None:
        """From now on, what is left to write (and Python's flush at exit) goes nowhere."""
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass

    def write(self, text: str) -> int:
        return self._guard(self._stream.write, text)

    def flush(self) -> None:
        self._guard(self._stream.flush)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def terminal_safe(text: str) -> str:
    """`text` with every non-printable character escaped, so a name from a model file cannot move
    the cursor, recolour the terminal or start a line of its own."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)
