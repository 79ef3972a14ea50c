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
    return blocks
