"""A source file's structure from tree-sitter: its definitions, the names it calls, its import block.

Definitions carry their full extent: the decorators, attributes, `export` or `template<...>` around
them and the comment block directly above, and, for classes and other containers, where their
header ends (so that a method cut out of a long class can be shown under the class's header line).
Grammars come inside the tree-sitter-language-pack wheel and load offline.

Parsing is bounded: files over MAX_PARSE_BYTES are not parsed, the parse stops after PARSE_TIMEOUT_S
(and nothing more is asked of a file after it), and the number of definitions and references kept per file is capped, so
a hostile file (deeply nested, one huge line, millions of calls) costs a bounded time. Nothing
from the file is executed. Whoever calls `parse_structure` gets None for a language it does not
know or a file it could not parse in time, and falls back to its own cut.
"""

from __future__ import annotations

import bisect
import logging
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app.core.repo.structure_queries import EXTENSIONS, LANGUAGES, LanguageSpec

log = logging.getLogger(__name__)

MAX_PARSE_BYTES = 2_000_000  # the index reads at most 1 MB per file; chunk_file may be handed more
PARSE_TIMEOUT_S = 2.0  # per parse; a 1 MB file parses in well under 0.1 s
MAX_DEFINITIONS = 5_000
MAX_REFERENCES = 50_000
MAX_IMPORTS = 5_000
MAX_QUERY_DEPTH = 256  # matches start this deep in the tree at most (real definitions: under 12)
MAX_LEADING = 64  # comment or attribute lines taken into a definition from above it
_READ_BYTES = 1024  # small: query predicates read node text through the same callback

CONTAINERS = frozenset({"class", "struct", "interface", "enum", "trait", "impl", "module"})
_FUNCTIONS = frozenset({"function", "method"})
_BODY_TYPES = frozenset({"block", "class_body", "declaration_list", "field_declaration_list", "body_statement",
                         "enum_body", "interface_body", "enumerator_list", "compound_statement", "object_type",
                         "enum_variant_list", "annotation_type_body", "record_body"})
_NAME_TYPES = frozenset({"identifier", "field_identifier", "type_identifier", "destructor_name", "operator_name",
                         "qualified_identifier", "namespace_identifier", "template_function", "operator_cast"})
_GENERIC_RE = re.compile(r"<[^<>]*>")
_NAME_RE = re.compile(r"~?[A-Za-z_$][\w$]*[?!=]?|operator\W+")


@dataclass(frozen=True)
class Definition:
    name: str
    kind: str  # function, method, class, struct, interface, enum, trait, impl, module, type, macro, property
    start: int  # 1-based first line, with its decorators, attributes and doc comment
    end: int  # 1-based last line
    header_end: int  # last line of the header (signature up to where the body opens)
    qualifier: str = ""  # the class an out-of-line C++ method belongs to (`void Foo::bar()`)


@dataclass(frozen=True)
class FileStructure:
    language: str
    definitions: tuple[Definition, ...]  # by start line (outer before inner)
    references: tuple[tuple[int, str], ...]  # (1-based line, name called or constructed), by line
    imports: tuple[int, int] | None  # the import/include/use block's lines
    has_errors: bool  # the parser recovered from syntax errors somewhere


class ParseTimeout(Exception):
    pass


def language_for(path: str) -> str | None:
    """The grammar for a file name, or None where structure is not known."""
    name = path.rsplit("/", 1)[-1].lower()
    dot = name.rfind(".")
    return EXTENSIONS.get(name[dot:]) if dot >= 0 else None


@lru_cache(maxsize=None)  # per process: parsers and compiled queries are built once per language
def _compiled(language: str) -> tuple[Any, Any, LanguageSpec]:
    import tree_sitter
    import tree_sitter_language_pack

    spec = LANGUAGES[language]
    lang = tree_sitter_language_pack.get_language(spec.grammar)  # type: ignore[arg-type]
    parser = tree_sitter.Parser(lang)
    # One query for all three: a single walk of the tree costs half of three.
    return parser, tree_sitter.Query(lang, "\n".join((spec.definitions, spec.references, spec.imports))), spec


