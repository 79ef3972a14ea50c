"""Text for people, made in the core, that a front end can translate without the core importing Qt.

The core words its messages in English. Each one is marked with `translate(context, source)`, the
spelling Qt's `lupdate` looks for, so the sources land in the `.ts` files like the GUI's own strings.
`translate` returns the English source as a `Source`, and `Source.format(...)` returns a `Text`: an
ordinary `str` (the CLI prints it, logs and tests compare it) that also remembers its context, its
source and its arguments. The GUI hands such a value to `app.ui.i18n.resolve`, which looks the source
up in the loaded translation and formats the translated template with the same arguments.

    raise ModelFileError(translate("core", "{name} is not a GGUF model file.").format(name=path.name))

Arguments are formatted with `str.format` and named placeholders (translators may reorder them). An
argument that is itself a `Text` (a reason nested in a message) is translated as well. Anything that
turns a `Text` into a new plain string (concatenation, slicing, f-strings) keeps only the English,
which is why messages are built from one template rather than glued from pieces.
"""

from __future__ import annotations

from typing import Any


class Text(str):
    """English text that remembers how to be translated: `context`, `source`, `args`, `n` for plurals,
    and the `disambiguation` its translation was filed under (Qt looks an entry up by it too)."""

    context: str
    source: str
    args: dict[str, Any]
    n: int
    disambiguation: str | None

    def __new__(cls, english: str, context: str, source: str, args: dict[str, Any], n: int = -1,
                disambiguation: str | None = None) -> Text:
        text = super().__new__(cls, english)
        text.context, text.source, text.args, text.n = context, source, args, n
        text.disambiguation = disambiguation
        return text

    def __reduce__(self):  # survives pickling (exceptions cross process pools) with what it remembers
        return (Text, (str(self), self.context, self.source, self.args, self.n, self.disambiguation))


class Source(Text):
    """A marked source before its arguments are filled in; `format` fills them (in English and later in translation)."""

    def format(self, *args: Any, **kwargs: Any) -> Text:  # type: ignore[override]
        if args:
            raise TypeError("translatable messages take named placeholders only (translators may reorder them)")
        return Text(str.format(_english(self.source, self.n), **kwargs), self.context, self.source, kwargs, self.n,
                    self.disambiguation)


def translate(context: str, source: str, disambiguation: str | None = None, n: int = -1) -> Source:
    """Mark `source` for translation in `context` (the same call shape as QCoreApplication.translate).

    For a plural, write the count as `%n` and pass `n`: "%n file(s) skipped". English gets "1 file
    skipped" / "2 files skipped" from the `(s)` rule here; other languages from their translation.
    `disambiguation` tells translators apart two identical English sources meaning different things.
    """
    return Source(_english(source, n), context, source, {}, n, disambiguation)


def _english(source: str, n: int) -> str:
    """The English form of a source: `%n` replaced by the count, `(s)` dropped for one."""
    if n < 0:
        return source
    return source.replace("%n", str(n)).replace("(s)", "" if n == 1 else "s")


def join_list(items: list[str]) -> str:
    """Items as one list for a person ("a, b, c"), still translatable when they are.

    Built from a two-place template ("{items}, {item}") rather than str.join, so a translation can
    use its own separator (Chinese: 、) and each item keeps its own translation.
    """
    if not items:
        return ""
    joined = items[0]
    for item in items[1:]:
        joined = translate("core", "{items}, {item}", "a list, one more item").format(items=joined, item=item)
    return joined
