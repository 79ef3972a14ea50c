"""What kind of file a path is, for ranking: code, tests, prose, release notes, build scaffolding, built output.

A question about a repository is, nearly always, a question about its code. Release notes and
docs share the question's words (a changelog entry often *is* the question, reworded), and
generated build scripts and bundles repeat every name, so unless the question asks about them
they rank below the code. Decided from the path alone: it is cheap and needs no reading.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache


class FileKind(Enum):
    CODE = "code"
    TEST = "test"
    PROSE = "prose"  # docs, READMEs, plain text
    NOTES = "notes"  # changelogs, news, history: the story of the code, not the code
    BUILD = "build"  # generated configure scripts, autotools macros, package metadata
    BUILT = "built"  # bundles and copies made from the sources (dist/, *.min.js)


# How much of its score a chunk keeps, by the kind of its file, when the question is not about that
# kind (tuned on benchmarks/fix_eval.py: these against the old test-only 0.6 took "every changed line"
# from 57 to 70 of 179 cases at 4k and from 98 to 108 at 16k).
WEIGHTS = {FileKind.CODE: 1.0, FileKind.TEST: 0.4, FileKind.PROSE: 0.25, FileKind.NOTES: 0.1,
           FileKind.BUILD: 0.1, FileKind.BUILT: 0.3}

# Words that make a question about that kind of file ("where do the docs say…", "update the changelog").
ASKING = {FileKind.TEST: ("test", "tests", "testing", "testcase", "pytest", "unittest", "fixture", "fixtures"),
          FileKind.PROSE: ("doc", "docs", "documentation", "documented", "readme", "tutorial"),
          FileKind.NOTES: ("changelog", "changelogs", "whatsnew", "newsfragment"),
          FileKind.BUILD: ("configure", "autoconf", "automake", "autotools", "libtool", "m4"),
          FileKind.BUILT: ("dist", "bundle", "bundled", "minified")}

_PROSE_EXT = {".md", ".markdown", ".rst", ".txt", ".adoc", ".asciidoc", ".org", ".tex", ".texi", ".pod", ".1",
              ".3", ".5", ".8", ".man"}
_NOTES_NAME = re.compile(r"^(change(s|log)?|news|history|releases?|release[-_]notes|whatsnew|authors|"
                         r"contributors|credits|thanks)([-_.].*)?$", re.IGNORECASE)
_BUILD_NAMES = {"configure", "config.guess", "config.sub", "depcomp", "install-sh", "ltmain.sh", "missing",
                "compile", "aclocal.m4", "pkg-info", "libtool", "config.status", "mkinstalldirs"}
_BUILD_EXT = {".m4", ".in", ".am", ".ac", ".patch", ".diff"}  # patches: packaging's copies of changes to the code
_BUILT_DIRS = ("dist/", "build/", "esm/", "cjs/", "umd/", "bundle/", "out/")
_TEST_SUFFIXES = ("_test.py", ".test.js", ".test.ts", ".test.jsx", ".test.tsx", ".spec.js", ".spec.ts", ".spec.tsx",
                  "_test.go", "_test.c", "_test.cc", "_test.cpp", "_spec.rb", "_test.rb", "_tests.rs")
# Folders of tests and their data: Go's testdata/, fixtures. Not spec/: Go and OpenAPI code lives in packages
# named spec (RSpec's files are caught by their _spec.rb suffix).
_TEST_DIRS = ("/tests/", "/test/", "/testing/", "/__tests__/", "/testdata/", "/test_data/", "/test_files/",
              "/fixtures/", "/__snapshots__/")
_JAVA_TEST = re.compile(r"(^|/)\w*Tests?\.(java|kt|cs|php)$")  # FooTest.java, not Latest.java


@lru_cache(maxsize=1 << 16)  # asked for every ranked chunk: a path's kind once
def file_kind(path: str) -> FileKind:
    lowered = path.lower()
    name = lowered.rsplit("/", 1)[-1]
    stem_ext = name.rsplit(".", 1)
    ext = f".{stem_ext[1]}" if len(stem_ext) == 2 else ""
    folders = f"/{lowered.rsplit('/', 1)[0]}/" if "/" in lowered else "/"
    notes_name = _NOTES_NAME.match(name) and (not ext or ext in _PROSE_EXT or ext in (".historic", ".old")
                                              or ext[1:].isdigit())
    if notes_name or "/debian/changelog" in f"/{lowered}" or "/changelog.d/" in folders \
            or "/newsfragments/" in folders:
        return FileKind.NOTES
    if name in _BUILD_NAMES or ext in _BUILD_EXT or name.endswith((".egg-info", ".cmake")) \
            or "/m4/" in folders or ".egg-info/" in folders:
        return FileKind.BUILD
    if any(d in folders for d in _TEST_DIRS) or name.startswith("test_") or name.endswith(_TEST_SUFFIXES) \
            or _JAVA_TEST.search(path):
        return FileKind.TEST
    if ext in _PROSE_EXT or name in {"readme", "license", "copying", "install", "todo"} \
            or "/doc/" in folders or "/docs/" in folders:
        return FileKind.PROSE
    if name.endswith((".min.js", ".min.css", ".bundle.js")) or any(f"/{d}" in folders for d in _BUILT_DIRS):
        return FileKind.BUILT
    return FileKind.CODE


def kind_weights(words: tuple[str, ...]) -> dict[FileKind, float]:
    """The weight of each kind for a question with these (lowercased) words: 1 for a kind it asks about."""
    asked = set(words)
    return {kind: (1.0 if any(w in asked for w in ASKING.get(kind, ())) else weight)
            for kind, weight in WEIGHTS.items()}
