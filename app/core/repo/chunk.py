"""Cut source files into chunks at function and class boundaries, with the names they define.

Languages tree-sitter knows (structure.py: Python, C, C++, Java, C#, JavaScript, TypeScript/TSX,
PHP, Bash, Go, Rust, Ruby) are cut at their definitions, each with its decorators, attributes and
doc comment; a class too long for one chunk is cut into its members, each of which carries the
class's header lines (`Chunk.header`). Chunks also name what they call (`refs`), and the file's
import block is reported. Python that tree-sitter cannot read is cut with ast; other files, or
those whose parse failed or ran out of time, at lines that look like a definition in most
C-like, scripting and functional languages, falling back to windows of lines.
Long definitions are split into windows so that no chunk crowds out the others in a prompt.
"""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache

from app.core.repo.structure import CONTAINERS, Definition, FileStructure, parse_structure

MAX_LINES = 80  # a chunk longer than this is split
WINDOW = 60  # lines per window where no structure is known
MAX_REFS = 200  # names called, kept per chunk
MAX_SYMBOLS = 64  # names defined, kept per chunk
MAX_NESTING = 6  # containers inside containers cut into their members; deeper ones are cut as windows

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
    kind: str = ""  # function, method, class, ... for a definition; "imports" for the import block; "" else
    header: tuple[int, int] | None = None  # lines of the enclosing class's header, for a member cut out of it
    refs: tuple[str, ...] = ()  # names this chunk calls or constructs


@dataclass(frozen=True)
class ChunkedFile:
    chunks: list[Chunk]
    imports: tuple[int, int] | None = None  # lines of the import/include/use block
    parser: str = ""  # the tree-sitter grammar, "ast", or "" (definition-like lines and windows)


@dataclass
class _Span:
    start: int
    end: int
    names: tuple[str, ...]
    kind: str = ""
    header_end: int = 0
    children: list["_Span"] = field(default_factory=list)


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


def _windows(lines: list[str], start: int, end: int, symbols: tuple[str, ...], kind: str = "",
             header: tuple[int, int] | None = None) -> list[Chunk]:
    chunks = []
    for s in range(start, end + 1, WINDOW):
        e = min(end, s + WINDOW - 1)
        chunks.append(Chunk(s, e, "\n".join(lines[s - 1 : e]), symbols if s == start else (), kind, header))
    return chunks


def _gap(lines: list[str], start: int, end: int, imports: tuple[int, int] | None,
         symbols: tuple[str, ...] = (), kind: str = "", header: tuple[int, int] | None = None) -> list[Chunk]:
    """Code between definitions; the part holding the import block is marked as such."""
    if start > end or not any(lines[i].strip() for i in range(start - 1, end)):
        return []
    if imports is not None and not kind and imports[0] <= end and start <= imports[1]:
        kind = "imports"
    return _windows(lines, start, end, symbols, kind, header)


def _names_within(span: _Span) -> tuple[str, ...]:
    """A span's names, then its members' (a namespace's own name last: what it holds says more)."""
    inner: list[str] = []
    pending = list(reversed(span.children))
    while pending and len(inner) < MAX_SYMBOLS:
        child = pending.pop()
        inner += child.names[:1] if child.kind == "module" else child.names
        pending += reversed(child.children)
    if span.kind == "module" and inner:
        return (*inner, *span.names)
    return (*span.names, *inner)


def _emit(lines: list[str], span: _Span, imports: tuple[int, int] | None, header: tuple[int, int] | None,
          outer: tuple[str, ...], depth: int) -> list[Chunk]:
    if span.end - span.start + 1 <= MAX_LINES or not span.children or depth >= MAX_NESTING:
        names = tuple(dict.fromkeys(_names_within(span) + outer))[:MAX_SYMBOLS]
        if span.end - span.start + 1 > MAX_LINES:
            return _windows(lines, span.start, span.end, names, span.kind, header)
        return [Chunk(span.start, span.end, "\n".join(lines[span.start - 1 : span.end]), names, span.kind, header)]
    # Too long for one chunk: its header, then each member on its own under that header.
    own = (span.start, max(span.start, span.header_end))
    chunks: list[Chunk] = []
    cursor = span.start
    for child in span.children:
        if child.start < cursor:
            continue
        if cursor == span.start:
            chunks += _gap(lines, cursor, child.start - 1, imports, span.names + outer, span.kind, header)
        else:
            chunks += _gap(lines, cursor, child.start - 1, imports, header=own)
        chunks += _emit(lines, child, imports, own, span.names[:1], depth + 1)
        cursor = child.end + 1
    chunks += _gap(lines, cursor, span.end, imports, header=own)
    return chunks


