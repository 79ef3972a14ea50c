"""A fill as a change to review: the text now, the text with the middle in place, and their diff.

An instruction fill is less exact than a true infill, so it is not put into the file directly: the
front end shows this diff and applies the change only when the user accepts it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import Enum

from app.core.i18n import translate

CONTEXT_LINES = 3  # unchanged lines shown around each change


class DiffKind(Enum):
    CONTEXT = "context"  # unchanged, shown for orientation
    ADDED = "added"
    REMOVED = "removed"
    GAP = "gap"  # unchanged lines left out between two changes


@dataclass(frozen=True)
class DiffLine:
    kind: DiffKind
    text: str
    old: int | None = None  # 1-based line number in the text now (None: not there)
    new: int | None = None  # 1-based line number in the text after the change

    @property
    def sign(self) -> str:
        return {DiffKind.ADDED: "+", DiffKind.REMOVED: "-", DiffKind.GAP: "⋯"}.get(self.kind, " ")


@dataclass(frozen=True)
class FillPreview:
    """Replacing `selected` (between `prefix` and `suffix`) with `middle`, as a reviewable diff."""

    prefix: str
    selected: str
    suffix: str
    middle: str
    lines: tuple[DiffLine, ...]

    @property
    def before(self) -> str:
        return self.prefix + self.selected + self.suffix

    @property
    def after(self) -> str:
        return self.prefix + self.middle + self.suffix

    @property
    def added(self) -> int:
        return sum(line.kind is DiffKind.ADDED for line in self.lines)

    @property
    def removed(self) -> int:
        return sum(line.kind is DiffKind.REMOVED for line in self.lines)

    @property
    def changes(self) -> bool:
        return self.before != self.after

    @property
    def summary(self) -> str:
        return translate("core", "+{added} −{removed} lines").format(added=self.added, removed=self.removed)


def diff_lines(before: str, after: str, context: int = CONTEXT_LINES) -> tuple[DiffLine, ...]:
    """The changed lines of `after` against `before`, with `context` unchanged lines around each."""
    old, new = _lines(before), _lines(after)
    out: list[DiffLine] = []
    groups = list(difflib.SequenceMatcher(None, old, new, autojunk=False).get_grouped_opcodes(context))
    for n, group in enumerate(groups):
        if n or group[0][1] > 0:
            out.append(DiffLine(DiffKind.GAP, ""))  # lines are left out above this hunk
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(DiffLine(DiffKind.CONTEXT, old[i], i + 1, j1 + k + 1) for k, i in enumerate(range(i1, i2)))
                continue
            out.extend(DiffLine(DiffKind.REMOVED, old[i], old=i + 1) for i in range(i1, i2))
            out.extend(DiffLine(DiffKind.ADDED, new[j], new=j + 1) for j in range(j1, j2))
    if groups and groups[-1][-1][2] < len(old):
        out.append(DiffLine(DiffKind.GAP, ""))
    return tuple(out)


def _lines(text: str) -> list[str]:
    """The text's lines; a final line break ends the last line rather than starting an empty one."""
    lines = text.split("\n")
    return lines[:-1] if not lines[-1] else lines  # an empty text has no lines at all


def preview_fill(prefix: str, selected: str, suffix: str, middle: str, context: int = CONTEXT_LINES) -> FillPreview:
    """The change a fill makes: `selected` (empty for a plain cursor) replaced by `middle`."""
    return FillPreview(prefix, selected, suffix, middle,
                       diff_lines(prefix + selected + suffix, prefix + middle + suffix, context))
