"""Fix-evaluation cases from upstream fixes that Debian carries as patches, for Java, Go, PHP, Ruby, C#.

Consecutive uploads are not always to be had here (the security archive's older uploads are gone), but one
upload is enough: many Debian patches are upstream commits backported, with their commit message in the
patch header (DEP-3 `Description:`/`Subject:`, `Origin: upstream, .../commit/...`). Each such patch is one
case, and it is the kind of question the held-out set asks: a commit text, not a changelog line.

- The question: the patch header's text (subject and body), without its metadata lines (From, Date,
  Origin, Bug, Signed-off-by, diffstat...).
- The repository: upstream's tree with the series' patches before this one applied (`before_patch` in
  the case's "old"; fix_eval_sources.tree_for unpacks it so), which is the tree the fix was made on.
- The gold: the lines of that tree the patch changes, restricted to source files of one language
  (tests, docs, build files and generated code left out, as for the other sources).

Only patches that say they come from upstream are used (an `Origin: upstream|backport` or
`Applied-Upstream:` line, a `From <sha>` line of git format-patch, or a commit/pull URL), whose subject
reads as a code change (not build, packaging, tests or docs), and which change at most 6 source files and
300 lines. Packages are found by their build dependencies (golang-go, javahelper/maven, pkg-php-tools,
gem2deb, mono) in bookworm's Sources index; those whose files cannot be downloaded here are skipped.

    .venv/bin/python benchmarks/fix_eval_patches.py --add     # append to benchmarks/fix_eval_cases.json
"""

from __future__ import annotations

import argparse
import email.header
import re
import sys
import tarfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fix_eval_build as build  # noqa: E402
from fix_eval_history import (  # noqa: E402
    clean_entry,
    is_code_entry,
    parse_patch,
    patch_hunks,
    patch_subject,
    source_files,
    words,
)
from fix_eval_sources import fetch, language_of, series_entries, tree_for  # noqa: E402

# Build dependencies that say which language a source package is written in (the first match wins).
LANGUAGE_BY_BUILD_DEPENDS = [
    ("go", r"\b(golang-go|dh-golang|dh-sequence-golang)\b"),
    ("java", r"\b(default-jdk|maven-debian-helper|javahelper|gradle-debian-helper)\b"),
    ("php", r"\b(pkg-php-tools|dh-sequence-phpcomposer)\b"),
    ("ruby", r"\b(gem2deb|dh-sequence-ruby)\b"),
    ("csharp", r"\b(mono-devel|mono-mcs|mono-xbuild|cli-common-dev|dotnet\S*)\b"),
]
MAX_SOURCE_BYTES = 30_000_000
MAX_FILES = 6
MAX_CHANGED = 300

_UPSTREAM = re.compile(r"^(?:Origin:\s*(?:upstream|backport)|Applied-Upstream:|From [0-9a-f]{40}\b)"
                       r"|/commit/|/commits?/[0-9a-f]{7,}|/pull/\d|/merge_requests/\d", re.I | re.M)
# Header lines that are metadata, not the commit text.
_META = re.compile(r"^(?:From|Date|Origin|Bug(?:-[\w-]+)?|Forwarded|MIME-Version|Content-[\w-]+|Rebased-by|"
                   r"git-svn-id|PiperOrigin-RevId|Last-Update|Reviewed-by|Signed-off-by|Acked-by|"
                   r"Tested-by|Reported-by|Suggested-by|Co-authored-by|Co-Authored-By|Applied-Upstream|Author|Cc|"
                   r"Change-Id|Index|Patch-Name|Gbp-Pq|X-[\w-]+|Backported-by|Updated-by|Modified-by):", re.I)
# git format-patch's first line, a cherry-pick note, the index line of a git diff
_META_LINE = re.compile(r"^(?:From [0-9a-f]{40}\b|\(cherry picked from commit [0-9a-f]+\)|index [0-9a-f]+\.\.[0-9a-f]+)")
# What a merge or a backport says about itself, which says nothing about the code.
_GENERIC = re.compile(r"\bMerge (?:pull request|commit|branch)(?: [#\w/-]+)? from (?:fork|GHSA-[\w-]+|[\w/-]+)\b"
                      r"|\bMerged r\d+(?: and r\d+)* from \S+ to \S+|\bThis PR was merged into the \S+ branch\.?", re.I)
_DIFFSTAT = re.compile(r"^\s*(?:\S+\s+\|\s+(?:\d+ ?[+-]*|Bin.*)|\d+ files? changed.*|(?:create|delete) mode \d+ .*|"
                       r"rename .* \(\d+%\)|mode change .*)\s*$")
# Subjects of patches that are about packaging, building or tests, not a fix a user would ask about.
_DEBIAN_ONLY = re.compile(r"\b(debian|lintian|privacy|manpages?|man page|javadoc|pom\.xml|go\.mod|gradle|maven|"
                          r"install(ed|ing)?|network access|offline|build(s|ing)?|compil\w+|makefile|ftbfs|"
                          r"tests?|testsuite|renamed?)\b", re.I)


