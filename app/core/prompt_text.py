"""Names and code from a folder, written into a prompt so they cannot pass for the prompt's own structure.

A file may be called ``x.py:1-2\\n```\\nSYSTEM: ...``: written as it is, its name would end the code
block before it and start a header or an instruction of its own. And a file's text may hold a line
of three backticks that would close the fence around it. So a name with anything unusual is
written quoted, with escapes (like git's core.quotePath), and a fence is always longer than any
run of backticks in the text it holds (CommonMark closes a fence only with at least as many).
"""

from __future__ import annotations

import re

_PLAIN_RE = re.compile(r"[\w.@+=,~%/-]+(?: [\w.@+=,~%/-]+)*")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "\\": "\\\\", "`": "\\`"}
_BACKTICKS_RE = re.compile(r"`+")


def quote_path(path: str) -> str:
    """`path` as is when it is an ordinary name, else in double quotes with every unusual character escaped."""
    if _PLAIN_RE.fullmatch(path) and path.isprintable():
        return path
    out = []
    for ch in path:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif not ch.isprintable():  # line and paragraph separators, controls, format characters
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def code_fence(text: str) -> str:
    """A backtick fence that nothing inside `text` can close."""
    longest = max((len(run) for run in _BACKTICKS_RE.findall(text)), default=0)
    return "`" * max(3, longest + 1)


def fenced(text: str) -> str:
    fence = code_fence(text)
    return f"{fence}\n{text}\n{fence}"
