"""The remote model's own tokenizer, asked over HTTP: what lets the app build exact prompts remotely.

The app's prompt builders (prompts/chat.py, infill/prompt.py) need a tokenizer; for a remote model
the only exact one is the server's. This one asks `/tokenize` and `/detokenize` and keeps what it
learnt: the same text is asked once (a repository's packed code is counted, budgeted and then
sent), and what a token is (its text, whether it is a control token) once per token.

Message text is tokenized with `parse_special: false`, so a user cannot smuggle `<|im_start|>` in
a question, exactly as with the local tokenizer. That needs llama-server's endpoint; vLLM's always
parses special tokens, so with it only the Code Llama formats (whose markers are refused in text)
are built here.

Threads: belongs to the engine's thread, like the engine's client.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Sequence

from app.core.i18n import translate
from app.core.remote.errors import RemoteError
from app.core.remote.http import RemoteClient
from app.core.remote.probe import ServerReport, Tokenize

CACHE_ENTRIES = 256
# End-of-turn tokens a chat model may use besides EOS; the server stops on its own end-of-generation
# tokens, these only complete `eog_ids` for the prompt builders.
EOG_TEXTS = ("<|im_end|>", "<|eot_id|>", "<EOT>", "▁<EOT>", "<|endoftext|>", "<end_of_turn>", "<|end|>")


class RemoteTokenizer:
    """`prompts.tokenizer.Tokenizer` (and the infill one) over a server's tokenize endpoints."""

    def __init__(self, client: RemoteClient, report: ServerReport) -> None:
        if report.tokenize not in (Tokenize.LLAMA, Tokenize.VLLM):
            raise RemoteError(translate(
                "core", "{name} cannot tokenize exactly ({value}).").format(name=client.name, value=report.tokenize.value))
        self._client = client
        self._kind = report.tokenize
        self._model = report.model
        self._cache: OrderedDict[tuple[str, bool], list[int]] = OrderedDict()
        self._texts: dict[int, str] = {}
        self._control: dict[int, bool] = {}
        self._eog: frozenset[int] | None = None
        self.requests = 0  # round trips made, for the log and the tests
        plain = self.encode("a")
        with_special = self._tokenize("a", add_special=True, special=False)
        self.add_bos = len(with_special) > len(plain)
        bos = with_special[0] if self.add_bos else self.piece_id(report.bos_token) if report.bos_token else None
        self.bos_id = bos if bos is not None else -1
        eos = self.piece_id(report.eos_token) if report.eos_token else None
        self.eos_id = eos if eos is not None else -1
        self._template = report.chat_template
        for text in _control_candidates(self._template):
            self.piece_id(text)  # learns the text of the template's control tokens (see piece_id)

    # Tokenizing --------------------------------------------------------------------------------
    def encode(self, text: str, *, special: bool = False) -> list[int]:
        if not text:
            return []
        key = (text, special)
        found = self._cache.get(key)
        if found is None:
            found = self._tokenize(text, add_special=False, special=special)
            self._cache[key] = found
            if len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return list(found)

    def _tokenize(self, text: str, *, add_special: bool, special: bool) -> list[int]:
        self.requests += 1
        if self._kind is Tokenize.LLAMA:
            # With each token's text: what a token is comes with it (/detokenize may drop control tokens' text).
            data = self._client.post_ok("/tokenize", {"content": text, "add_special": add_special,
                                                      "parse_special": special, "with_pieces": True})
            for item in data.get("tokens", []) if isinstance(data, dict) else []:
                if isinstance(item, dict) and isinstance(item.get("piece"), str) and isinstance(item.get("id"), int):
                    self._texts.setdefault(item["id"], item["piece"])
        else:  # vLLM: special tokens in the text are always parsed (see the module note)
            data = self._client.post_ok("/tokenize", {"model": self._model, "prompt": text,
                                                      "add_special_tokens": add_special})
        return _ids(data, self._client.name)

    def decode(self, ids: Sequence[int]) -> str:
        if not ids:
            return ""
        self.requests += 1
        if self._kind is Tokenize.LLAMA:
            data = self._client.post_ok("/detokenize", {"tokens": list(ids)})
            text = data.get("content") if isinstance(data, dict) else None
        else:
            data = self._client.post_ok("/detokenize", {"model": self._model, "tokens": list(ids)})
            text = data.get("prompt") if isinstance(data, dict) else None
        if not isinstance(text, str):
            raise RemoteError(translate("core", "{name} answered /detokenize without text.").format(name=self._client.name))
        return text

    # What a token is ---------------------------------------------------------------------------
    def token_text(self, token_id: int) -> str:
        if token_id not in self._texts:
            self._texts[token_id] = self.decode([token_id])
        return self._texts[token_id]

    def piece_id(self, piece: str) -> int | None:
        if not piece:
            return None
        ids = self.encode(piece, special=True)
        if len(ids) != 1:
            return None
        text = self.token_text(ids[0])
        if text == piece:
            return ids[0]
        # A server that gives a control token's text as '' (this app's own server does): the piece
        # is that token's text when only special parsing makes it one token.
        if not text and self.encode(piece) != ids:
            self._texts[ids[0]] = piece
            return ids[0]
        return None

    def is_control(self, token_id: int) -> bool:
        """A token its own text only becomes when special tokens are parsed (<|im_start|>, <s>...)."""
        if token_id not in self._control:
            text = self.token_text(token_id)
            self._control[token_id] = bool(text) and self.encode(text, special=True) == [token_id] and \
                self.encode(text) != [token_id]
        return self._control[token_id]

    def control_texts(self) -> frozenset[str]:
        """The control tokens the chat template and the end of turn use (the server lists no vocabulary)."""
        found = {text for text in _control_candidates(self._template) | set(EOG_TEXTS)
                 if (t := self.piece_id(text)) is not None and self.is_control(t)}
        for token in (self.bos_id, self.eos_id):
            if token >= 0:
                found.add(self.token_text(token))
        return frozenset(found)

    def eog_ids(self) -> frozenset[int]:
        if self._eog is None:
            ids = {t for text in EOG_TEXTS if (t := self.piece_id(text)) is not None}
            self._eog = frozenset(ids | ({self.eos_id} if self.eos_id >= 0 else set()))
        return self._eog

    def chat_template(self) -> str | None:
        return self._template or None

    def drop_template(self) -> None:
        """Forget the server's template (it was llama.cpp's stand-in for a model that has none)."""
        self._template = ""