def _from_spans(lines: list[str], spans: list[_Span], imports: tuple[int, int] | None = None) -> list[Chunk]:
    """Chunks for definition spans, with the code between them as chunks of its own."""
    chunks: list[Chunk] = []
    cursor = 1
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.start < cursor:
            continue  # nested inside the previous span
        chunks += _gap(lines, cursor, span.start - 1, imports)
        chunks += _emit(lines, span, imports, None, (), 0)
        cursor = span.end + 1
    chunks += _gap(lines, cursor, len(lines), imports)
    return chunks


def _tree(definitions: tuple[Definition, ...], line_count: int) -> list[_Span]:
    """Definitions (outer before inner) as a tree of spans; only containers keep their members."""
    top: list[_Span] = []
    stack: list[_Span] = []
    for d in definitions:
        end = min(d.end, line_count)
        if d.start > end:
            continue
        while stack and stack[-1].end < d.start:
            stack.pop()
        names = (d.name, d.qualifier) if d.qualifier else (d.name,)
        span = _Span(d.start, end, names, d.kind, d.header_end)
        if stack:
            parent = stack[-1]
            if end > parent.end:
                continue  # overlaps its neighbour without nesting: not cut here
            if parent.kind in CONTAINERS and len(stack) < MAX_NESTING:
                parent.children.append(span)
            else:
                continue  # inside a function: part of that function's chunk
        else:
            top.append(span)
        stack.append(span)
    return top


def _python_spans(text: str) -> list[_Span] | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    spans = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            end = node.end_lineno or node.lineno
            if isinstance(node, ast.ClassDef):
                span = _Span(start, end, (node.name,), "class", node.body[0].lineno - 1 if node.body else start)
                for member in node.body:
                    if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                        m_start = min([member.lineno] + [d.lineno for d in member.decorator_list])
                        kind = "class" if isinstance(member, ast.ClassDef) else "method"
                        span.children.append(_Span(m_start, member.end_lineno or member.lineno, (member.name,), kind))
                span.header_end = max(start, span.header_end)
                spans.append(span)
            else:
                spans.append(_Span(start, end, (node.name,), "function"))
    return spans


def _generic_spans(lines: list[str]) -> list[_Span]:
    """A span from each definition line to the line before the next one at the same indentation or less."""
    last_text = [0] * (len(lines) + 1)  # last_text[n]: the last non-blank line at or before line n
    for number, line in enumerate(lines, start=1):
        last_text[number] = number if line.strip() else last_text[number - 1]
    spans: list[_Span] = []
    open_spans: list[tuple[int, _Span]] = []  # (indent, span) still open; linear however the lines nest

    def close(span: _Span, end: int) -> None:
        span.end = max(span.start, last_text[end])

    for number, line in enumerate(lines, start=1):
        match = _DEF_RE.match(line) or _ASSIGN_FN_RE.match(line)
        if not match:
            continue
        indent = len(line) - len(line.lstrip())
        while open_spans and open_spans[-1][0] >= indent:
            close(open_spans.pop()[1], number - 1)
        span = _Span(number, len(lines), (match.group(1),))
        spans.append(span)
        open_spans.append((indent, span))
    for _, span in open_spans:
        close(span, len(lines))
    return spans


def _with_refs(chunks: list[Chunk], structure: FileStructure) -> list[Chunk]:
    starts = [c.start for c in chunks]
    refs: list[dict[str, None]] = [{} for _ in chunks]
    for line, name in structure.references:
        i = bisect.bisect_right(starts, line) - 1
        if i >= 0 and line <= chunks[i].end and len(refs[i]) < MAX_REFS:
            refs[i][name] = None
    return [Chunk(c.start, c.end, c.text, c.symbols, c.kind, c.header, tuple(r)) if r else c
            for c, r in zip(chunks, refs)]


def chunk_source(path: str, text: str, structure: bool = True) -> ChunkedFile:
    """The chunks of a file, with its import block and which parser cut it (tree-sitter unless not `structure`)."""
    if not text.strip():
        return ChunkedFile([])
    lines = text.split("\n")
    parsed = parse_structure(path, text) if structure else None
    if parsed is not None and (parsed.definitions or not parsed.has_errors):
        spans = _tree(parsed.definitions, len(lines))
        chunks = _from_spans(lines, spans, parsed.imports) if spans else _gap(lines, 1, len(lines), parsed.imports)
        return ChunkedFile(_with_refs(chunks, parsed), parsed.imports, parsed.language)
    parser = ""
    spans_or_none = _python_spans(text) if path.endswith((".py", ".pyi")) else None
    if spans_or_none is not None:
        parser = "ast"
    spans = spans_or_none if spans_or_none is not None else _generic_spans(lines)
    return ChunkedFile(_from_spans(lines, spans) if spans else _windows(lines, 1, len(lines), ()), None, parser)


def chunk_file(path: str, text: str) -> list[Chunk]:
    return chunk_source(path, text).chunks
