"""Read a GGUF file's header (metadata and tensor table) without loading the model.

llama.cpp's own error for a bad file is a bare "failed to load model"; reading the header first
lets the app say what is wrong (not a GGUF file, truncated, unsupported version) and size the
context before anything large is allocated. The parser works on any bytes-like buffer (an mmap
of a local file, or the first megabytes of a remote file fetched with a Range request).
"""

from __future__ import annotations

import errno
import mmap
import os
import stat
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType

from app.core.errors import ModelFileError
from app.core.gguf_validate import validate_metadata
from app.core.i18n import translate

GGUF_MAGIC = b"GGUF"
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_MAX_STRING = 64 * 1024 * 1024  # a longer string means a corrupt length field
_MAX_ITEMS = 1 << 28
_KEEP_ARRAY = 64  # arrays of strings longer than this (token lists) are skipped, only their length kept
_KEEP_NUMBERS = 4096  # numeric arrays (per-layer head counts) are kept up to this length
_MAX_DEPTH = 3  # arrays of arrays nest no deeper than this in real files
_MAX_VALUES = 1 << 26  # values read in one header: a corrupt file cannot make the parse run for minutes

_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
_FLOATS = {6: "<f4", 12: "<f8"}


class HeaderIncomplete(Exception):
    """The buffer ended inside the header: give the parser more bytes."""


@dataclass(frozen=True)
class SkippedArray:
    length: int
    # For float arrays only (token scores): whether some value is NaN or infinite, found without
    # keeping the values, so that gguf_validate can refuse them.
    has_nan: bool = False
    has_inf: bool = False


@dataclass
class GGUFInfo:
    version: int
    metadata: dict[str, Any]
    tensor_count: int
    data_offset: int
    expected_size: int | None  # None when a tensor type is unknown to this build
    # GGUF type code of each value, and of its elements for an array (None for a scalar):
    # llama.cpp refuses a uint64 where it reads a uint32, so the validation needs the exact type.
    types: dict[str, tuple[int, int | None]] = field(default_factory=dict)

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", ""))

    def arch_value(self, key: str, default: Any = None) -> Any:
        return self.metadata.get(f"{self.architecture}.{key}", default)

    @property
    def context_length(self) -> int | None:
        value = self.arch_value("context_length")
        return int(value) if isinstance(value, int) else None

    @property
    def has_chat_template(self) -> bool:
        return isinstance(self.metadata.get("tokenizer.chat_template"), str)

    @property
    def name(self) -> str:
        return str(self.metadata.get("general.name", ""))

    @property
    def vocab_size(self) -> int | None:
        tokens = self.metadata.get("tokenizer.ggml.tokens")
        if isinstance(tokens, SkippedArray):
            return tokens.length
        if isinstance(tokens, list):
            return len(tokens)
        return None


class _Cursor:
    def __init__(self, buf: Any) -> None:
        self.buf = buf
        self.pos = 0
        self.values = 0
        self.last_etype: int | None = None  # element type of the array value() read last

    def _count(self, n: int) -> None:
        self.values += n
        if self.values > _MAX_VALUES:
            raise ModelFileError(translate("core", "the GGUF header is corrupt (too many values)"))

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.buf):
            raise HeaderIncomplete
        chunk = self.buf[self.pos : end]
        self.pos = end
        return bytes(chunk)

    def unpack(self, fmt: str) -> Any:
        size = struct.calcsize(fmt)
        return struct.unpack(fmt, self.take(size))[0]

    def string(self) -> str:
        n = self.unpack("<Q")
        if n > _MAX_STRING:
            raise ModelFileError(translate("core", "the GGUF header is corrupt (a string length is impossible)"))
        return self.take(n).decode("utf-8", errors="replace")

    def skip_string(self) -> None:
        n = self.unpack("<Q")
        if n > _MAX_STRING:
            raise ModelFileError(translate("core", "the GGUF header is corrupt (a string length is impossible)"))
        self.pos += n
        if self.pos > len(self.buf):
            raise HeaderIncomplete

    def value(self, vtype: int, depth: int = 0) -> Any:
        self._count(1)
        if vtype in _SCALARS:
            return self.unpack(_SCALARS[vtype])
        if vtype == _STRING:
            return self.string()
        if vtype == _ARRAY:
            if depth >= _MAX_DEPTH:
                raise ModelFileError(translate("core", "the GGUF header is corrupt (arrays nested too deeply)"))
            etype = self.unpack("<I")
            count = self.unpack("<Q")
            if count > _MAX_ITEMS:
                raise ModelFileError(translate("core", "the GGUF header is corrupt (an array length is impossible)"))
            keep = _KEEP_NUMBERS if etype in _SCALARS else _KEEP_ARRAY
            if count > keep:
                start = self.pos
                self._skip_array(etype, count, depth)
                self.last_etype = etype
                if etype in _FLOATS:
                    values = np.frombuffer(self.buf, dtype=_FLOATS[etype], count=count, offset=start)
                    return SkippedArray(count, bool(np.isnan(values).any()), bool(np.isinf(values).any()))
                return SkippedArray(count)
            items = [self.value(etype, depth + 1) for _ in range(count)]
            self.last_etype = etype
            return items
        raise ModelFileError(translate("core", "the GGUF header is corrupt (unknown value type {vtype})").format(vtype=vtype))

    def _skip_array(self, etype: int, count: int, depth: int) -> None:
        if etype in _SCALARS:
            self.pos += struct.calcsize(_SCALARS[etype]) * count
            if self.pos > len(self.buf):
                raise HeaderIncomplete
        elif etype == _STRING:
            self._count(count)
            for _ in range(count):
                self.skip_string()
        else:
            for _ in range(count):
                self.value(etype, depth + 1)


