"""Ranking prefers the code over the release notes and docs that reword the question; paths named by
the question's rarer words rank up; packing sends small lower-ranked files whole beside a big top file."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.repo.file_kinds import FileKind, file_kind, kind_weights
from app.core.repo.index import RepoIndex
from app.core.repo.pack import approximate_tokens, pack
from app.core.repo.rank import file_order, query_terms, rank
from tests.core.repo.test_scan import make


@pytest.mark.parametrize(("path", "kind"), [
    ("CHANGELOG.md", FileKind.NOTES), ("NEWS", FileKind.NOTES), ("debian/changelog", FileKind.NOTES),
    ("HISTORY.rst", FileKind.NOTES), ("changelog.d/123.bugfix", FileKind.NOTES),
    ("src/history.py", FileKind.CODE), ("src/changes.ts", FileKind.CODE),  # code named like notes is code
    ("configure", FileKind.BUILD), ("m4/libtool.m4", FileKind.BUILD), ("PKG-INFO", FileKind.BUILD),
    ("pkg.egg-info/PKG-INFO", FileKind.BUILD), ("Makefile.in", FileKind.BUILD),
    ("tests/test_heap.py", FileKind.TEST), ("src/parser_test.go", FileKind.TEST), ("lib/a.spec.ts", FileKind.TEST),
    ("README.md", FileKind.PROSE), ("doc/src/usage.rst", FileKind.PROSE), ("docs/conf.py", FileKind.PROSE),
    ("dist/index.js", FileKind.BUILT), ("static/app.min.js", FileKind.BUILT),
    ("src/FooTest.java", FileKind.TEST), ("src/Latest.java", FileKind.CODE), ("locales/es/messages.js", FileKind.CODE),
    ("app/changes/apply.py", FileKind.CODE),
    # Test folders and test data of other languages' conventions: Go's testdata/, RSpec's spec/, fixtures.
    ("pkg/acquisition/testdata/missing_labels.yaml", FileKind.TEST), ("spec/models/user_spec.rb", FileKind.TEST),
    ("test/unit/parser_test.rb", FileKind.TEST), ("pkg/validation/spec/schema.go", FileKind.CODE),
    ("pkg/acquisition/test_files/a.yaml", FileKind.TEST), ("src/Form.test.tsx", FileKind.TEST),
    ("packaging/debian-sid/patches/0005-use-upstream-bolt.patch", FileKind.BUILD),
    ("src/gd_gif_in.c", FileKind.CODE), ("lib/options/format.js", FileKind.CODE), ("setup.py", FileKind.CODE),
])
def test_file_kind(path: str, kind: FileKind) -> None:
    assert file_kind(path) is kind


def test_a_question_about_a_kind_keeps_its_full_weight() -> None:
    plain = kind_weights(query_terms("fix the crash when parsing a GIF").words)
    assert plain[FileKind.CODE] == 1.0 and plain[FileKind.NOTES] < 0.5 and plain[FileKind.PROSE] < 1.0
    asked = kind_weights(query_terms("what does the changelog say about the docs?").words)
    assert asked[FileKind.NOTES] == 1.0 and asked[FileKind.PROSE] == 1.0 and asked[FileKind.BUILD] < 1.0


FILES = {
    # The release notes reword the question; the code that the fix touches says it less often.
    "CHANGELOG.md": "# Changes\n\n- Fix a crash when decoding malicious GIF files.\n- Fix a crash when decoding "
                    "malicious PNG files.\n- GIF decoding: crash on truncated files fixed.\n",
    "docs/formats.rst": "GIF files\n=========\n\nDecoding GIF files may crash on malicious input.\n",
    "src/gd_gif_in.c": "#include <stdio.h>\n\nstatic int read_code(const unsigned char *buf, int len)\n{\n"
                       "    return len > 0 ? buf[0] : -1;\n}\n\n/* Decode a GIF image: a bad code table must not crash. */\n"
                       "int gd_decode_gif(const unsigned char *data, int len)\n"
                       "{\n    return read_code(data, len);\n}\n",
    "src/gd_png.c": "int gd_decode_png(const unsigned char *data, int len)\n{\n    return len;\n}\n",
    # The rest of a library: files that share none of the question's words, as most of a real one does.
    **{f"src/gd_filter_{n}.c": f"int gd_filter_{n}(int *pixels, int count)\n{{\n    return pixels[{n} % count];\n}}\n"
       for n in range(30)},
}


@pytest.fixture
def index(tmp_path: Path):
    idx = RepoIndex(make(tmp_path / "gd", FILES), tmp_path / "cache")
    idx.update()
    yield idx
    idx.close()


def _files(index: RepoIndex, question: str) -> list[str]:
    ranked = rank(index, question)
    path_of = dict(index.db.execute("SELECT id, path FROM chunks").fetchall())
    return [path for path, _score in file_order(ranked, path_of, index, query_terms(question))]


def test_code_ranks_above_the_notes_and_docs_that_reword_the_question(index: RepoIndex) -> None:
    order = _files(index, "Fix CVE-2026-9672: processing of malicious GIF files may lead to a crash")
    assert order[0] == "src/gd_gif_in.c", order
    assert order.index("CHANGELOG.md") > order.index("src/gd_gif_in.c")


def test_a_question_about_the_changelog_gets_the_changelog(index: RepoIndex) -> None:
    assert _files(index, "What does the changelog say about GIF crashes?")[0] == "CHANGELOG.md"


def test_small_lower_ranked_files_go_in_whole_beside_a_big_top_file(tmp_path: Path) -> None:
    # A big file full of the question's words, too big to send whole, and two small ones it calls.
    big = "\n\n".join(f"def render_page_{n}(page):\n    '''Render page {n} of the report.'''\n"
                      f"    return layout(page, {n}) + render_footer(page)\n" for n in range(400))
    files = {**{f"report/unrelated_{n}.py": f"def helper_{n}(x):\n    return x * {n}\n" for n in range(30)},
             "report/render.py": big,
             "report/layout.py": "def layout(page, n):\n    '''Place the report page.'''\n    width = 80\n"
                                 "    return str(page).center(width) * n\n",
             "report/footer.py": "def render_footer(page):\n    '''The report page footer.'''\n    return f'-- {page} --'\n"}
    idx = RepoIndex(make(tmp_path / "r", files), tmp_path / "cache")
    idx.update()
    try:
        result = pack(idx, "the report page footer and layout render wrong", 3000, approximate_tokens)
        spans = {(c.path, c.start_line, c.end_line) for c in result.chunks}
        assert any(path == "report/render.py" for path, _s, _e in spans)  # its best pieces
        assert {("report/footer.py", 1, 3), ("report/layout.py", 1, 4)} <= spans  # whole
        assert result.used_tokens <= 3000
    finally:
        idx.close()


def test_a_test_named_by_the_question_stays_below_the_code(tmp_path: Path) -> None:
    # The test script's path spells out the question's words; the code says them only in its text.
    test = "tests/bin/assert-crowdsec-journalctl-datasource-fails-running"
    files = {**{f"pkg/other_{n}.go": f"package pkg\n\nfunc Other{n}() int {{ return {n} }}\n" for n in range(30)},
             test: "#!/bin/sh\nexit 0\n",
             "cmd/agent/serve.go": "package main\n\n// Keep crowdsec running when a journalctl datasource fails.\n"
                                   "func serve(sources []string) error {\n\treturn nil\n}\n"}
    idx = RepoIndex(make(tmp_path / "c", files), tmp_path / "cache")
    idx.update()
    try:
        question = "crowdsec stops running when the journalctl datasource fails"
        path_of = dict(idx.db.execute("SELECT id, path FROM chunks").fetchall())
        code = [cid for cid, path in path_of.items() if path == "cmd/agent/serve.go"]
        # Only the code's text matched: the test comes in by its path alone, and keeps a test's weight.
        order = [path for path, _ in file_order([(10.0, code[0])], path_of, idx, query_terms(question))]
        assert order[0] == "cmd/agent/serve.go", order
    finally:
        idx.close()
