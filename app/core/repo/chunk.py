"""Cut source files into chunks at function and class boundaries, with the names they define.

Python is cut with its own parser (ast). Other languages are cut at lines that look like a
definition in most C-like, scripting and functional languages, falling back to windows of lines.
Long definitions are split into windows so that no chunk crowds out the others in a prompt.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache

MAX_LINES = 80  # a chunk longer than this is split
WINDOW = 60  # lines per window where no structure is known

_DEF_RE = re.compile(
    r"^\s*(?:export\s+)?(?:default\s+)?(?:pub(?:\([^)]*\))?\s+)?(?:public\s+|private\s+|protected\s+|internal\s+)?"
    r"(?:static\s+|async\s+|final\s+|abstract\s+|inline\s+|virtual\s+|override\s+)*"
    r"(?:def|class|function|func|fn|interface|struct|enum|trait|impl|type|module|object|record|"
    r"procedure|sub|macro_rules!)\s+([A-Za-z_][\w$]*)")
_ASSIGN_FN_RE = re.compile(r"^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:async\s*)?(?:function|\()")
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")


@dataclass(frozen=True)
class Chunk:
    start: int  # 1-based, inclusive
    end: int  # 1-based, inclusive
    text: str
    symbols: tuple[str, ...]  # names defined in this chunk


_CAMEL_RE = re.compile(r"([a-z0-9])([A-Z])")


@lru_cache(maxsize=65536)  # a repository uses the same names over and over: indexing spent half its time here
def identifier_parts(name: str) -> tuple[str, ...]:
    parts = _CAMEL_RE.sub(r"\1 \2", name).replace("_", " ").split()
    return tuple(p.lower() for p in parts if p)


def split_identifier(name: str) -> list[str]:
    """snake_case and CamelCase parts, lowercased: RetryPolicy -> [retry, policy]."""
    return list(identifier_parts(name))


def identifiers(text: str) -> set[str]:
    return set(_IDENT_RE.findall(text))


def _windows(lines: list[str], start: int, end: int, symbols: tuple[str, ...]) -> list[Chunk]:
    chunks = []
    for s in range(start, end + 1, WINDOW):
        e = min(end, s + WINDOW - 1)
        chunks.append(Chunk(s, e, "\n".join(lines[s - 1 : e]), symbols if s == start else ()))
    return chunks


def _from_spans(lines: list[str], spans: list[tuple[int, int, tuple[str, ...]]]) -> list[Chunk]:
    """Chunks for definition spans, with the code between them as chunks of its own."""
    chunks: list[Chunk] = []
    cursor = 1
    for start, end, names in sorted(spans):
        if start < cursor:
            continue  # nested inside the previous span
        if start > cursor:
            gap = "\n".join(lines[cursor - 1 : start - 1])
            if gap.strip():
                chunks += _windows(lines, cursor, start - 1, ())
        if end - start + 1 > MAX_LINES:
            chunks += _windows(lines, start, end, names)
        else:
            chunks.append(Chunk(start, end, "\n".join(lines[start - 1 : end]), names))
        cursor = end + 1
    if cursor <= len(lines) and "\n".join(lines[cursor - 1 :]).strip():
        chunks += _windows(lines, cursor, len(lines), ())
    return chunks


def _python_spans(text: str) -> list[tuple[int, int, tuple[str, ...]]] | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return None
    spans = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            names = [node.name]
            if isinstance(node, ast.ClassDef):
                names += [n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
                if node.end_lineno - start + 1 > MAX_LINES:
                    # A big class: its methods become chunks of their own.
                    for member in node.body:
                        if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                            m_start = min([member.lineno] + [d.lineno for d in member.decorator_list])
                            spans.append((m_start, member.end_lineno, (member.name, node.name)))
                    continue
            spans.append((start, node.end_lineno, tuple(names)))
    return spans


def _generic_spans(lines: list[str]) -> list[tuple[int, int, tuple[str, ...]]]:
    """A span from each definition line to the line before the next one at the same indentation or less."""
    starts = []
    for number, line in enumerate(lines, start=1):
        match = _DEF_RE.match(line) or _ASSIGN_FN_RE.match(line)
        if match:
            starts.append((number, len(line) - len(line.lstrip()), match.group(1)))
    spans = []
    for i, (number, indent, name) in enumerate(starts):
        end = len(lines)
        for later, later_indent, _ in starts[i + 1 :]:
            if later_indent <= indent:
                end = later - 1
                break
        while end > number and not lines[end - 1].strip():
            end -= 1
        spans.append((number, end, (name,)))
    return spans


def chunk_file(path: str, text: str) -> list[Chunk]:
    lines = text.split("\n")
    if not text.strip():
        return []
    spans = _python_spans(text) if path.endswith((".py", ".pyi")) else None
    if spans is None:
        spans = _generic_spans(lines)
    return _from_spans(lines, spans) if spans else _windows(lines, 1, len(lines), ())
