"""Where the cursor of a fill sits in its file: the line around it, its indentation, its scopes.

An instruction fill's answer is matched against these: the chat model rewrites parts of the file
(the imports, the class the cursor is in, the function header) around the code it was asked for,
and the place says which of its lines are already there and how deep the new ones go.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_KEYWORDS = frozenset({"if", "elif", "else", "for", "while", "switch", "catch", "return", "with", "new", "await",
                       "throw", "case", "yield", "sizeof", "typeof", "do", "try", "except", "finally", "not", "and",
                       "or", "in", "lambda", "assert", "del", "raise", "print", "defined"})
_KEYWORD_DEF = re.compile(r"^\s*(?:export\s+)?(?:default\s+)?(?:pub\s+)?(?:async\s+)?(?:static\s+)?"
                          r"(?:def|class|function\*?|struct|union|enum|interface|impl|fn|trait)\s+(\w+)")
# A C-like function or method head: optional words (types, qualifiers), a name, its parameters, and
# nothing after them but an opening brace or the end of the line (a call ends with `;`).
_CALLABLE = re.compile(r"^\s*((?:[\w*&<>,\[\]:]+\s+)*)\**\s*(\w+)\s*\(([^;]*)\)\s*(?:const\s*)?"
                       r"(?:->\s*[^{;]+)?\s*(\{)?\s*$")
_IMPORT = re.compile(r"^\s*(?:import\s|from\s+\S+\s+import\s|#\s*include\b|using\s|use\s"
                     r"|(?:const|let|var)\s+[\w{}\s,]+=\s*require\()")


def tight(line: str) -> str:
    """A line without its whitespace: code restated must be the same code."""
    return re.sub(r"\s+", "", line)


def loose(line: str) -> str:
    """A line's words only: how a reworded restatement (`def main():` for `def main() -> None:`) is seen."""
    return re.sub(r"\W+", "", line).lower()


def is_import(line: str) -> bool:
    return bool(_IMPORT.match(line))


def definition_name(line: str) -> str:
    """The name a line defines (a function, method, class or struct head), '' for any other line."""
    found = _KEYWORD_DEF.match(line)
    if found:
        return found.group(1)
    found = _CALLABLE.match(line)
    if not found:
        return ""
    words, name, params, brace = found.group(1).split(), found.group(2), found.group(3), found.group(4)
    if name in _KEYWORDS or (words and words[0] in _KEYWORDS) or any(q in params for q in "\"'`"):
        return ""  # a statement, or a call with a literal (`it("works", function () {`): not a definition
    # `name(args) {` is a JavaScript method; `void name(args)` a C head with its brace below; a bare
    # `name(args)` is a call statement (Python's, or a macro's) and defines nothing.
    return name if brace or words else ""


def indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def columns(indent: str, tab: int) -> int:
    return sum(tab if ch == "\t" else 1 for ch in indent)


def indent_unit(lines: list[str], default: str = "    ") -> str:
    """The file's one level of indentation: a tab, or the smallest step of spaces between lines."""
    steps: set[int] = set()
    previous = 0
    for line in lines:
        if not line.strip():
            continue
        indent = indent_of(line)
        if indent.startswith("\t"):
            return "\t"
        width = len(indent)
        if width > previous:
            steps.add(width - previous)
        previous = width
    return " " * min(steps) if steps else default


def _opens_block(line: str) -> bool:
    body = line.split("#", 1)[0].split("//", 1)[0].rstrip()
    return body.endswith((":", "{", "(", "[")) and not body.lstrip().startswith(("#", "//", "*"))


@dataclass(frozen=True)
class Scope:
    """A line of the prefix the cursor is nested in (a header, or a statement that opens a block)."""

    line: str
    level: int  # in the file's indentation levels

    @property
    def name(self) -> str:
        return definition_name(self.line)


@dataclass
class Place:
    """The cursor's place: the text either side of it on its line and what encloses it."""

    before: str  # the cursor's line before the cursor
    after: str  # the cursor's line after the cursor
    unit: str  # the file's indentation step ("\t" or spaces)
    level: int  # indentation level the middle's first line belongs at
    scopes: list[Scope] = field(default_factory=list)  # innermost first
    prefix_lines: list[str] = field(default_factory=list)  # complete lines before the cursor's
    suffix_lines: list[str] = field(default_factory=list)  # complete lines after the cursor's

    @property
    def at_indent(self) -> bool:
        """Nothing but indentation before the cursor on its line (the middle starts a statement)."""
        return not self.before.strip()

    @property
    def tab(self) -> int:
        return 4 if self.unit == "\t" else len(self.unit)

    def level_of(self, indent: str) -> int:
        return columns(indent, self.tab) // max(1, columns(self.unit, self.tab))

    def indent(self, level: int) -> str:
        return self.unit * max(0, level)


def locate(prefix: str, suffix: str) -> Place:
    """The place of a cursor between `prefix` and `suffix`."""
    head = prefix.split("\n")
    tail = suffix.split("\n")
    before, after = head[-1], tail[0]
    prefix_lines, suffix_lines = head[:-1], tail[1:]
    # Indentation typed before the cursor counts even on an otherwise empty line.
    cursor_line = before + after if (before + after).strip() else before + "x" * bool(before)
    unit = indent_unit(prefix_lines + [cursor_line] + suffix_lines)
    place = Place(before, after, unit, 0, prefix_lines=prefix_lines, suffix_lines=suffix_lines)
    place.level = _cursor_level(place)
    place.scopes = _scopes(place)
    return place


def _cursor_level(place: Place) -> int:
    if place.before:  # code, or indentation the user typed, before the cursor
        return place.level_of(indent_of(place.before))
    # At column 0: the middle goes where the code around it is, one deeper after a block's head.
    if place.after.strip():
        return place.level_of(indent_of(place.after))
    last = next((line for line in reversed(place.prefix_lines) if line.strip()), "")
    return place.level_of(indent_of(last)) + (1 if _opens_block(last) else 0)


def _scopes(place: Place) -> list[Scope]:
    scopes: list[Scope] = []
    level = place.level
    lines = place.prefix_lines
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if not line.strip() or level == 0:
            continue
        line_level = place.level_of(indent_of(line))
        if line_level >= level or line.lstrip().startswith(("#", "//", "/*", "*", ")", "]")):
            continue
        if line.strip().startswith("{"):  # a brace on its own line: the head is the line above it
            above = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
            line = above or line
        scopes.append(Scope(line, line_level))
        level = line_level
    return scopes
