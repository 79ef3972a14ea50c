"""Code files for infill: read with clear refusals, and split at a 1-based line and column."""

from __future__ import annotations

import codecs
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import UserError
from app.core.safe_read import UnsafeFile, read_regular

MAX_FILE_BYTES = 20 * 1024 * 1024  # an editor's file, not a log: beyond this the user opened the wrong thing
_SNIFF = 8192


def decode_code(data: bytes, name: str) -> str:
    """The text of a code file's bytes; binary and non-UTF-8 content are refused, naming the file."""
    if b"\0" in data[:_SNIFF]:
        raise UserError(f"{name} looks like a binary file (it contains NUL bytes); open a text file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"{name} is not UTF-8 text (invalid byte at offset {exc.start:,}); convert it to "
                        "UTF-8 first.") from None
    return text.replace("\r\n", "\n")


def read_code(path: Path) -> str:
    return read_code_file(path).text


def _read_bytes(path: Path) -> bytes:
    # The user chose this file, so a link is followed; but only a regular file is read, with a
    # bound, so a FIFO or a device cannot hang or exhaust memory.
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        raise UserError(f"{path} does not exist.") from None
    except (OSError, RuntimeError) as exc:
        raise UserError(f"{path} cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    if target.is_dir():
        raise UserError(f"{path} is a folder, not a file.")
    try:
        return read_regular(target, MAX_FILE_BYTES)
    except UnsafeFile as exc:
        if exc.reason == "too large":
            raise UserError(f"{path.name} is over {MAX_FILE_BYTES // 2**20} MB; such files are not opened for "
                            "infill.") from None
        if exc.reason == "not a regular file":
            raise UserError(f"{path} is not a regular file (a pipe, socket or device); open a text file.") from None
        if "Permission" in exc.reason:
            raise UserError(f"{path} cannot be read (permission denied).") from None
        raise UserError(f"{path} cannot be read: {exc.reason}") from None


def split_at(text: str, line: int, column: int) -> tuple[str, str]:
    """(prefix, suffix) around the cursor at 1-based `line` and `column` (column len+1 = end of line)."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        raise UserError(f"line {line} is outside the file (it has {len(lines)} lines).")
    if not 1 <= column <= len(lines[line - 1]) + 1:
        raise UserError(f"column {column} is outside line {line} (it has {len(lines[line - 1])} characters; "
                        f"the end of the line is column {len(lines[line - 1]) + 1}).")
    offset = sum(len(x) + 1 for x in lines[: line - 1]) + column - 1
    return text[:offset], text[offset:]


@dataclass(frozen=True)
class CodeFile:
    """A file's text with "\\n" line ends, and how it was written, so saving gives back the same form."""

    text: str
    crlf: bool = False
    bom: bool = False


def read_code_file(path: Path) -> CodeFile:
    data = _read_bytes(path)
    return CodeFile(decode_code(data, path.name), crlf=b"\r\n" in data[:1 << 16],
                    bom=data.startswith(codecs.BOM_UTF8))


def write_code_file(path: Path, code: CodeFile) -> None:
    """Write atomically in the file's own form: line ends, BOM, permissions; through a link, to its target."""
    target = path.resolve() if path.is_symlink() else path
    data = code.text.replace("\n", "\r\n") if code.crlf else code.text
    raw = (codecs.BOM_UTF8 if code.bom else b"") + data.encode("utf-8")
    tmp = target.with_name(f".{target.name}.saving")
    try:
        tmp.write_bytes(raw)
        if target.exists():
            shutil.copymode(target, tmp)
        os.replace(tmp, target)  # a full disk fails before this, leaving the old file whole
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"Could not save {path}: {exc.strerror or exc}; the editor keeps the text.") from None
