"""An instruction fill's answer made into a clean middle: only the new code, at the cursor's depth.

Asked for the code at a marker, small chat models rewrite the file around it: the imports again,
the class the cursor is in, the function's header and docstring, then the middle, then the code
that follows; all at the indentation of their own rewrite. Inserted as it is, that duplicates the
file. The answer is read as such a rewrite: the fenced code is taken, the cursor's enclosing
headers (the class, then the method) are looked up in it and only the innermost one's body kept,
lines the file already has are dropped (restated imports, copies of its other definitions, the
lines between the header and the cursor), the answer ends where it reaches code that follows the
cursor, and what is left is re-indented from the answer's depth to the file's.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.infill.instruct import MARK, FenceFilter
from app.core.infill.place import Place, columns, definition_name, indent_of, indent_unit, is_import, locate, loose, tight

_COMMENTISH = ("#", "//", "/*", "*", "--", '"""', "'''", "<!--", ";")
_SUFFIX_WORDS = 6  # characters of words a line needs to be recognised as the suffix's (`}` is too common)


@dataclass(frozen=True)
class Tidied:
    text: str  # the middle, ready to insert at the cursor
    complete: bool  # the answer went past the middle (its block closed, or it reached the suffix)


@dataclass
class _Line:
    level: int  # indentation levels in the answer's own unit
    extra: str  # indentation beyond whole levels, kept as it is
    code: str  # the line without its indentation ('' for a blank line)


def _code_lines(answer: str) -> tuple[list[str], bool]:
    """The answer's code (a fence's content, the marker taken out), and whether its fence closed."""
    fences = FenceFilter()
    text = fences.feed(answer.replace("\r\n", "\n").replace("\r", "\n"))
    text += fences.finish()
    closed = fences.done
    lines = [line.replace(MARK, "") if MARK in line else line for line in text.split("\n")]
    return lines, closed


