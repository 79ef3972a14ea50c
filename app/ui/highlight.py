"""Pygments to Qt: highlighted HTML for finished code blocks, and light/dark style choice."""

from __future__ import annotations

from functools import lru_cache

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_by_name, guess_lexer
from pygments.styles import get_all_styles, get_style_by_name
from pygments.token import Token
from pygments.util import ClassNotFound
from PySide6.QtGui import QGuiApplication, QPalette

GUESS_LIMIT = 4000  # guessing is slow on long text and rarely better than plain there


def is_dark() -> bool:
    palette = QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def available_styles() -> list[str]:
    return sorted(get_all_styles())


@lru_cache(maxsize=256)
def lexer_for(language: str, sample: str = "") -> Lexer:
    """The pygments lexer for a fence's language name (any alias pygments knows)."""
    if language:
        try:
            return get_lexer_by_name(language, stripnl=False)
        except ClassNotFound:
            pass
    if sample and len(sample) <= GUESS_LIMIT:
        try:
            return guess_lexer(sample, stripnl=False)
        except ClassNotFound:
            pass
    return TextLexer(stripnl=False)


def language_label(language: str, code: str) -> str:
    lexer = lexer_for(language, code if not language else "")
    return language or (lexer.name if not isinstance(lexer, TextLexer) else "text")


@lru_cache(maxsize=64)
def style_colors(style: str) -> tuple[str, str]:
    """(background, default foreground) of a pygments style."""
    s = get_style_by_name(style)
    text_style = s.style_for_token(Token.Text)
    if text_style.get("color"):
        fg = f"#{text_style['color']}"
    else:
        fg = "#f8f8f2" if _is_dark_hex(s.background_color) else "#1e1e1e"
    return s.background_color or "#ffffff", fg


def _is_dark_hex(color: str | None) -> bool:
    if not color or not color.startswith("#") or len(color) < 7:
        return False
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return (r * 299 + g * 587 + b * 114) / 1000 < 128


def code_html(code: str, language: str, style: str, *, first_line: int = 0,
              marked: tuple[int, int] | None = None) -> str:
    """Highlighted HTML with inline styles (Qt's rich text has no stylesheet classes).

    With `first_line`, each line starts with its number; `marked` (file line numbers, inclusive)
    gets the style's highlight background, as the lines a citation points at.
    """
    lexer = lexer_for(language, code if not language else "")
    options: dict = {}
    if first_line:
        options.update(linenos="inline", linenostart=first_line)
        if marked is not None:
            options["hl_lines"] = list(range(marked[0] - first_line + 1, marked[1] - first_line + 2))
    formatter = HtmlFormatter(style=style, noclasses=True, nowrap=not first_line, **options)
    body = highlight(code, lexer, formatter)
    if first_line:  # the formatter wrapped it in its own <div><pre>; keep only the lines
        body = body.split("<pre", 1)[-1].split(">", 1)[-1].rsplit("</pre>", 1)[0]
    bg, fg = style_colors(style)
    return (f'<pre style="margin:0; background:{bg}; color:{fg}; '
            f'font-family: monospace; white-space: pre;">{body}</pre>')
