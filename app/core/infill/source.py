"""Code files for infill: read with clear refusals, and split at a 1-based line and column."""

from __future__ import annotations

import codecs
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import UserError
from app.core.i18n import translate
from app.core.safe_read import UnsafeFile, read_regular

MAX_FILE_BYTES = 20 * 1024 * 1024  # an editor's file, not a log: beyond this the user opened the wrong thing
_SNIFF = 8192


def decode_code(data: bytes, name: str) -> str:
    """The text of a code file's bytes; binary and non-UTF-8 content are refused, naming the file."""
    if b"\0" in data[:_SNIFF]:
        raise UserError(translate(
            "core", "{name} looks like a binary file (it contains NUL bytes); open a text file.").format(name=name))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(translate(
            "core", "{name} is not UTF-8 text (invalid byte at offset {start:,}); convert it to UTF-8 first."
        ).format(name=name, start=exc.start)) from None
    return text.replace("\r\n", "\n")


def read_code(path: Path) -> str:
    return read_code_file(path).text


def _read_bytes(path: Path) -> bytes:
    # The user chose this file, so a link is followed; but only a regular file is read, with a
    # bound, so a FIFO or a device cannot hang or exhaust memory.
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        raise UserError(translate("core", "{path} does not exist.").format(path=path)) from None
    except (OSError, RuntimeError) as exc:
        raise UserError(translate(
            "core", "{path} cannot be read: {reason}").format(path=path, reason=getattr(exc, 'strerror', None) or exc)) from None
    if target.is_dir():
        raise UserError(translate("core", "{path} is a folder, not a file.").format(path=path))
    try:
        return read_regular(target, MAX_FILE_BYTES)
    except UnsafeFile as exc:
        if exc.reason == "too large":
            raise UserError(translate(
                "core", "{name} is over {size} MB; such files are not opened for infill."
            ).format(name=path.name, size=MAX_FILE_BYTES // 2**20)) from None
        if exc.reason == "not a regular file":
            raise UserError(translate(
                "core", "{path} is not a regular file (a pipe, socket or device); open a text file.").format(path=path)) from None
        if "Permission" in exc.reason:
            raise UserError(translate("core", "{path} cannot be read (permission denied).").format(path=path)) from None
        raise UserError(translate("core", "{path} cannot be read: {reason}").format(path=path, reason=exc.reason)) from None


def split_at(text: str, line: int, column: int) -> tuple[str, str]:
    """(prefix, suffix) around the cursor at 1-based `line` and `column` (column len+1 = end of line)."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        raise UserError(translate(
            "core", "line {line} is outside the file (it has {count} lines).").format(line=line, count=len(lines)))
    if not 1 <= column <= len(lines[line - 1]) + 1:
        raise UserError(translate(
            "core", "column {column} is outside line {line} (it has {count} characters; the end of the line is column "
            "{end}).").format(column=column, line=line, count=len(lines[line - 1]), end=len(lines[line - 1]) + 1))
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
        raise UserError(translate(
            "core", "Could not save {path}: {reason}; the editor keeps the text."
        ).format(path=path, reason=exc.strerror or exc)) from None