def _parse(lines: list[str]) -> list[_Line]:
    unit = indent_unit(lines)
    tab = 4 if unit == "\t" else len(unit)
    width = columns(unit, tab)
    parsed = []
    for line in lines:
        indent = indent_of(line)
        cols = columns(indent, tab)
        code = line.strip()
        parsed.append(_Line(cols // width, " " * (cols % width), code) if code else _Line(0, "", ""))
    return parsed


def _matches_header(line: _Line, header: str) -> bool:
    if not line.code:
        return False
    same = tight(line.code).rstrip("{") == tight(header).rstrip("{")
    name = definition_name(header)
    return same or bool(name) and definition_name(line.code) == name


def _body(lines: list[_Line], start: int) -> tuple[list[_Line], bool]:
    """The lines nested under the header at `start`, and whether the answer went on past them."""
    level = lines[start].level
    i = start + 1
    while i < len(lines) and not lines[i].code:
        i += 1
    if i < len(lines) and lines[i].code.startswith("{") and lines[i].level == level:
        i += 1  # a brace on its own line below the head
    body: list[_Line] = []
    for line in lines[i:]:
        if line.code and line.level <= level:
            return body, True
        body.append(line)
    return body, False


@dataclass
class _Descent:
    lines: list[_Line]
    shift: int | None = None  # file level minus answer level, from the innermost header matched
    closed: bool = False  # a matched header's block ended inside the answer
    innermost: bool = False  # the cursor's own enclosing header was found
    between: tuple[str, ...] = ()  # prefix lines from that header to the cursor: a restatement of them is dropped


def _descend(lines: list[_Line], place: Place) -> _Descent:
    """Narrow the answer to the body of each enclosing header it restates, outermost first."""
    found = _Descent(lines)
    for depth, scope in reversed(list(enumerate(place.scopes))):
        at = next((i for i, line in enumerate(found.lines) if _matches_header(line, scope.line)), None)
        if at is None:
            continue
        header = found.lines[at]
        found.lines, closed = _body(found.lines, at)
        found.closed = found.closed or closed
        found.shift = scope.level - header.level
        found.innermost = depth == 0
    if found.innermost:
        start = max(i for i, line in enumerate(place.prefix_lines) if line == place.scopes[0].line)
        found.between = tuple(place.prefix_lines[start + 1:]) + (place.before,)
    return found


class _Known:
    """What the file already has, to recognise in the answer."""

    def __init__(self, place: Place) -> None:
        prefix, suffix = place.prefix_lines + [place.before], [place.after] + place.suffix_lines
        self.code = {tight(line) for line in prefix} - {""}
        self.words = {loose(line) for line in prefix if line.strip().startswith(_COMMENTISH)} - {""}
        self.imports = {tight(line) for line in prefix + suffix if is_import(line)}
        enclosing = {scope.name for scope in place.scopes}
        # Copies are looked for among the file's top-level definitions and those of the cursor's own
        # outermost scope: a method of another class with the same name (Point.__repr__ beside
        # Circle.__repr__) is not a copy.
        self.defined = {definition_name(line) for line in _siblings(place, prefix)} - {""} - enclosing
        self.following = {definition_name(line) for line in suffix} - {""} - enclosing
        heads = [loose(line) for line in suffix if line.strip()][:3]
        self.suffix_heads = [words for words in heads if len(words) >= _SUFFIX_WORDS]

    def restates(self, code: str, lines: set[str] | None = None) -> bool:
        if tight(code) in (self.code if lines is None else lines):
            return True
        return code.startswith(_COMMENTISH) and loose(code) in self.words

    def reaches_suffix(self, code: str) -> bool:
        words = loose(code)
        if definition_name(code) in self.following:
            return True
        # A reworded copy may drop the end of the line (`x = f(a)` for `x = f(a)  # why`), not most of it.
        return len(words) >= _SUFFIX_WORDS and any(head.startswith(words) and len(words) >= 0.8 * len(head)
                                                   for head in self.suffix_heads)


def _siblings(place: Place, prefix: list[str]) -> list[str]:
    """The prefix lines whose definitions a copy in the answer would repeat: the file's top-level ones,
    and every one inside the cursor's outermost scope (after its header)."""
    top = [line for line in prefix if line[:1] not in (" ", "\t")]
    if not place.scopes:
        return top
    header = place.scopes[-1].line
    start = max((n for n, line in enumerate(prefix) if line == header), default=len(prefix))
    return top + prefix[start + 1:]


def _select(found: _Descent, known: _Known) -> tuple[list[_Line], bool]:
    """The new lines of the narrowed answer, and whether it ran on into the code after the cursor.

    Leaving the block ends the middle but does not say the answer is complete: a partial answer may
    not have reached the cursor's own header yet (streaming stops only on the surer signs)."""
    between = {tight(line) for line in found.between} - {""} if found.innermost else None
    kept: list[_Line] = []
    # Outside a restated header's body, a line shallower than the first one has left the cursor's
    # block: it is the block's closing brace, or the code after it.
    floor: int | None = None
    skip_below: int | None = None  # inside a copy of a definition the file has: skipped to its end
    for line in found.lines:
        if skip_below is not None:
            if not line.code or line.level > skip_below or (line.level == skip_below and line.code[0] in "})]"):
                continue
            skip_below = None
        if not line.code:
            if kept:
                kept.append(line)
            continue
        if definition_name(line.code) in known.defined:
            skip_below = line.level  # a second copy of a definition the cursor's scope has before it
            continue
        if not kept and known.restates(line.code, between):
            continue  # the answer starts by restating code before the cursor
        if known.reaches_suffix(line.code):
            return kept, True
        if floor is not None and line.level < floor:
            return kept, False
        if is_import(line.code) and tight(line.code) in known.imports:
            continue
        kept.append(line)
        if floor is None and not found.innermost:
            floor = line.level
    return kept, False


def _render(kept: list[_Line], shift: int, place: Place, single_line: bool) -> tuple[str, bool]:
    """The kept lines in the file's indentation, the first one fitted to what precedes the cursor."""
    while kept and not kept[-1].code:
        kept.pop()
    if not kept:
        return "", False
    out: list[str] = []
    for n, line in enumerate(kept):
        if not line.code:
            out.append("")
            continue
        code = line.code
        indent = place.indent(line.level + shift) + line.extra
        if n == 0 and not place.at_indent:  # mid-line: the middle continues the cursor's line
            typed = place.before.strip()
            code = code[len(typed):].lstrip() if typed and code.startswith(typed) else code
            indent = ""
        elif n == 0 and place.before:  # the editor already has indentation before the cursor
            indent = indent[len(place.before):] if indent.startswith(place.before) else ""
        rest = place.after.strip()
        if n == 0 and rest and code.endswith(rest):
            head = code[: -len(rest)].rstrip()
            return (indent + head if head else ""), True  # the line was finished again: only what came before
        out.append(indent + code)
        if single_line:
            return out[0], True
    text = "\n".join(out)
    if place.after.strip() and place.at_indent:
        text += "\n" + place.before  # the code after the cursor keeps its own line and indentation
    return text, False


def tidy_middle(answer: str, prefix: str, suffix: str, *, single_line: bool = False) -> Tidied:
    """The middle in an instruction fill's `answer` for a cursor between `prefix` and `suffix`."""
    place = locate(prefix, suffix)
    raw, fence_closed = _code_lines(answer)
    found = _descend(_parse(raw), place)
    kept, reached = _select(found, _Known(place))
    shift = found.shift if found.innermost and found.shift is not None else None
    if shift is None:
        first = next((line for line in kept if line.code), None)
        shift = place.level - first.level if first is not None else 0
    text, cut = _render(kept, shift, place, single_line)
    return Tidied(text, fence_closed or found.closed or reached or cut)


class TidyFilter:
    """The instruction fill's answer, held until it is complete and then given as one clean middle.

    Cleaning needs the whole rewrite (a header's body is known only once it closes), so nothing is
    shown while the answer streams; generation stops as soon as the middle is complete.
    """

    def __init__(self, prefix: str, suffix: str, single_line: bool = False) -> None:
        self._prefix, self._suffix, self._single = prefix, suffix, single_line
        self._answer = ""
        self.done = False

    def feed(self, piece: str) -> str:
        if self.done or not piece:
            return ""
        self._answer += piece
        if "\n" in piece and tidy_middle(self._answer.rsplit("\n", 1)[0] + "\n", self._prefix, self._suffix,
                                         single_line=self._single).complete:
            self.done = True
        return ""

    def finish(self) -> str:
        answer = self._answer.rsplit("\n", 1)[0] + "\n" if self.done else self._answer
        self._answer = ""
        return tidy_middle(answer, self._prefix, self._suffix, single_line=self._single).text


def instruction_filters(prefix: str, suffix: str, single_line: bool = False) -> list[TidyFilter]:
    """The filters an instruction fill's answer streams through (the engine's one call for them)."""
    return [TidyFilter(prefix, suffix, single_line)]
