"""Code from the rest of the repository for an infill: where the names around the cursor are defined.

A completion that calls `load_config(...)` is better when the model sees load_config's
definition. The names used near the cursor (the last lines before it, the first after it) are
looked up in the repository index's symbol table; the defining chunks from other files come
first, nearest-used names first, within a character budget.
"""

from __future__ import annotations

import keyword
import re

from app.core.infill.prompt import Snippet
from app.core.repo.index import RepoIndex

_IDENT_RE = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]{2,}\b")
_COMMON = set(keyword.kwlist) | {"self", "cls", "None", "True", "False", "this", "function", "return", "const",
                                 "let", "var", "int", "str", "void", "char", "bool", "string", "public",
                                 "private", "static", "import", "from", "print", "len", "range", "new"}
PREFIX_LINES = 60
SUFFIX_LINES = 15
MAX_SNIPPETS = 8


def names_near_cursor(prefix: str, suffix: str) -> list[str]:
    """Identifiers used around the cursor, nearest first, each once."""
    before = prefix.split("\n")[-PREFIX_LINES:]
    after = suffix.split("\n")[:SUFFIX_LINES]
    ordered: list[str] = []
    for line in reversed(before):
        ordered += reversed(_IDENT_RE.findall(line))
    for line in after:
        ordered += _IDENT_RE.findall(line)
    seen: set[str] = set()
    names = []
    for name in ordered:
        if name not in seen and name not in _COMMON:
            seen.add(name)
            names.append(name)
    return names


def snippets_for(index: RepoIndex, prefix: str, suffix: str, path: str, max_chars: int = 6000) -> list[Snippet]:
    """Chunks of other files that define names used near the cursor (repository thread only)."""
    snippets: list[Snippet] = []
    used = 0
    seen_chunks: set[int] = set()
    for name in names_near_cursor(prefix, suffix)[:80]:
        rows = index.db.execute(
            "SELECT c.id, c.path, c.text FROM symbols s JOIN chunks c ON c.id = s.chunk_id "
            "WHERE s.name = ? AND s.path != ? LIMIT 3", (name, path)).fetchall()
        for chunk_id, chunk_path, text in rows:
            if chunk_id in seen_chunks or used + len(text) > max_chars:
                continue
            seen_chunks.add(chunk_id)
            snippets.append(Snippet(chunk_path, text))
            used += len(text)
        if len(snippets) >= MAX_SNIPPETS:
            break
    return snippets