class ExtrasCounter:
    """Token counts from llama-cpp-python's `/extras/tokenize`, which adds BOS and parses special
    tokens: exact for ordinary text once the BOS it adds is taken off; no ids to build prompts with."""

    def __init__(self, client: RemoteClient, model: str) -> None:
        self._client, self._model = client, model
        self._cache: OrderedDict[str, int] = OrderedDict()
        self._base = self._count("")  # the BOS it adds to everything

    def _count(self, text: str) -> int:
        data = self._client.post_ok("/extras/tokenize/count", {"input": text, "model": self._model or None})
        count = data.get("count") if isinstance(data, dict) else None
        if not isinstance(count, int):
            raise RemoteError(translate(
                "core", "{name} answered /extras/tokenize/count without a count.").format(name=self._client.name))
        return count

    def __call__(self, text: str) -> int:
        if not text:
            return 0
        found = self._cache.get(text)
        if found is None:
            found = self._cache[text] = max(0, self._count(text) - self._base)
            if len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return found


def _control_candidates(template: str) -> set[str]:
    """Strings of a chat template that look like control tokens (<|im_start|>, <s>, [INST])."""
    import re

    return set(re.findall(r"<[^<>\s]{1,40}>|\[/?[A-Z]{2,10}\]", template or ""))


def _ids(data: Any, server: str) -> list[int]:
    tokens = data.get("tokens") if isinstance(data, dict) else None
    if not isinstance(tokens, list):
        raise RemoteError(translate("core", "{server} answered /tokenize without a token list.").format(server=server))
    return [t["id"] if isinstance(t, dict) else int(t) for t in tokens]