def parse_structure(path: str, text: str, timeout_s: float = PARSE_TIMEOUT_S) -> FileStructure | None:
    """The structure of `text` (named `path`), or None: language unknown, file too large, or parse failed."""
    language = language_for(path)
    if language is None:
        return None
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > MAX_PARSE_BYTES:
        return None
    try:
        return _structure(language, data, timeout_s)
    except ParseTimeout:
        log.info("%s: parsing took over %.1f s; cut without its structure", path, timeout_s)
    except (ValueError, RuntimeError, MemoryError, RecursionError, OSError, ImportError) as exc:
        log.info("%s: not parsed (%s); cut without its structure", path, exc)
    return None


def _structure(language: str, data: bytes, timeout_s: float) -> FileStructure:
    import tree_sitter

    parser, query, spec = _compiled(language)
    deadline = time.monotonic() + timeout_s

    def over_time(*_: object) -> bool:
        return time.monotonic() > deadline

    def read(offset: int, _point: object) -> bytes:
        return data[offset:offset + _READ_BYTES]

    try:
        tree = parser.parse(read, progress_callback=over_time)
    except ValueError:  # the callback stopped it
        if time.monotonic() > deadline:
            raise ParseTimeout() from None
        raise
    finally:
        parser.reset()
    root = tree.root_node

    if time.monotonic() > deadline:
        raise ParseTimeout()
    # No progress callback on the query: the binding (0.26) crashes with one. Its cost grows with the
    # tree, which the parse's bound already limits.
    cursor = tree_sitter.QueryCursor(query).set_max_start_depth(MAX_QUERY_DEPTH)
    definition_matches = []
    import_nodes: list[Any] = []
    seen: set[tuple[int, str]] = set()
    for _, caps in cursor.matches(root):
        found = caps.get("reference")
        if found is not None:
            if len(seen) < MAX_REFERENCES:
                node = found[0]
                # Sliced from the bytes, not node.text: with a parse fed by a callback that calls back into Python.
                name = data[node.start_byte:node.end_byte].decode("utf-8", "replace")
                if not name.isidentifier():  # most are plain names
                    name = _clean(name.encode())
                if name:
                    seen.add((node.start_point[0] + 1, name))
            continue
        found = caps.get("import")
        if found is not None:
            if len(import_nodes) < MAX_IMPORTS:
                import_nodes.append(found[0])
            continue
        definition_matches.append((0, caps))
    scoped: set[tuple[int, int]] = set()  # byte ranges of definitions other than modules/namespaces
    definitions = _definitions(definition_matches, spec, scoped, data)
    references = sorted(seen)
    imports = _import_block(import_nodes, definitions, scoped)
    return FileStructure(language, tuple(definitions), tuple(references), imports, root.has_error)


def _clean(raw: bytes | None) -> str:
    """`Foo::bar<T>` -> bar, `a.b.C` -> C, `Vec<T>` -> Vec: the name a question would use."""
    if not raw:
        return ""
    name = raw.decode("utf-8", "replace")
    for _ in range(4):  # nested generics, bounded
        stripped = _GENERIC_RE.sub("", name)
        if stripped == name:
            break
        name = stripped
    name = name.replace("::", ".").replace("\\", ".").rstrip(".").rsplit(".", 1)[-1].strip()
    match = _NAME_RE.match(name)
    return match.group(0) if match else ""


def _declarator_name(node: Any, data: bytes) -> tuple[str, str]:
    """(name, qualifier) of a C/C++ function definition, unwrapping pointer and reference declarators."""
    declarator = node.child_by_field_name("declarator")
    for _ in range(16):
        if declarator is None:
            return "", ""
        if declarator.type in _NAME_TYPES:
            text = _text(declarator, data).decode("utf-8", "replace")
            qualifier = ""
            if "::" in text:
                qualifier = _clean(text.rsplit("::", 1)[0].encode())
            return _clean(_text(declarator, data)), qualifier
        inner = declarator.child_by_field_name("declarator")
        if inner is None:
            inner = next((c for c in declarator.named_children if c.type != "attribute_declaration"), None)
        declarator = inner
    return "", ""


def _text(node: Any, data: bytes) -> bytes:
    return data[node.start_byte:node.end_byte]


