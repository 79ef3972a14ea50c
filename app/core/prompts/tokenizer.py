"""The slice of a tokenizer that prompt builders need, so they can be tested on any model."""

from __future__ import annotations

from typing import Protocol


class Tokenizer(Protocol):
    bos_id: int
    eos_id: int
    add_bos: bool  # whether the vocabulary asks for BOS at the start of a prompt

    def encode(self, text: str, *, special: bool = False) -> list[int]:
        """Tokens of `text` without BOS. With `special`, control-token text becomes control tokens."""
        ...

    def piece_id(self, piece: str) -> int | None:
        """Id of the control token whose text is exactly `piece`, or None."""
        ...

    def eog_ids(self) -> frozenset[int]:
        """Every end-of-generation token (EOS, EOT, end-of-turn...)."""
        ...

    def is_control(self, token_id: int) -> bool:
        ...

    def control_texts(self) -> frozenset[str]:
        ...

    def chat_template(self) -> str | None:
        ...

    def token_text(self, token_id: int) -> str:
        ...
