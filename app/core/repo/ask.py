"""The prompt for a question about a repository: packed code first, the question last.

The code comes first in the user turn so that follow-up questions over the same packed context
share a long, stable token prefix with the previous prompt (llama.cpp then reuses its KV cache).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import AbstractSet, Callable, Iterable, Protocol

from app.core.errors import UserError
from app.core.i18n import translate
from app.core.prompts.chat import ChatMessage

SYSTEM = ("You answer questions about a code repository using only the code given. Cite the code you rely on "
          "as path:start-end, exactly as in the headers. If the code given does not answer the question, say so.")


def context_budget(n_ctx: int, prompt_overhead: int, answer_tokens: int, requested: int = 0,
                   followups: bool = False) -> int:
    """Tokens of code that fit: the model's window less the prompt's own text, the answer and, for a
    conversation, room for a few follow-up exchanges. A requested budget is honoured up to that."""
    reserve = max(512, n_ctx // 8) if followups else 16
    limit = n_ctx - prompt_overhead - answer_tokens - reserve
    room = min(requested, limit) if requested else limit
    if room < 64:
        raise UserError(translate(
            "core", "The model's context ({n_ctx:,} tokens) leaves no room for code; raise the context limit or lower the "
            "answer length.").format(n_ctx=n_ctx))
    return room


# What a chat template adds around the system and user messages (role markers, separators) and the
# "Code from the repository" heading: counted once here, so that any tokenizer (a loaded model's or
# a vocabulary-only one) budgets a question the same way.
TEMPLATE_TOKENS = 64
# A follow-up needs its own question's room beyond the answer before it can reuse a packed context.
FOLLOWUP_TOKENS = 256
# The system message, the packed code with the first question, and the first answer: a follow-up's
# prompt never drops these to make room (older follow-ups go first), so the cached prefix stays.
KEEP_LEADING = 3


def question_budget(n_ctx: int, count_tokens: Callable[[str], int], question: str, answer_tokens: int,
                    requested: int = 0, conversation: bool = False) -> int:
    """Tokens of code for `question`: the one budgeting rule of every front end.

    The prompt's own text is counted with `count_tokens` (the model's tokenizer) plus
    TEMPLATE_TOKENS; a conversation (`conversation`) also keeps room for follow-ups.
    """
    overhead = sum(count_tokens(m.content) for m in build_repo_messages("", question)) + TEMPLATE_TOKENS
    return context_budget(n_ctx, overhead, answer_tokens, requested, followups=conversation)


def build_repo_messages(context: str, question: str) -> list[ChatMessage]:
    user = (f"Code from the repository:\n\n{context}\n\nQuestion: {question.strip()}" if context
            else f"Question: {question.strip()}")
    return [ChatMessage("system", SYSTEM), ChatMessage("user", user)]


_CITATION_RE = re.compile(r"(?<![\w/.\[(])([\w./-]+\.[A-Za-z0-9]+):(\d+)(?:-(\d+))?")


def linkify_citations(text: str, known_paths: AbstractSet[str]) -> str:
    """Markdown links (cite:path:start-end) for citations of files the index knows."""
    def replace(match: re.Match) -> str:
        path, start, end = match.group(1), match.group(2), match.group(3) or match.group(2)
        if path not in known_paths:
            return match.group(0)
        return f"[{match.group(0)}](cite:{path}:{start}-{end})"

    return _CITATION_RE.sub(replace, text)


def parse_citation_link(link: str) -> tuple[str, int, int] | None:
    if not link.startswith("cite:"):
        return None
    path, _, lines = link[5:].rpartition(":")
    start, _, end = lines.partition("-")
    try:
        return path, int(start), int(end or start)
    except ValueError:
        return None


class _Located(Protocol):
    path: str
    start_line: int
    end_line: int


@dataclass(frozen=True)
class Source:
    """One file the answer was given, with the line ranges of it that were in the prompt."""

    path: str
    ranges: tuple[tuple[int, int], ...]  # sorted, overlapping or touching ranges merged

    def link(self, start: int, end: int) -> str:
        return f"cite:{self.path}:{start}-{end}"


def sources_of(chunks: Iterable[_Located]) -> list[Source]:
    """The packed code by file, in the order the files ranked, each file's ranges in line order.

    Shown under every answer, so the user sees what the model read even when it cites nothing.
    """
    by_path: dict[str, list[tuple[int, int]]] = {}
    for chunk in chunks:
        by_path.setdefault(chunk.path, []).append((chunk.start_line, chunk.end_line))
    sources = []
    for path, ranges in by_path.items():
        merged: list[tuple[int, int]] = []
        for start, end in sorted(ranges):
            if merged and start <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        sources.append(Source(path, tuple(merged)))
    return sources
