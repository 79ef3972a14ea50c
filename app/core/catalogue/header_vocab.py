"""A GGUF header's vocabulary, looked up the way the infill detection looks up a loaded model's.

The remote "Check file" has only the first megabytes of a file, not a loaded model. So that it
answers "infill tokens?" with the same rule as loading does (`app.core.infill.formats.detect_format`:
a known family's pieces by their text, else the GGUF's declared fim_* token ids), this adapter gives
that function what it asks a tokenizer for, read from the header bytes.
"""

from __future__ import annotations

import struct
from typing import Any

from app.core.gguf_info import GGUFInfo, SkippedArray

_TOKENS_KEY = "tokenizer.ggml.tokens"
_GGUF_ARRAY, _GGUF_STRING = 9, 8
# llama.cpp reads the infill ids from tokenizer.ggml.fim_*_token_id, and from the older
# prefix/suffix/middle keys that earlier conversions wrote.
_FIM_KEYS = {"pre": ("fim_pre", "prefix"), "suf": ("fim_suf", "suffix"), "mid": ("fim_mid", "middle"),
             "pad": ("fim_pad",), "rep": ("fim_rep",), "sep": ("fim_sep",)}


def _token_texts(info: GGUFInfo, data: bytes) -> dict[str, int]:
    """Text -> id of every token, or {} when the header holds no readable token list."""
    tokens = info.metadata.get(_TOKENS_KEY)
    if isinstance(tokens, list):  # a short list the parser kept
        return {str(text): i for i, text in enumerate(tokens)}
    if not isinstance(tokens, SkippedArray):
        return {}
    # The parser skips long token lists (only their length is kept), so the list is found again by
    # its key, type codes and exact length: a byte sequence no other value of a real file contains.
    key = _TOKENS_KEY.encode()
    signature = struct.pack("<Q", len(key)) + key + struct.pack("<IIQ", _GGUF_ARRAY, _GGUF_STRING, tokens.length)
    pos = data.find(signature)
    if pos < 0:
        return {}
    pos += len(signature)
    texts: dict[str, int] = {}
    for index in range(tokens.length):
        if pos + 8 > len(data):
            return {}
        (n,) = struct.unpack_from("<Q", data, pos)
        end = pos + 8 + n
        if end > len(data):
            return {}  # not the list after all (or a cut header): no answer rather than a wrong one
        texts.setdefault(data[pos + 8:end].decode("utf-8", errors="replace"), index)
        pos = end
    return texts


def _token_id(metadata: dict[str, Any], name: str) -> int:
    value = metadata.get(f"tokenizer.ggml.{name}_token_id")
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


class HeaderVocabulary:
    """What `detect_format` asks of a tokenizer, answered from a header (no model is loaded)."""

    def __init__(self, info: GGUFInfo, data: bytes) -> None:
        self._metadata = info.metadata
        self._texts = _token_texts(info, data)
        self.bos_id = _token_id(info.metadata, "bos")

    def piece_id(self, piece: str) -> int | None:
        return self._texts.get(piece)

    def encode(self, text: str, *, special: bool = False) -> list[int]:
        # Part of the tokenizer protocol, but detection only looks pieces up; a header has no
        # tokenizer to run, and guessing one would make the answer differ from the loaded model's.
        raise NotImplementedError("a GGUF header cannot tokenize text")

    def eog_ids(self) -> frozenset[int]:
        ids = (_token_id(self._metadata, name) for name in ("eos", "eot", "eom"))
        return frozenset(i for i in ids if i >= 0)

    def fim_ids(self) -> dict[str, int]:
        """The infill ids the header declares; -1 where absent (as the engine's `fim_ids`)."""
        found = {}
        for name, keys in _FIM_KEYS.items():
            found[name] = next((i for key in keys if (i := _token_id(self._metadata, key)) >= 0), -1)
        return found
