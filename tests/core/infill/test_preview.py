"""A fill as a reviewable change: the diff's lines, numbers, gaps and summary."""

from __future__ import annotations

from app.core.infill.preview import DiffKind, diff_lines, preview_fill

FILE = "".join(f"line {i}\n" for i in range(1, 21))


def _kinds(lines) -> str:
    return "".join({DiffKind.ADDED: "+", DiffKind.REMOVED: "-", DiffKind.CONTEXT: " ", DiffKind.GAP: "~"}[line.kind]
                   for line in lines)


def test_an_insertion_shows_its_lines_added_with_context_and_gaps() -> None:
    cut = FILE.index("line 11")
    preview = preview_fill(FILE[:cut], "", FILE[cut:], "new a\nnew b\n")
    assert _kinds(preview.lines) == "~   ++   ~"
    added = [line for line in preview.lines if line.kind is DiffKind.ADDED]
    assert [(line.text, line.old, line.new) for line in added] == [("new a", None, 11), ("new b", None, 12)]
    after = [line for line in preview.lines if line.kind is DiffKind.CONTEXT][-1]
    assert (after.text, after.old, after.new) == ("line 13", 13, 15)  # numbered in both texts
    assert preview.summary == "+2 −0 lines" and preview.changes
    assert preview.after == FILE[:cut] + "new a\nnew b\n" + FILE[cut:] and preview.before == FILE


def test_a_replaced_selection_shows_removed_then_added() -> None:
    start, end = FILE.index("line 2\n"), FILE.index("line 4\n")
    preview = preview_fill(FILE[:start], FILE[start:end], FILE[end:], "two and three\n")
    assert [line.text for line in preview.lines if line.kind is DiffKind.REMOVED] == ["line 2", "line 3"]
    assert [line.text for line in preview.lines if line.kind is DiffKind.ADDED] == ["two and three"]
    assert _kinds(preview.lines).startswith(" --+")  # near the top: no gap above it
    assert preview.summary == "+1 −2 lines"


def test_the_final_line_break_is_not_an_extra_line() -> None:
    lines = diff_lines("a\nb\n", "a\nb\nc\n")
    assert _kinds(lines) == "  +" and lines[-1].text == "c"


def test_no_change_no_lines() -> None:
    preview = preview_fill("x = 1\n", "", "y = 2\n", "")
    assert preview.lines == () and not preview.changes
    assert diff_lines("", "first\n")[0].kind is DiffKind.ADDED


def test_a_middle_within_a_line() -> None:
    preview = preview_fill("total = compute(", "", ")\nprint(total)\n", "a, b")
    assert [(line.sign, line.text) for line in preview.lines if line.kind is not DiffKind.CONTEXT] == \
        [("-", "total = compute()"), ("+", "total = compute(a, b)")]
