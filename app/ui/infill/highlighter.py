"""Incremental pygments highlighting for an editable QTextDocument.

QSyntaxHighlighter calls highlightBlock for one line at a time and moves on to the next line only
while the state stored at the end of a line changes. Here that state is the pygments lexer's state
stack, so a line is lexed starting from the stack the previous line ended with: typing inside a
function re-lexes one line, opening a triple-quoted string re-lexes the lines after it until the
stacks agree again.

Many lexers match a whole block comment (C's /* */, HTML's <!-- -->) with one regular expression
rather than with states. So each line is lexed with some of the following text appended
(`lookahead`); a token that runs past the end of the line is carried into the next line's state
as its opening text, and the next line is lexed as that opening text plus its own. Because a line
can now depend on the lines below it, an edit also re-checks, shortly after typing stops, the
lines above it whose lookahead reaches the edit (typing "*/" under an open "/*").

Limits: a construct is recognised only if it closes within LOOKAHEAD characters of where it opens;
a carried construct is re-lexed from its opening line, so state inside it (JavaScript inside an
HTML <script>, for instance) does not run from line to line; lexers that are neither RegexLexers
nor plain ExtendedRegexLexers (YAML, templates that delegate) are lexed one line at a time.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from types import FrameType

from pygments.lexer import ExtendedRegexLexer, Lexer, LexerContext, RegexLexer
from pygments.lexers import TextLexer, get_lexer_for_filename
from pygments.styles import get_style_by_name
from pygments.token import _TokenType
from pygments.util import ClassNotFound
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextBlock, QTextCharFormat, QTextDocument

from app.ui.highlight import is_dark, lexer_for

Stack = tuple[str, ...]
Token = tuple[int, _TokenType, str]
# The state at the end of a line: the lexer's stack, and the opening text of a token that runs on
# into the next line (None when the line ends between tokens).
LineState = tuple[Stack, "str | None"]
# The lexer's stack at the token last taken (before that token's own state change), and where the
# regex match that produced the token began.
Probe = Callable[[], tuple[Stack, "int | None"]]

_START: LineState = (("root",), None)
LOOKAHEAD = 4000  # characters after a line that its tokens may reach into (about 100 lines of code)
_RECHECK_MS = 200  # pause after the last edit before the lines above it are re-checked
_RECHECK_SLICE_S = 0.004  # re-checking (~10-20 ms per edit) yields to the event loop after each slice


class PygmentsHighlighter(QSyntaxHighlighter):
    """Highlights a document with a pygments lexer and style, one line at a time.

    `active` is False while the document is too large to highlight: QSyntaxHighlighter would
    re-highlight all of it synchronously on every load, freezing the GUI for seconds. The
    highlighter then lets go of the document inside Qt (so typing costs nothing) and only watches
    its size; `activeChanged` is emitted from the event loop when that flips.
    """

    activeChanged = Signal(bool)

    # Highlighting a whole document costs about 0.1 ms a line (pygments itself, mostly), so these
    # keep the freeze of a load to about 2 s. An instance may set its own.
    max_chars = 1_000_000
    max_lines = 20_000

    def __init__(self, document: QTextDocument | None = None, language: str = "", style: str | None = None) -> None:
        super().__init__(None)
        self._lexer: Lexer = TextLexer(stripnl=False)
        self._mode = "plain"
        self._style_name = ""
        self._formats: dict[_TokenType, QTextCharFormat | None] = {}
        self._state_ids: dict[LineState, int] = {}
        self._states: list[LineState] = []
        self._lookahead = _Lookahead()
        self._doc: QTextDocument | None = None
        self._active = True
        self._edits: list[int] = []  # positions edited since the last re-check
        self._floor = -1  # position above which the re-check has nothing left to do
        self._resume = -1  # position of the line the re-check goes on from (-1: a fresh start)
        # Work that must not run inside Qt's reformatting waits for the event loop on these timers.
        self._switch = self._timer(0, lambda: self.activeChanged.emit(self._active))
        self._recheck = self._timer(_RECHECK_MS, self._recheck_above_edit)
        self.set_style(style or ("monokai" if is_dark() else "friendly"))
        self.set_language(language)
        self.setDocument(document)
        if document is not None:
            self.setParent(document)  # deleted with its document, like QSyntaxHighlighter(document)

    def _timer(self, msec: int, slot: Callable[[], None]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(msec)
        timer.timeout.connect(slot)
        return timer

    # -- public API -------------------------------------------------------------------------

    @property
    def language(self) -> str:
        """The pygments name of the current lexer ("Text only" for plain text)."""
        return self._lexer.name

    @property
    def lexer(self) -> Lexer:
        return self._lexer

    @property
    def style(self) -> str:
        return self._style_name

    @property
    def active(self) -> bool:
        """False while the document is over the size limit and left unhighlighted."""
        return self._active

    def setDocument(self, document: QTextDocument | None) -> None:  # noqa: N802 (Qt's name)
        if self._doc is not None:
            self._doc.contentsChange.disconnect(self._on_contents_change)
        self._doc = document
        self._lookahead.clear()
        if document is not None:
            # Connected before QSyntaxHighlighter connects its own reformatting, so an edit is seen
            # (size guard, lookahead cache) before any line of it is re-highlighted.
            document.contentsChange.connect(self._on_contents_change)
        was_active, self._active = self._active, self._fits()
        super().setDocument(document if self._active else None)
        if self._active != was_active:
            self._switch.start()

    def set_language(self, name: str) -> None:
        """A pygments name or alias ("python", "C++"), or a file name ("main.rs"); unknown means plain text."""
        lexer = lexer_for(name)
        if isinstance(lexer, TextLexer) and "." in name:
            try:
                lexer = get_lexer_for_filename(name, stripnl=False)
            except ClassNotFound:
                pass
        self.set_lexer(lexer)

    def set_lexer(self, lexer: Lexer) -> None:
        self._lexer = lexer
        self._mode = _mode_for(lexer)
        # State ids belong to one lexer's states; the full rehighlight renumbers every line.
        self._state_ids.clear()
        self._states.clear()
        self._intern(_START)
        self.rehighlight()

    def set_style(self, style: str) -> None:
        self._style = get_style_by_name(style)
        self._style_name = style
        self._formats.clear()
        self.rehighlight()

    # -- QSyntaxHighlighter -----------------------------------------------------------------

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt's name)
        if self._mode == "plain":
            self.setCurrentBlockState(0)
            return
        tokens, end = self._lex_block(self.currentBlock(), text, self.previousBlockState())
        self.setCurrentBlockState(self._intern(end))
        self._apply(text, tokens)

    # -- switching on and off, edits --------------------------------------------------------

    def _fits(self) -> bool:
        doc = self._doc
        return doc is None or (doc.characterCount() <= self.max_chars and doc.blockCount() <= self.max_lines)

    def _on_contents_change(self, position: int, removed: int, added: int) -> None:
        self._lookahead.clear()
        if self._fits() != self._active:
            self._active = not self._active
            # Letting go clears every format at once and spares this edit's re-highlighting
            # (Qt's own handler has not run yet and no longer will); taking the document back
            # makes Qt re-highlight all of it from the event loop.
            super().setDocument(self._doc if self._active else None)
            self._switch.start()
            return
        if not self._active or self._mode in ("plain", "line"):
            return  # no lookahead: lines never depend on the lines below them
        # Earlier edits further down moved with this one; a typing burst is a handful of positions.
        self._edits = [at + added - removed if at > position else at for at in self._edits[-31:]]
        self._edits.append(position)
        self._floor = self._resume = -1  # positions moved: start over
        self._recheck.start(_RECHECK_MS)

    def _recheck_above_edit(self) -> None:
        """Re-highlight the lines above each edit whose lookahead reaches it, a slice at a time.

        Qt only re-highlights a line when its own state changes, which may not be the case for a
        line whose tokens depend on the edit (an opener gaining its closer, an embedded script
        losing its end tag). Lines whose formats come out the same cost no relayout.
        """
        doc = self.document()  # None while inactive
        if doc is None or self._mode in ("plain", "line"):
            self._edits.clear()
            return
        deadline = time.perf_counter() + _RECHECK_SLICE_S
        while self._edits:
            position = min(self._edits)
            edited = doc.findBlock(min(position, doc.characterCount() - 1))
            if self._resume >= 0:
                block = doc.findBlock(self._resume)
            else:
                block, reach = edited, 0
                while block.previous().isValid() and block.previous().position() >= self._floor and reach < LOOKAHEAD:
                    block = block.previous()
                    reach += block.length()
            while block.isValid() and block.blockNumber() < edited.blockNumber():
                if time.perf_counter() > deadline:
                    self._resume = block.position()
                    self._recheck.start(0)  # the rest after whatever input and painting is waiting
                    return
                self.rehighlightBlock(block)  # Qt carries on down while the end states differ
                block = block.next()
            self._edits = [at for at in self._edits if at != position]
            self._resume, self._floor = -1, edited.position()
        self._floor = -1

    # -- lexing -----------------------------------------------------------------------------

    def _intern(self, state: LineState) -> int:
        number = self._state_ids.get(state)
        if number is None:
            number = self._state_ids[state] = len(self._states)
            self._states.append(state)
        return number

    def _lex_block(self, block: QTextBlock, text: str, previous: int) -> tuple[list[Token], LineState]:
        start = self._states[previous] if 0 <= previous < len(self._states) else _START
        if self._mode == "line":
            start, before, lookahead = _START, "", ""
        else:
            # A carried construct is re-lexed from its opening text; the lines in between are left
            # out (so no line depends on another's text, only on its state) but for one empty line
            # standing in for them, which line-anchored closers (Ruby's "\n=end") need.
            carried = start[1]
            gap = carried is not None and not block.previous().text().endswith(carried)
            before = "\n" if gap else ""
            lookahead = self._lookahead.after(block)
        try:
            return self._lex(text, start, before, lookahead)
        except Exception:
            # A state left by an earlier lexer (KeyError) or a lexer bug: lex afresh, and if that
            # fails too leave the line plain rather than break typing.
            try:
                return self._lex(text, _START, "", lookahead)
            except Exception:
                return [], _START

    def _lex(self, text: str, start: LineState, before: str, lookahead: str) -> tuple[list[Token], LineState]:
        if self._mode == "line":
            tokens = self._lexer.get_tokens_unprocessed(text + "\n")
            return [(pos, ttype, value[: len(text) - pos]) for pos, ttype, value in tokens if pos < len(text)], _START
        stack, carried = start
        prefix = "" if carried is None else carried + "\n" + before
        full = prefix + text + "\n" + lookahead
        begin = len(prefix)  # where this line starts in `full`
        newline = begin + len(text)  # its "\n"; the next line starts after it
        tokens, probe, retag = self._run(full, stack, newline)
        line: list[Token] = []
        for pos, ttype, value in tokens:
            end = pos + len(value)
            clipped = max(pos, begin)  # a token from the carried prefix shows only its part here
            if clipped < min(end, newline):
                line.append((clipped - begin, retag.get(pos, ttype), full[clipped:min(end, newline)]))
            if pos > newline or end > newline + 1:
                # Past this line. If the match that produced this token began on this line (or was
                # carried into it), the line ends inside it: carry its opening text to the next.
                stack_now, match_start = probe()
                match_start = pos if match_start is None else match_start
                if match_start < begin:
                    return line, start  # the same construct goes on: same state, Qt can stop
                opening = full[match_start:newline] if match_start <= newline else ""
                # A match that only starts with this line's trailing whitespace (Python's docstring
                # rule begins with \s*) is better lexed afresh from the next line, where its real
                # opening is: carried, that opening would be lost with the lines left out.
                return line, (stack_now, opening if opening.strip() else None)
        return line, (probe()[0], None)

    def _run(self, text: str, stack: Stack, newline: int) -> tuple[Iterator[Token], Probe, dict]:
        """Tokens of `text` lexed from `stack`, a probe, and token types that a lexer subclass changes."""
        lexer = self._lexer
        if self._mode == "context":
            context = LexerContext(text, 0, list(stack))
            tokens, frame = _started(lexer.get_tokens_unprocessed(context=context))
            return tokens, lambda: (tuple(context.stack), _match_start(frame)), {}
        tokens, frame = _started(RegexLexer.get_tokens_unprocessed(lexer, text, stack))
        retag: dict[int, _TokenType] = {}
        if self._mode == "regex-override":
            # Subclasses that post-process tokens (C's type names) keep their colours; the states
            # come from the plain RegexLexer pass, which the override only relabels.
            for pos, ttype, _value in lexer.get_tokens_unprocessed(text, stack=stack):
                if pos > newline:
                    break
                retag[pos] = ttype
        return tokens, lambda: (tuple(frame.f_locals["statestack"]) if frame else stack, _match_start(frame)), retag

    # -- formats ----------------------------------------------------------------------------

    def _apply(self, text: str, tokens: list[Token]) -> None:
        offsets = _utf16_offsets(text)
        # Neighbouring tokens with the same format become one setFormat call.
        run_start, run_end, run_format = 0, 0, None
        for start, ttype, value in tokens:
            fmt = self._format(ttype)
            end = start + len(value)
            if fmt is run_format and start == run_end:
                run_end = end
                continue
            if run_format is not None:
                self._set(offsets, run_start, run_end, run_format)
            run_start, run_end, run_format = start, end, fmt
        if run_format is not None:
            self._set(offsets, run_start, run_end, run_format)

    def _set(self, offsets: list[int] | None, start: int, end: int, fmt: QTextCharFormat) -> None:
        if offsets is not None:
            start, end = offsets[start], offsets[end]
        self.setFormat(start, end - start, fmt)

    def _format(self, ttype: _TokenType) -> QTextCharFormat | None:
        try:
            return self._formats[ttype]
        except KeyError:
            pass
        # Lexers invent token types that styles do not list (YAML's Literal.Scalar.Plain): such a
        # type looks like its nearest listed parent.
        listed = ttype
        while not self._style.styles_token(listed) and listed.parent is not None:
            listed = listed.parent
        spec = self._style.style_for_token(listed)
        fmt: QTextCharFormat | None = None
        if spec["color"] or spec["bold"] or spec["italic"] or spec["underline"]:
            fmt = QTextCharFormat()
            if spec["color"]:
                fmt.setForeground(QColor(f"#{spec['color']}"))
            if spec["bold"]:
                fmt.setFontWeight(QFont.Weight.Bold)
            if spec["italic"]:
                fmt.setFontItalic(True)
            if spec["underline"]:
                fmt.setFontUnderline(True)
        self._formats[ttype] = fmt
        return fmt


class _Lookahead:
    """The text after a block, kept as a sliding window while Qt highlights consecutive blocks.

    Fetching ~100 following lines from Qt for every line would dominate a 5,000-line load; sliding
    the window fetches each line once per pass. Any edit clears it (the blocks may have moved).
    """

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self._last: QTextBlock | None = None
        self._lines: deque[str] = deque()
        self._chars = 0
        self._next = QTextBlock()

    def after(self, block: QTextBlock) -> str:
        if self._last is not None and self._last.next() == block and self._lines:
            self._chars -= len(self._lines.popleft()) + 1
        else:
            self._lines.clear()
            self._chars = 0
            self._next = block.next()
        self._last = block
        while self._chars < LOOKAHEAD and self._next.isValid():
            line = self._next.text()[:LOOKAHEAD]
            self._lines.append(line)
            self._chars += len(line) + 1
            self._next = self._next.next()
        return "\n".join(self._lines)


def _started(tokens: Generator[Token, None, None]) -> tuple[Iterator[Token], FrameType | None]:
    """A pygments lexer generator, and its frame for `Probe`s.

    pygments keeps the state stack and the current match in local variables of its generator and
    never returns them, so they are read from the generator's frame (readable while it is paused
    at a token, and still after it has finished).
    """
    first = next(tokens, None)
    frame = tokens.gi_frame
    if first is None:
        return iter(()), frame

    def all_tokens() -> Iterator[Token]:
        yield first
        yield from tokens

    return all_tokens(), frame


def _match_start(frame: FrameType | None) -> int | None:
    """Where the regex match that produced the current token began (None after a fallback token)."""
    match = frame.f_locals.get("m") if frame is not None else None
    return match.start() if match is not None else None


def _mode_for(lexer: Lexer) -> str:
    """How a lexer is run line by line: "plain" (no formats), "regex" (resumable from a state
    stack), "regex-override" (a RegexLexer subclass that relabels tokens and can start from a
    stack), "context" (ExtendedRegexLexer) or "line" (each line on its own)."""
    if isinstance(lexer, TextLexer):
        return "plain"
    method = type(lexer).get_tokens_unprocessed
    if isinstance(lexer, ExtendedRegexLexer):
        return "context" if method is ExtendedRegexLexer.get_tokens_unprocessed else "line"
    if isinstance(lexer, RegexLexer):
        if method is RegexLexer.get_tokens_unprocessed:
            return "regex"
        code = method.__code__
        # Overrides that cannot start from a stack (Lua's builtins, PHP's function names) only
        # relabel tokens too: the plain RegexLexer pass loses that, but keeps multi-line constructs.
        return "regex-override" if "stack" in code.co_varnames[: code.co_argcount] else "regex"
    return "line"


def _utf16_offsets(text: str) -> list[int] | None:
    """Qt positions count UTF-16 units, pygments counts code points; None when they agree."""
    if text.isascii() or all(ord(c) <= 0xFFFF for c in text):
        return None
    offsets = [0]
    for char in text:
        offsets.append(offsets[-1] + (2 if ord(char) > 0xFFFF else 1))
    return offsets
