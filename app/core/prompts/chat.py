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
from app.core.i18n import translate
from app.core.prompts import template_sandbox
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
                    translate(
                        "core", "The message contains {marker!r}, which Code Llama uses to mark turns; rephrase it (for "
                        "example write it with spaces) and send again.").format(marker=marker)
                )


def _neutralize(text: str) -> str:
    # A zero-width space inside the marker keeps it readable but stops it tokenizing as the marker.
    for marker in CODELLAMA_MARKERS:
        text = text.replace(marker, marker[0] + "\u200b" + marker[1:])
    return text


def _fold_system(messages: Sequence[ChatMessage]) -> list[ChatMessage]:
    if messages and messages[0].role == "system":
        if len(messages) < 2:
            raise PromptError(translate("core", "A system prompt needs a user message after it."))
        first = messages[1]
        folded = ChatMessage(first.role, B_SYS + messages[0].content + E_SYS + first.content)
        return [folded, *messages[2:]]
    return list(messages)


def _check_alternation(dialog: Sequence[ChatMessage]) -> None:
    if not dialog:
        raise PromptError(translate("core", "There is no message to answer."))
    for index, message in enumerate(dialog):
        expected = "user" if index % 2 == 0 else "assistant"
        if message.role != expected:
            raise PromptError(translate("core", "Messages must alternate user, assistant, user... and start with the user."))
    if dialog[-1].role != "user":
        raise PromptError(translate("core", "The last message must be the user's."))


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
    """Code Llama 70B Instruct, as Meta's dialog_prompt_tokens builds it.

    BOS; per message a header ` Source: {role}` and, when there is content, a separately
    encoded body `\n\n {content}`, then <step>; finally ` Source: assistant\nDestination: user`
    and `\n\n `, each encoded on its own (every encode adds SentencePiece's word-start space). A
    dialog without a system message gets an empty one, as in the reference.
    """
    step = tok.piece_id("<step>")
    if step is None:
        raise PromptError(translate("core", "This model has no <step> token, so it is not a Code Llama 70B Instruct model."))
    _check_markers(messages)
    dialog = list(messages)
    if not dialog or dialog[0].role != "system":
        dialog = [ChatMessage("system", ""), *dialog]
    _check_alternation(dialog[1:])
    tokens = [tok.bos_id]
    for message in dialog:
        tokens += tok.encode(f" Source: {message.role.strip()}")
        if message.content:
            tokens += tok.encode("\n\n " + message.content.strip())
        tokens.append(step)
    tokens += tok.encode(" Source: assistant\nDestination: user")
    tokens += tok.encode("\n\n ")
    return ChatPrompt(tokens, tok.eog_ids() | {step})


def _neutralize_controls(text: str, controls: frozenset[str]) -> str:
    for control in controls:
        if control in text:
            text = text.replace(control, control[0] + "\u200b" + control[1:])
    return text


def _split_controls(tok: Tokenizer, text: str) -> list[int | str]:
    """Template text as a list of control-token ids and plain-text runs."""
    items: list[int | str] = []
    position = 0
    for token in tok.encode(text, special=True):
        if not tok.is_control(token):
            continue
        piece = tok.token_text(token)
        found = text.find(piece, position)
        if found < 0:
            continue
        if found > position:
            items.append(text[position:found])
        items.append(token)
        position = found + len(piece)
    if position < len(text):
        items.append(text[position:])
    return items


