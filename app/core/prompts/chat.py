"""Chat prompts built as token ids, one format per model family.

Code Llama's Instruct GGUFs usually carry no chat template and llama-cpp-python's "llama-2"
fallback differs from Meta's reference (spacing, the blank line after <</SYS>>, an extra BOS), so
the Code Llama formats are built here from Meta's construction. Models that ship a template get
it rendered with Jinja2, but message text is always tokenized as plain text so that a user cannot
smuggle control tokens (such as <|im_start|>) into the prompt.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from typing import Literal, Sequence

from app.core.errors import PromptError
from app.core.prompts.tokenizer import Tokenizer

log = logging.getLogger(__name__)

Role = Literal["system", "user", "assistant"]

B_INST, E_INST = "[INST]", "[/INST]"
B_SYS, E_SYS = "<<SYS>>\n", "\n<</SYS>>\n\n"
CODELLAMA_MARKERS = (B_INST, E_INST, "<<SYS>>", "<</SYS>>")


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class ChatPrompt:
    tokens: list[int]
    stop_ids: frozenset[int]


def _check_markers(messages: Sequence[ChatMessage]) -> None:
    for message in messages:
        if message.role == "assistant":
            continue  # the model's own words; neutralized below rather than refused
        for marker in CODELLAMA_MARKERS:
            if marker in message.content:
                raise PromptError(
                    f"The message contains {marker!r}, which Code Llama uses to mark turns; "
                    "rephrase it (for example write it with spaces) and send again."
                )


def _neutralize(text: str) -> str:
    # A zero-width space inside the marker keeps it readable but stops it tokenizing as the marker.
    for marker in CODELLAMA_MARKERS:
        text = text.replace(marker, marker[0] + "\u200b" + marker[1:])
    return text


def _fold_system(messages: Sequence[ChatMessage]) -> list[ChatMessage]:
    if messages and messages[0].role == "system":
        if len(messages) < 2:
            raise PromptError("A system prompt needs a user message after it.")
        first = messages[1]
        folded = ChatMessage(first.role, B_SYS + messages[0].content + E_SYS + first.content)
        return [folded, *messages[2:]]
    return list(messages)


def _check_alternation(dialog: Sequence[ChatMessage]) -> None:
    if not dialog:
        raise PromptError("There is no message to answer.")
    for index, message in enumerate(dialog):
        expected = "user" if index % 2 == 0 else "assistant"
        if message.role != expected:
            raise PromptError("Messages must alternate user, assistant, user... and start with the user.")
    if dialog[-1].role != "user":
        raise PromptError("The last message must be the user's.")


def codellama_instruct(tok: Tokenizer, messages: Sequence[ChatMessage]) -> ChatPrompt:
    """Meta's Code Llama Instruct (7B/13B/34B) construction.

    Each finished exchange: BOS + `[INST] {user} [/INST] {answer} ` + EOS; the open turn:
    BOS + `[INST] {user} [/INST]`. The system message is folded into the first user message.
    """
    _check_markers(messages)
    dialog = _fold_system([ChatMessage(m.role, _neutralize(m.content) if m.role == "assistant" else m.content)
                           for m in messages])
    _check_alternation(dialog)
    tokens: list[int] = []
    for prompt, answer in zip(dialog[0:-1:2], dialog[1::2]):
        text = f"{B_INST} {prompt.content.strip()} {E_INST} {answer.content.strip()} "
        tokens += [tok.bos_id, *tok.encode(text), tok.eos_id]
    tokens += [tok.bos_id, *tok.encode(f"{B_INST} {dialog[-1].content.strip()} {E_INST}")]
    return ChatPrompt(tokens, tok.eog_ids())


def codellama_70b(tok: Tokenizer, messages: Sequence[ChatMessage]) -> ChatPrompt:
    """Code Llama 70B Instruct: `Source: role` headers separated by the <step> token."""
    step = tok.piece_id("<step>")
    if step is None:
        raise PromptError("This model has no <step> token, so it is not a Code Llama 70B Instruct model.")
    if not messages or messages[-1].role != "user":
        raise PromptError("The last message must be the user's.")
    tokens = [tok.bos_id]
    for message in messages:
        tokens += tok.encode(f" Source: {message.role}\n\n {message.content.strip()}")
        tokens.append(step)
    tokens += tok.encode(" Source: assistant\nDestination: user\n\n ")
    return ChatPrompt(tokens, tok.eog_ids() | {step})


def from_template(tok: Tokenizer, messages: Sequence[ChatMessage], template: str) -> ChatPrompt:
    """Render the model's own Jinja2 chat template, tokenizing message text as plain text.

    Each message is rendered as a unique sentinel; the template's own text between sentinels is
    tokenized with control tokens enabled and the messages' text without, so user text can never
    become a control token.
    """
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    if not messages:
        raise PromptError("There is no message to answer.")
    bos = tok.token_text(tok.bos_id) if tok.bos_id >= 0 else ""
    eos = tok.token_text(tok.eos_id) if tok.eos_id >= 0 else ""
    formatter = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos, add_generation_prompt=True)
    tag = uuid.uuid4().hex
    sentinels = [f"@@{tag}:{i}@@" for i in range(len(messages))]
    rendered = formatter(messages=[{"role": m.role, "content": s} for m, s in zip(messages, sentinels)]).prompt
    parts = re.split(f"@@{tag}:(\\d+)@@", rendered)
    found = sorted(int(x) for x in parts[1::2])
    if found != list(range(len(messages))):
        # The template dropped or repeated a message: fall back to one plain render.
        log.warning("chat template did not render every message once; tokenizing it whole")
        prompt = formatter(messages=[{"role": m.role, "content": m.content} for m in messages]).prompt
        return ChatPrompt(_with_bos(tok, tok.encode(prompt, special=True)), tok.eog_ids())
    tokens: list[int] = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            tokens += tok.encode(part, special=True) if part else []
        else:
            tokens += tok.encode(messages[int(part)].content)
    return ChatPrompt(_with_bos(tok, tokens), tok.eog_ids())


def _with_bos(tok: Tokenizer, tokens: list[int]) -> list[int]:
    """Templates that write the BOS text themselves already produced it; add it only if not."""
    if tok.bos_id < 0 or (tokens and tokens[0] == tok.bos_id):
        return tokens
    return [tok.bos_id, *tokens] if tok.add_bos else tokens


def build_chat_prompt(fmt: str, tok: Tokenizer, messages: Sequence[ChatMessage]) -> ChatPrompt:
    """Dispatch on a manifest chat_format ("auto" picks the template when the model has one)."""
    if not any(m.role == "user" and m.content.strip() for m in messages[-1:]):
        raise PromptError("The message is empty: type a question first.")
    template = tok.chat_template()
    if fmt == "auto":
        fmt = "template" if template else "codellama-instruct"
    if fmt == "template":
        if not template:
            raise PromptError("This model has no chat template; choose a chat format for it in the manifest.")
        return from_template(tok, messages, template)
    if fmt == "codellama-instruct":
        return codellama_instruct(tok, messages)
    if fmt == "codellama-70b":
        return codellama_70b(tok, messages)
    raise PromptError(f"This model cannot chat (chat format {fmt!r}).")