def commit_text(header: str) -> str:
    """The commit message in a patch header: subject and body, metadata and diffstat left out."""
    keep: list[str] = []
    for line in header.splitlines():
        if "=?" in line:  # a MIME-encoded subject (git send-email of non-ASCII text)
            try:
                line = str(email.header.make_header(email.header.decode_header(line)))
            except (ValueError, LookupError):
                pass
        if re.match(r"^(?:Subject|Description):", line, re.I):
            line = re.sub(r"^(?:Subject|Description):\s*(?:\[PATCH[^\]]*\]\s*)?", "", line, flags=re.I)
        elif any(rx.match(line) for rx in (_META, _META_LINE, _DIFFSTAT)) or line.startswith(("---", "===", "diff ")):
            continue
        line = line.strip()
        keep.append("" if line == "." else line)
    return clean_entry(_GENERIC.sub("", " ".join(x for x in keep if x)))[:3000]


def packages(languages: set[str]) -> list[dict]:
    """bookworm's source packages of those languages, as tree_for specs (plus "language")."""
    path = next(Path("/var/lib/apt/lists").glob("*_dists_bookworm_main_source_Sources*"), None)
    if path is None:
        build.log("  no bookworm Sources index: add a deb-src line for bookworm and apt-get update")
        return []
    out = []
    for fields in build._paragraphs(path):
        depends = fields.get("Build-Depends", "") + " " + fields.get("Build-Depends-Indep", "")
        language = next((lang for lang, rx in LANGUAGE_BY_BUILD_DEPENDS if re.search(rx, depends)), None)
        if language not in languages or fields.get("Format") != "3.0 (quilt)":
            continue
        files, size = build.source_package_files(fields, "http://deb.debian.org/debian")
        if size > MAX_SOURCE_BYTES:
            continue
        out.append({"ecosystem": "debian", "package": fields["Package"], "version": fields["Version"],
                    "files": files, "language": language})
    return out


def upstream_patches(spec: dict) -> list[tuple[str, str, list]]:
    """(name, header, files) of the package's series patches that are upstream code fixes."""
    debian_tar = next((f for f in spec["files"] if ".debian.tar." in f["name"]), None)
    if debian_tar is None:
        return []
    texts: dict[str, str] = {}
    with tarfile.open(fetch(debian_tar["url"], debian_tar["sha256"])) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith("debian/patches/"):
                texts[member.name[len("debian/patches/"):]] = \
                    tar.extractfile(member).read().decode("utf-8", "replace")  # type: ignore[union-attr]
    out = []
    for name, _ in series_entries(texts.get("series", "")):
        header, files = parse_patch(texts.get(name, ""))
        title = patch_subject(header)
        if not files or not _UPSTREAM.search(header) or not title:
            continue
        if _DEBIAN_ONLY.search(title) or not is_code_entry(title):
            continue
        sources = {path for path, *_ in files if language_of(path)}
        changed = sum(op != " " for *_, body in files for op, _ in body)
        if sources and len(sources) <= MAX_FILES and changed <= MAX_CHANGED:
            out.append((name, header, files))
    return out


def patch_cases(spec: dict) -> list[dict]:
    label = f"debian:{spec['package']} {spec['version']}"
    try:
        found = upstream_patches(spec)
    except Exception as exc:  # the archive is not to be had here, or is broken: skip the package
        build.log(f"  skip {label}: {type(exc).__name__}: {str(exc)[:120]}")
        return []
    cases = []
    for name, header, files in found[-build.PER_PACKAGE:]:  # the latest patches of the series
        question = commit_text(header)
        if words(question) < 4:
            continue
        old = {k: v for k, v in spec.items() if k != "language"} | {"before_patch": name, "root": "src"}
        try:
            root = tree_for(old)
        except Exception as exc:
            build.log(f"  skip {label} {name}: {type(exc).__name__}: {str(exc)[:120]}")
            continue
        case = _case(old, name, header, files, question, root)
        if case:
            cases.append(case)
    if cases:
        build.log(f"  {len(cases)} case(s) from {label}: " + "; ".join(c["question"][:50] for c in cases))
    return cases


def _case(old: dict, name: str, header: str, files: list, question: str, root: Path) -> dict | None:
    if any(p.name == PurePosixPath(name).name for p in root.rglob("*")):
        return None  # upstream ships the patch itself (snapd's packaging/): the answer is in the tree
    found = patch_hunks(files, root, source_files(root))
    if found is None or not found[0]:
        return None  # no source file changed, or the patch does not sit where its tree says
    hunks, lengths = found
    new = {k: v for k, v in old.items() if k not in ("before_patch", "root")}
    case = build.make_case("debian-upstream-patch", old, new, header, question, hunks, lengths, root,
                           "upstream commit message in a Debian patch header", {"patch": name})
    if case:
        case["id"] = f"debian:{old['package']}:{old['version']}:{name}"
    return case


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--languages", default="java,go,php,ruby,csharp")
    parser.add_argument("--packages", help="comma-separated subset of package names")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--max-per-language", type=int, default=40)
    parser.add_argument("--out", type=Path, default=build.OUT)
    parser.add_argument("--add", action="store_true", help="add to --out, keeping its cases as they are")
    args = parser.parse_args()
    build.MAX_PER_LANGUAGE = args.max_per_language
    specs = packages(set(args.languages.split(",")))
    if args.packages:
        specs = [s for s in specs if s["package"] in set(args.packages.split(","))]
    build.log(f"{len(specs)} source packages")
    cases: list[dict] = []
    with ThreadPoolExecutor(args.threads) as pool:
        for found in pool.map(patch_cases, specs):
            cases += found
    if args.add:
        build.add_to(cases, args.out)
    else:
        build.write_selection(cases, args.out)


if __name__ == "__main__":
    main()
