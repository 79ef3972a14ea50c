"""A model's own tokenizer through llama-cpp-python: for a loaded model, or from its vocabulary alone.

Threads: a tokenizer shares its llama.cpp model with the engine that made it, so it belongs to the
same one thread (the inference worker, or the CLI's main thread). A `VocabCounter` belongs to the
thread that made it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from app.core import llama_log
from app.core.errors import ModelFileError
from app.core.gguf_info import read_gguf_info
from app.core.i18n import translate
from app.core.prompts.chat import check_template_source


class LlamaTokenizer:
    """`prompts.tokenizer.Tokenizer` over a loaded llama_cpp.Llama.

    Owned by the thread that owns the engine: it calls into the same llama.cpp model and reuses one
    piece buffer.
    """

    def __init__(self, llama: object, metadata: dict[str, str]) -> None:
        import llama_cpp

        self._llama = llama
        self._llama_cpp = llama_cpp
        model = llama._model  # noqa: SLF001 - llama-cpp-python exposes no public vocab handle
        self._vocab = model.vocab
        self.bos_id = int(model.token_bos())
        self.eos_id = int(model.token_eos())
        self.add_bos = bool(model.add_bos_token())
        self._metadata = metadata
        self._eog: frozenset[int] | None = None
        self._controls: frozenset[str] | None = None
        import ctypes

        self._piece_buf = ctypes.create_string_buffer(64)

    @property
    def n_vocab(self) -> int:
        """How many token ids the model has: an id outside 0..n_vocab-1 must never reach llama.cpp."""
        return int(self._llama.n_vocab())

    def encode(self, text: str, *, special: bool = False) -> list[int]:
        if not text:
            return []
        return self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=special)

    def piece_id(self, piece: str) -> int | None:
        ids = self._llama.tokenize(piece.encode("utf-8"), add_bos=False, special=True)
        return ids[0] if len(ids) == 1 and self.token_text(ids[0]) == piece else None

    def piece_bytes(self, token_id: int, *, special: bool = False) -> bytes:
        """The bytes of one token as generated text; with `special`, a control token's own text too
        (<|im_start|>), as llama-server's /tokenize pieces and /detokenize give it.

        llama-cpp-python's detokenize uses a fixed 32-byte buffer and returns nothing for longer
        pieces (deep indentation, long rulers), so the buffer is sized from llama.cpp's answer.
        """
        import ctypes

        n = self._llama_cpp.llama_token_to_piece(self._vocab, token_id, self._piece_buf, len(self._piece_buf), 0,
                                                 special)
        if n < 0:
            self._piece_buf = ctypes.create_string_buffer(-n)
            n = self._llama_cpp.llama_token_to_piece(self._vocab, token_id, self._piece_buf, -n, 0, special)
        return self._piece_buf.raw[:n]

    def decode(self, ids: Sequence[int], *, special: bool = False) -> str:
        return b"".join(self.piece_bytes(t, special=special) for t in ids).decode("utf-8", errors="replace")

    def is_control(self, token_id: int) -> bool:
        return bool(self._llama_cpp.llama_vocab_is_control(self._vocab, token_id))

    def control_texts(self) -> frozenset[str]:
        """Text of every control token (<|im_start|>, <s>, ...), to keep it out of message text."""
        if self._controls is None:
            self._controls = frozenset(
                text for t in range(self._llama.n_vocab()) if self.is_control(t) and (text := self.token_text(t)))
        return self._controls

    def token_text(self, token_id: int) -> str:
        return self._llama_cpp.llama_vocab_get_text(self._vocab, token_id).decode("utf-8", errors="replace")

    def is_eog(self, token_id: int) -> bool:
        return bool(self._llama_cpp.llama_vocab_is_eog(self._vocab, token_id))

    def eog_ids(self) -> frozenset[int]:
        if self._eog is None:
            n_vocab = self._llama.n_vocab()
            # Control tokens are few and sit at the ends of the vocabulary; scan all once.
            self._eog = frozenset(t for t in range(n_vocab) if self.is_eog(t))
        return self._eog

    def chat_template(self) -> str | None:
        return self._metadata.get("tokenizer.chat_template") or None

    def fim_ids(self) -> dict[str, int]:
        """Infill tokens as llama.cpp knows them (GGUF keys tokenizer.ggml.fim_*_token_id, or their
        text); -1 where absent."""
        lib, vocab = self._llama_cpp, self._vocab
        return {name: int(getattr(lib, f"llama_vocab_fim_{name}")(vocab))
                for name in ("pre", "suf", "mid", "pad", "rep", "sep")}


class VocabCounter:
    """Token counting with a model's own tokenizer, loading only its vocabulary (no weights).

    Owned by the thread that made it, like the engine.
    """

    def __init__(self, model_path: Path) -> None:
        info = read_gguf_info(model_path)  # the same clear errors as a full load
        try:
            check_template_source(info.metadata)  # the vocab-only Llama() compiles the templates too
        except ModelFileError as exc:
            raise ModelFileError(translate("core", "{name}: {reason}").format(name=model_path.name, reason=exc.message)) from None
        llama_log.install()
        import llama_cpp

        try:
            self._llama = llama_cpp.Llama(model_path=str(model_path), vocab_only=True, verbose=False)
        except ValueError as exc:
            raise ModelFileError(translate(
                "core", "{name}: llama.cpp could not read its vocabulary ({reason})"
            ).format(name=model_path.name, reason=exc)) from None

    def __call__(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False)) if text else 0

    def close(self) -> None:
        self._llama.close()