def _definitions(matches: list, spec: LanguageSpec, scoped: set[tuple[int, int]], data: bytes) -> list[Definition]:
    found: dict[tuple[int, int], Definition] = {}
    for _, caps in matches:
        kind = node = None
        for capture, nodes in caps.items():
            if capture.startswith("definition."):
                kind, node = capture[len("definition."):], nodes[0]
                break
        if node is None or kind is None:
            continue
        qualifier = ""
        if "name" in caps:
            name = _clean(_text(caps["name"][0], data))
        elif node.type == "function_definition":  # C and C++: the name sits inside declarators
            name, qualifier = _declarator_name(node, data)
        elif node.type == "operator_declaration":
            name = "operator"
        else:
            name = _clean(node.type.encode())
        if not name:
            continue
        start, end = _extent(node, spec)
        key = (node.start_byte, node.end_byte)
        if key in found:
            continue
        found[key] = Definition(name, kind, start, end, _header_end(node, start, end), qualifier)
        if kind != "module":
            scoped.add(key)
        if len(found) >= MAX_DEFINITIONS:
            break
    ordered = sorted(found.values(), key=lambda d: (d.start, -d.end))
    # A function directly inside a class-like definition is a method.
    result: list[Definition] = []
    stack: list[Definition] = []
    for d in ordered:
        while stack and stack[-1].end < d.start:
            stack.pop()
        parent = stack[-1] if stack and stack[-1].end >= d.end else None
        if d.kind == "function" and parent is not None and parent.kind in CONTAINERS - {"module"}:
            d = Definition(d.name, "method", d.start, d.end, d.header_end, d.qualifier)
        result.append(d)
        stack.append(d)
    return result


def _extent(node: Any, spec: LanguageSpec) -> tuple[int, int]:
    """1-based lines of a definition with what belongs to it around it and directly above it."""
    outer = node
    for _ in range(4):
        parent = outer.parent
        if parent is None or parent.type not in spec.wrappers:
            break
        outer = parent
    first = outer.start_point.row
    above = outer.prev_sibling
    for _ in range(MAX_LEADING):
        if above is None or above.type not in spec.leading or above.end_point.row < first - 1:
            break
        before = above.prev_sibling
        if before is not None and before.end_point.row >= above.start_point.row:
            break  # a comment at the end of a statement's line belongs to that statement
        first = above.start_point.row
        above = before
    last = outer.end_point.row
    if outer.end_point.column == 0 and last > outer.start_point.row:
        last -= 1  # ends with its newline
    return first + 1, last + 1


def _header_end(node: Any, start: int, end: int) -> int:
    """The last line of a definition's header: its signature up to where the body opens."""
    body = node.child_by_field_name("body")
    if body is None:
        body = next((c for c in node.named_children if c.type in _BODY_TYPES), None)
    if body is None:
        return node.start_point.row + 1
    before = body.prev_sibling
    for _ in range(MAX_LEADING):  # a comment between the signature and the body is not the signature
        if before is None or "comment" not in before.type:
            break
        before = before.prev_sibling
    row = before.end_point.row if before is not None else body.start_point.row
    return max(start, min(end, row + 1))


def _import_block(nodes: list[Any], definitions: list[Definition],
                  scoped: set[tuple[int, int]]) -> tuple[int, int] | None:
    """The lines of the file's first run of imports that are not inside a function or class."""
    spans = []
    for node in nodes:
        inside = False
        parent = node.parent
        for _ in range(MAX_QUERY_DEPTH):
            if parent is None:
                break
            if (parent.start_byte, parent.end_byte) in scoped:
                inside = True
                break
            parent = parent.parent
        if inside:
            continue
        first, last = node.start_point.row + 1, node.end_point.row + 1
        if node.end_point.column == 0 and last > first:
            last -= 1
        spans.append((first, last))
    if not spans:
        return None
    spans.sort()
    starts = sorted(d.start for d in definitions if d.kind != "module")
    block_start, block_end = spans[0]
    for first, last in spans[1:]:
        between = bisect.bisect_right(starts, block_end)
        if between < len(starts) and starts[between] < first:
            break  # a definition lies between: a later import is not part of the block
        block_end = max(block_end, last)
    return block_start, block_end