def from_template(tok: Tokenizer, messages: Sequence[ChatMessage], template: str) -> ChatPrompt:
    """Render the model's own Jinja2 chat template; message text never becomes control tokens.

    Messages are rendered as unique sentinels. Control tokens are found in the template's own
    text only; the plain text between two control tokens (template text and message text
    together) is tokenized in one piece, as llama.cpp does when it parses special tokens, so the
    result equals llama.cpp's tokenization of the rendered prompt for ordinary text.
    """
    if not messages:
        raise PromptError(translate("core", "There is no message to answer."))
    bos = tok.token_text(tok.bos_id) if tok.bos_id >= 0 else ""
    eos = tok.token_text(tok.eos_id) if tok.eos_id >= 0 else ""

    def formatter(messages: list[dict[str, str]]) -> str:
        # Bounded: a hostile template ends in a ModelFileError instead of hanging or eating memory.
        return template_sandbox.render(template, messages=messages, bos_token=bos, eos_token=eos)

    tag = uuid.uuid4().hex
    sentinels = [f"@@{tag}:{i}@@" for i in range(len(messages))]
    rendered = formatter([{"role": m.role, "content": s} for m, s in zip(messages, sentinels)])
    parts = re.split(f"@@{tag}:(\\d+)@@", rendered)
    if sorted(int(x) for x in parts[1::2]) != list(range(len(messages))):
        # The template dropped or repeated a message: render the real text, with any control
        # token text in it broken up so it stays plain text.
        log.warning("chat template did not render every message once; rendering it whole")
        controls = tok.control_texts()
        plain = [{"role": m.role, "content": _neutralize_controls(m.content, controls)} for m in messages]
        parts = [formatter(plain)]
    items: list[int | str] = []
    for index, part in enumerate(parts):
        if index % 2 == 0:
            items += _split_controls(tok, part)
        else:
            items.append(messages[int(part)].content)
    tokens: list[int] = []
    text_run: list[str] = []
    for item in [*items, -1]:
        if isinstance(item, str):
            text_run.append(item)
            continue
        if text_run:
            tokens += tok.encode("".join(text_run))
            text_run = []
        if item != -1:
            tokens.append(item)
    return ChatPrompt(_with_bos(tok, tokens), tok.eog_ids())


_SAMPLE_CONVERSATIONS = (
    (ChatMessage("system", "You are a helpful assistant."), ChatMessage("user", "Hello"),
     ChatMessage("assistant", "Hi. How can I help?"), ChatMessage("user", "Write a function.")),
    (ChatMessage("user", "Hello"), ChatMessage("assistant", "Hi. How can I help?"),
     ChatMessage("user", "Write a function.")),
    (ChatMessage("user", "Hello"),),
)


def check_chat_template(tok: Tokenizer) -> None:
    """Render the model's template on sample conversations once, at load.

    A template that breaks a bound or has a syntax error raises ModelFileError now rather than at
    the first chat. One that only refuses some conversations (no system role, say) is fine as
    long as one sample renders; if none does, chat will say why, and the model can still be
    used for infill and completion.
    """
    template = tok.chat_template()
    if not template:
        return
    refusal: PromptError | None = None
    for sample in _SAMPLE_CONVERSATIONS:
        try:
            from_template(tok, sample, template)
            return
        except PromptError as exc:
            refusal = exc
    log.warning("the chat template renders none of the sample conversations: %s", refusal)


def check_template_source(metadata: dict[str, object]) -> None:
    """Before llama-cpp-python compiles the file's templates (it does, for every
    `tokenizer.chat_template*` key, when it loads a model): refuse syntax errors and constant
    expressions that would hang or exhaust memory while compiling."""
    for key, value in metadata.items():
        if isinstance(value, str) and (key == "tokenizer.chat_template" or key.startswith("tokenizer.chat_template.")):
            where = translate("core", "the model's chat template") if key == "tokenizer.chat_template" else \
                translate("core", "the chat template {key!r}").format(key=key)
            template_sandbox.check_compile(value, where)


def _with_bos(tok: Tokenizer, tokens: list[int]) -> list[int]:
    """Templates that write the BOS text themselves already produced it; add it only if not."""
    if tok.bos_id < 0 or (tokens and tokens[0] == tok.bos_id):
        return tokens
    return [tok.bos_id, *tokens] if tok.add_bos else tokens


def build_chat_prompt(fmt: str, tok: Tokenizer, messages: Sequence[ChatMessage]) -> ChatPrompt:
    """Dispatch on a manifest chat_format ("auto" picks the template when the model has one)."""
    if not any(m.role == "user" and m.content.strip() for m in messages[-1:]):
        raise PromptError(translate("core", "The message is empty: type a question first."))
    template = tok.chat_template()
    if fmt == "auto":
        fmt = "template" if template else "codellama-instruct"
    if fmt == "template":
        if not template:
            raise PromptError(translate(
                "core", "This model has no chat template; choose a chat format for it in the manifest."))
        return from_template(tok, messages, template)
    if fmt == "codellama-instruct":
        return codellama_instruct(tok, messages)
    if fmt == "codellama-70b":
        return codellama_70b(tok, messages)
    raise PromptError(translate("core", "This model cannot chat (chat format {fmt!r}).").format(fmt=fmt))
