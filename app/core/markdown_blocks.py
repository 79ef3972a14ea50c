"""Split a (possibly still streaming) Markdown answer into prose and fenced code blocks.

The chat view renders prose with Qt's Markdown support and gives each code block its own
highlighted view with a Copy button, so it needs the blocks, including an unclosed last one
while the answer is still arriving.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)[^`]*$")


@dataclass(frozen=True)
class Block:
    kind: str  # "prose" or "code"
    text: str
    language: str = ""
    closed: bool = True  # False for a code block whose closing fence has not arrived yet


def split_blocks(text: str) -> list[Block]:
    return _scan(text)[0]


def close_fences(text: str) -> str:
    """`text` with a code block left open at its end closed (an answer cut off mid-block).

    Exported as it is, an open fence would make everything after it (the rest of the
    conversation) part of that code block.
    """
    fence = _scan(text)[1]
    return f"{text.rstrip(chr(10))}\n{fence}" if fence else text


def _scan(text: str) -> tuple[list[Block], str]:
    """The blocks of `text`, and the fence of a code block still open at its end ("" if none)."""
    blocks: list[Block] = []
    prose: list[str] = []
    code: list[str] = []
    fence = ""
    language = ""
    for line in text.split("\n"):
        if not fence:
            match = _FENCE.match(line)
            if match:
                if prose and "".join(prose).strip():
                    blocks.append(Block("prose", "\n".join(prose).strip("\n")))
                prose = []
                fence, language, code = match.group(1), match.group(2).lower(), []
            else:
                prose.append(line)
        else:
            stripped = line.strip()
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence) and len(line) - len(line.lstrip()) <= 3:
                blocks.append(Block("code", "\n".join(code), language, closed=True))
                fence = ""
            else:
                code.append(line)
    if fence:
        blocks.append(Block("code", "\n".join(code), language, closed=False))
    elif prose and "".join(prose).strip():
        blocks.append(Block("prose", "\n".join(prose).strip("\n")))
    return blocks, fence


# Search matches are marked with control characters no message text contains (FTS5 puts them
# around each match; the list draws them as highlighting).
MARK_START, MARK_END = "\x02", "\x03"

_PLAIN_RULES = [
    (re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*$", re.M), ""),  # fence lines
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)?"), r"\1"),  # images: their alternative text
    (re.compile(r"\[([^\]]*)\]\([^)]*\)?"), r"\1"),  # links: their text
    (re.compile(r"^ {0,3}(#{1,6}|>+|[-*+]|\d+[.)])[ \t]+", re.M), ""),  # headings, quotes, list markers
    (re.compile(r"(\*\*|__|\*|`+|~~)"), ""),  # emphasis and inline code marks (single _ is a name's)
    (re.compile(r"\s+"), " "),
]


def plain_snippet(markdown: str) -> str:
    """A piece of Markdown (a search snippet, maybe cut mid-syntax) as one line of plain text."""
    for pattern, replacement in _PLAIN_RULES:
        markdown = pattern.sub(replacement, markdown)
    return markdown.strip()


def mark_words(text: str, words: list[str]) -> str:
    """`text` with each occurrence of a word that starts with one of `words` marked (case-insensitive)."""
    if not words:
        return text
    pattern = re.compile("|".join(rf"\b{re.escape(w)}\w*" for w in sorted(words, key=len, reverse=True)), re.I)
    return pattern.sub(lambda m: f"{MARK_START}{m.group(0)}{MARK_END}", text)
