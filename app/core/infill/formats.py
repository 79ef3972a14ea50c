"""Which fill-in-the-middle format a model speaks, found from its own vocabulary.

Each family marks the prefix, suffix and middle with its own special tokens (see MODELS.md).
The app builds the token list itself from these ids; llama-cpp-python's `suffix=` path is
broken (it uses token 0 for all three). A manifest entry may name the family, or say "none"
for models whose vocabulary has the tokens but that were not trained to infill (Code Llama -
Python, Instruct 34B/70B).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol


class InfillTokenizer(Protocol):
    bos_id: int

    def encode(self, text: str, *, special: bool = False) -> list[int]: ...

    def piece_id(self, piece: str) -> int | None: ...

    def eog_ids(self) -> frozenset[int]: ...


class InfillFamily(str, Enum):
    """A fill-in-the-middle token family; the values are the manifest's `infill_format` names."""

    CODELLAMA = "codellama"
    QWEN = "qwen"
    STARCODER = "starcoder"
    DEEPSEEK = "deepseek"
    GENERIC = "generic"  # tokens a GGUF of no known family declares

    def __str__(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        """The family's name for people; shown, never compared."""
        return FAMILY_NAMES[self]

    @property
    def suffix_first(self) -> bool:
        """Trained on suffix-prefix-middle order too, so SPM may be offered (Code Llama)."""
        return self is InfillFamily.CODELLAMA

    @property
    def leading_space(self) -> bool:
        """Its tokenizer adds a word-start space the prompt must account for (Code Llama)."""
        return self is InfillFamily.CODELLAMA


@dataclass(frozen=True)
class _Texts:
    pre: tuple[str, ...]
    suf: tuple[str, ...]
    mid: tuple[str, ...]
    stops: tuple[str, ...]  # end of the middle, besides the model's end-of-generation tokens
    repo_name: str = ""
    file_sep: str = ""
    bos: bool = False  # the family's training put BOS before the infill tokens


FAMILY_TEXTS = {
    InfillFamily.CODELLAMA: _Texts(("▁<PRE>", "<PRE>"), ("▁<SUF>", "<SUF>"), ("▁<MID>", "<MID>"), ("▁<EOT>", "<EOT>"),
                        bos=True),
    InfillFamily.QWEN: _Texts(("<|fim_prefix|>",), ("<|fim_suffix|>",), ("<|fim_middle|>",),
                   ("<|endoftext|>", "<|fim_pad|>", "<|file_sep|>", "<|repo_name|>", "<|im_end|>"),
                   repo_name="<|repo_name|>", file_sep="<|file_sep|>"),
    InfillFamily.STARCODER: _Texts(("<fim_prefix>",), ("<fim_suffix>",), ("<fim_middle>",),
                        ("<|endoftext|>", "<fim_pad>", "<file_sep>", "<repo_name>"),
                        repo_name="<repo_name>", file_sep="<file_sep>"),
    InfillFamily.DEEPSEEK: _Texts(("<｜fim▁begin｜>",), ("<｜fim▁hole｜>",), ("<｜fim▁end｜>",),
                       ("<｜end▁of▁sentence｜>", "<|EOT|>"), bos=True),
}
FAMILY_NAMES = {InfillFamily.CODELLAMA: "Code Llama", InfillFamily.QWEN: "Qwen2.5-Coder",
                InfillFamily.STARCODER: "StarCoder2", InfillFamily.DEEPSEEK: "DeepSeek-Coder",
                InfillFamily.GENERIC: "GGUF-declared"}


@dataclass(frozen=True)
class InfillFormat:
    family: InfillFamily
    pre: int
    suf: int
    mid: int
    stop_ids: frozenset[int]
    bos: int | None = None
    repo_name: int | None = None
    file_sep: int | None = None

    @property
    def label(self) -> str:
        return self.family.label

    @property
    def repo_level(self) -> bool:
        """Whether the family has tokens for other files of the repository (Qwen, StarCoder2)."""
        return self.repo_name is not None and self.file_sep is not None


def _first_id(tok: InfillTokenizer, texts: tuple[str, ...]) -> int | None:
    for text in texts:
        token = tok.piece_id(text)
        if token is not None:
            return token
    return None


def _format_for(tok: InfillTokenizer, family: InfillFamily) -> InfillFormat | None:
    texts = FAMILY_TEXTS[family]
    pre, suf, mid = (_first_id(tok, t) for t in (texts.pre, texts.suf, texts.mid))
    if pre is None or suf is None or mid is None:
        return None
    stops = {t for text in texts.stops if (t := tok.piece_id(text)) is not None}
    return InfillFormat(
        family=family, pre=pre, suf=suf, mid=mid, stop_ids=frozenset(stops | set(tok.eog_ids())),
        bos=tok.bos_id if texts.bos and tok.bos_id >= 0 else None,
        repo_name=tok.piece_id(texts.repo_name) if texts.repo_name else None,
        file_sep=tok.piece_id(texts.file_sep) if texts.file_sep else None)


def detect_format(tok: InfillTokenizer, hint: str = "") -> InfillFormat | None:
    """The model's infill format, or None when it cannot infill.

    `hint` is the manifest's `infill_format`: "none" means no infill whatever the vocabulary
    holds; a family name is tried first; empty (a model the manifest does not describe) means
    the vocabulary decides.
    """
    if hint == "none":
        return None
    first = [InfillFamily(hint)] if hint in FAMILY_TEXTS else []
    order = first + [f for f in FAMILY_TEXTS if f not in first]
    for family in order:
        found = _format_for(tok, family)
        if found is not None:
            return found
    return _declared(tok)


def _declared(tok: InfillTokenizer) -> InfillFormat | None:
    """A model of no known family whose GGUF names its infill tokens: prefix-suffix-middle with them,
    and its repository tokens where it has them (the layout llama.cpp's own server uses)."""
    ids = tok.fim_ids() if hasattr(tok, "fim_ids") else {}
    if min(ids.get("pre", -1), ids.get("suf", -1), ids.get("mid", -1)) < 0:
        return None
    extra = {ids[k] for k in ("pad", "rep", "sep") if ids.get(k, -1) >= 0}
    return InfillFormat(family=InfillFamily.GENERIC, pre=ids["pre"], suf=ids["suf"], mid=ids["mid"],
                        stop_ids=frozenset(extra | set(tok.eog_ids())),
                        repo_name=ids["rep"] if ids.get("rep", -1) >= 0 else None,
                        file_sep=ids["sep"] if ids.get("sep", -1) >= 0 else None)