def _tensor_bytes(type_id: int, dims: list[int]) -> int | None:
    try:
        block, type_size = GGML_QUANT_SIZES[GGMLQuantizationType(type_id)]
    except (ValueError, KeyError):
        return None
    elements = 1
    for d in dims:
        elements *= d
    return elements // block * type_size


def parse_header(buf: Any) -> GGUFInfo:
    """Parse a GGUF header from the start of `buf`.

    Raises:
        ModelFileError: not a GGUF file, or a corrupt header.
        HeaderIncomplete: `buf` ends before the header does.
    """
    cur = _Cursor(buf)
    if len(buf) >= 4 and bytes(buf[:4]) != GGUF_MAGIC:
        raise ModelFileError(translate("core", "this is not a GGUF model file (wrong magic bytes)"))
    cur.take(4)
    version = cur.unpack("<I")
    if version not in (2, 3):
        raise ModelFileError(translate(
            "core", "GGUF version {version} is not supported (only 2 and 3)").format(version=version))
    tensor_count = cur.unpack("<Q")
    kv_count = cur.unpack("<Q")
    if tensor_count > _MAX_ITEMS or kv_count > _MAX_ITEMS:
        raise ModelFileError(translate("core", "the GGUF header is corrupt (impossible counts)"))
    metadata: dict[str, Any] = {}
    types: dict[str, tuple[int, int | None]] = {}
    for _ in range(kv_count):
        key = cur.string()
        vtype = cur.unpack("<I")
        metadata[key] = cur.value(vtype)
        types[key] = (vtype, cur.last_etype if vtype == _ARRAY else None)
    end = 0
    known = True
    for _ in range(tensor_count):
        cur.skip_string()
        n_dims = cur.unpack("<I")
        if n_dims > 8:
            raise ModelFileError(translate("core", "the GGUF header is corrupt (a tensor has too many dimensions)"))
        dims = [cur.unpack("<Q") for _ in range(n_dims)]
        type_id = cur.unpack("<I")
        offset = cur.unpack("<Q")
        size = _tensor_bytes(type_id, dims)
        if size is None:
            known = False
        else:
            end = max(end, offset + size)
    alignment = metadata.get("general.alignment", 32)
    if not isinstance(alignment, int) or alignment <= 0:
        alignment = 32  # gguf_validate refuses it below; this only keeps the arithmetic defined
    data_offset = (cur.pos + alignment - 1) // alignment * alignment
    info = GGUFInfo(
        version=version,
        metadata=metadata,
        tensor_count=tensor_count,
        data_offset=data_offset,
        expected_size=data_offset + end if known else None,
        types=types,
    )
    # Here rather than in each caller: a local load, an import and a remote header check all
    # parse through this function, and none of them may hand llama.cpp a number it would crash on.
    validate_metadata(info)
    return info


def read_gguf_info(path: Path) -> GGUFInfo:
    """Read and check a local GGUF file: header intact and file as long as its tensors need.

    Raises:
        ModelNotFoundError / ModelFileError with a message naming the file.
    """
    from app.core.errors import ModelNotFoundError

    try:
        # Non-blocking: opening a FIFO would otherwise wait forever for a writer. Links are followed
        # (model folders and the hub cache use them); what the open returned must be a regular file.
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _BINARY | _CLOEXEC)
        try:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError
            if not stat.S_ISREG(st.st_mode):
                raise ModelFileError(translate(
                    "core", "{path} is not a regular file (a pipe, socket or device)").format(path=path))
            size = st.st_size
            if size == 0:
                raise ModelFileError(translate("core", "{name}: the file is empty").format(name=path.name))
            with mmap.mmap(fd, 0, access=mmap.ACCESS_READ) as mm:
                try:
                    info = parse_header(mm)
                except HeaderIncomplete:
                    raise ModelFileError(
                        translate(
                            "core", "{name}: the file is truncated (it ends inside the GGUF header)").format(name=path.name)
                    ) from None
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise ModelNotFoundError(translate("core", "model file not found: {path}").format(path=path)) from None
    except IsADirectoryError:
        raise ModelFileError(translate("core", "{path} is a folder, not a GGUF model file").format(path=path)) from None
    except PermissionError:
        raise ModelFileError(translate(
            "core", "{name}: permission denied reading the model file").format(name=path.name)) from None
    except ModelFileError as exc:
        if str(exc).startswith((path.name, str(path))):
            raise
        raise ModelFileError(translate("core", "{name}: {reason}").format(name=path.name, reason=exc.message)) from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket (or a FIFO without a reader on some systems)
            raise ModelFileError(translate(
                "core", "{path} is not a regular file (a pipe, socket or device)").format(path=path)) from None
        raise ModelFileError(translate(
            "core", "{name}: the model file cannot be read ({reason})"
        ).format(name=path.name, reason=exc.strerror or exc)) from None
    if info.expected_size is not None and size < info.expected_size:
        raise ModelFileError(
            translate(
                "core", "{name}: the file is truncated ({size:,} of {expected_size:,} bytes); download it again"
            ).format(name=path.name, size=size, expected_size=info.expected_size)
        )
    return info
