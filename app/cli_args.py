"""Checked command-line values: a bad number, an empty path or bytes that are not UTF-8 get one line.

argparse's own failure prints the whole usage before its message; a person who typed `-n -5`
wants to read what is wrong, in one line, with the exit code argparse uses (2).
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Callable, NoReturn


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


def read_stdin_text() -> str:
    """All of standard input as UTF-8 text; anything else is one clear error."""
    from app.core.errors import UserError

    data = sys.stdin.buffer.read() if sys.stdin is not None and hasattr(sys.stdin, "buffer") else b""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"standard input is not UTF-8 text (invalid byte at offset {exc.start:,}); convert it "
                        "to UTF-8 first") from None
