"""Changelog sections, diffs and patches: the pieces fix_eval_build.py makes cases from.

Nothing here knows about the app: it reads two unpacked releases and says what changed (hunks with
their line ranges in the OLD tree) and what the newer release's changelog says about it (entries).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from fix_eval_sources import language_of, looks_generated

# ---------------------------------------------------------------------------------------------
# Source files of a tree


def vendored_dirs(root: Path) -> set[str]:
    """Folders below the root that carry their own licence: code copied in from another project."""
    out = set()
    for lic in list(root.rglob("LICENSE*")) + list(root.rglob("COPYING*")) + list(root.rglob("LICENCE*")):
        rel = lic.parent.relative_to(root).as_posix()
        if rel not in ("", "."):
            out.add(rel + "/")
    return out


def source_files(root: Path) -> dict[str, str]:
    """relative path -> language, for the files that are scored (see fix_eval_sources.language_of)."""
    paths = [p for p in root.rglob("*") if p.is_file() and not p.is_symlink()]
    rels = [p.relative_to(root).as_posix() for p in paths]
    cpp = sum(r.endswith((".cc", ".cpp", ".cxx")) for r in rels)
    c = sum(r.endswith(".c") for r in rels)
    vendored = vendored_dirs(root)
    # A package that ships TypeScript sources ships its compiled JavaScript next to them (lib/, esm/,
    # cjs/): those copies are generated, not the code its authors changed.
    ts_stems = {PurePosixPath(r).name.split(".")[0] for r in rels
                if r.endswith((".ts", ".tsx", ".mts", ".cts")) and not re.search(r"\.d\.[cm]?ts$", r)}
    out = {}
    for rel in rels:
        if any(rel.startswith(v) for v in vendored):
            continue
        lang = language_of(rel, cpp_headers=cpp > c)
        if lang == "javascript" and ts_stems and (PurePosixPath(rel).name.split(".")[0] in ts_stems
                                                  or Path(str(root / rel) + ".map").is_file()):
            continue
        if lang:
            out[rel] = lang
    return out


def read_text(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:8192] or len(data) > 1_000_000:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# ---------------------------------------------------------------------------------------------
# Hunks


@dataclass
class Hunk:
    path: str
    language: str
    old_start: int  # 1-based; for a pure insertion: the line after which the new lines go
    old_count: int
    old_lines: list[str]
    new_lines: list[str]
    header: list[str] = field(default_factory=list)  # enclosing definition lines in the old file

    @property
    def changed(self) -> int:
        return len(self.old_lines) + len(self.new_lines)

    def old_range(self, old_len: int) -> tuple[int, int]:
        """Lines of the old file that this hunk is about (around the insertion point for additions)."""
        if self.old_count > 0:
            return self.old_start, self.old_start + self.old_count - 1
        return max(1, self.old_start), max(1, min(old_len, self.old_start + 1))

    def text(self) -> str:
        return "\n".join(self.header + self.old_lines + self.new_lines)


_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def diff_file(old: str, new: str) -> list[tuple[int, int, list[str], list[str]]]:
    """(old_start, old_count, removed lines, added lines) per hunk, from `diff -U0`."""
    run = subprocess.run(["diff", "-U0", "--", old, new], capture_output=True, text=True, errors="replace")
    hunks: list[tuple[int, int, list[str], list[str]]] = []
    for line in run.stdout.splitlines():
        match = _HUNK_RE.match(line)
        if match:
            hunks.append((int(match[1]), int(match[2] if match[2] is not None else 1), [], []))
        elif hunks and line.startswith("-") and not line.startswith("---"):
            hunks[-1][2].append(line[1:])
        elif hunks and line.startswith("+") and not line.startswith("+++"):
            hunks[-1][3].append(line[1:])
    return hunks


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def headers_above(lines: list[str], index: int, limit: int = 2) -> list[str]:
    """The lines that open the blocks enclosing line `index` (0-based): less indented, above it."""
    out: list[str] = []
    if not lines:
        return out
    index = min(max(index, 0), len(lines) - 1)
    level = _indent(lines[index]) if lines[index].strip() else 10_000
    for i in range(index - 1, -1, -1):
        line = lines[i]
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "//", "/*", "*", "}", ")", "@")):
            continue
        if _indent(line) < level:
            out.append(line)
            level = _indent(line)
            if len(out) >= limit or level == 0:
                break
    return out


def _normalised(lines: list[str]) -> str:
    return re.sub(r"\s+", "", "".join(lines))


def is_version_bump(old_lines: list[str], new_lines: list[str], old_version: str, new_version: str) -> bool:
    text = "\n".join(old_lines + new_lines)
    if re.search(r"__version__|\bVERSION\b|\bversion\s*[=:]|@version|version_info", text, re.I) and \
            len(old_lines) <= 3 and len(new_lines) <= 3:
        return True
    core_old = re.escape(old_version.split("+")[0])
    return bool(old_lines) and all(re.search(core_old, line) for line in old_lines) and len(old_lines) <= 3


def tree_hunks(old_root: Path, new_root: Path, old_version: str, new_version: str,
               max_files: int = 60) -> tuple[list[Hunk], dict[str, int], set[str]] | None:
    """Hunks of the scored source files, their old files' lengths, and files only in the new tree.

    None when too many files changed to attribute anything.
    """
    old_files = source_files(old_root)
    new_files = source_files(new_root)
    changed = []
    for rel, lang in old_files.items():
        new_path = new_root / rel
        if rel in new_files:
            if (old_root / rel).stat().st_size == new_path.stat().st_size and \
                    (old_root / rel).read_bytes() == new_path.read_bytes():
                continue
        changed.append((rel, lang))
    added = {rel for rel in new_files if rel not in old_files}
    if len(changed) > max_files:
        return None
    hunks: list[Hunk] = []
    lengths: dict[str, int] = {}
    for rel, lang in changed:
        old_text = read_text(old_root / rel)
        if old_text is None or looks_generated(old_text):
            continue
        new_path = new_root / rel
        if new_path.is_file():
            new_text = read_text(new_path)
            if new_text is None or looks_generated(new_text):
                continue
            raw = diff_file(str(old_root / rel), str(new_path))
        else:  # removed in the new release: all of it changed
            n = len(old_text.splitlines())
            raw = [(1, n, old_text.splitlines(), [])]
        old_lines = old_text.splitlines()
        lengths[rel] = len(old_lines)
        for start, count, removed, added_lines in raw:
            if _normalised(removed) == _normalised(added_lines):
                continue  # whitespace only
            if is_version_bump(removed, added_lines, old_version, new_version):
                continue
            first = start - 1 if count > 0 else start
            hunks.append(Hunk(rel, lang, start, count, removed, added_lines, headers_above(old_lines, first)))
    return hunks, lengths, added


def gold_of(hunks: list[Hunk], lengths: dict[str, int]) -> dict[str, list[list[int]]]:
    """path -> merged [start, end] line ranges (1-based, inclusive) in the old tree."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    for hunk in hunks:
        ranges.setdefault(hunk.path, []).append(hunk.old_range(lengths[hunk.path]))
    out = {}
    for path, items in sorted(ranges.items()):
        merged: list[list[int]] = []
        for start, end in sorted(items):
            if merged and start <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        out[path] = merged
    return out


# ---------------------------------------------------------------------------------------------
# Changelogs

CHANGELOG_NAMES = re.compile(r"^(changelog|changes|history|news|release[-_ ]?notes|whatsnew|changelog[-_]\w+)"
                             r"(\.(md|rst|txt|markdown|adoc))?$", re.I)


def find_changelog(root: Path) -> list[Path]:
    found = []
    for path in sorted(root.rglob("*"), key=lambda p: (len(p.relative_to(root).parts), str(p))):
        if len(path.relative_to(root).parts) > 3 or not path.is_file():
            continue
        if any(part in ("node_modules", "test", "tests") for part in path.relative_to(root).parts):
            continue
        if CHANGELOG_NAMES.match(path.name):
            found.append(path)
    return found


_UNDERLINE = re.compile(r"^\s*([=\-~^*+#`'\"])\1{2,}\s*$")
_VERSIONISH = re.compile(r"(?<![\w.])v?\d+\.\d+(?:\.\d+)*(?:[-.]?[a-z]+\d*)?(?![\w])", re.I)
_BULLET = re.compile(r"^(\s*)(?:[-*+•]|\d{1,3}[.)])\s+(.*)$")


def _is_heading(lines: list[str], i: int) -> bool:
    line = lines[i]
    stripped = line.strip()
    if not stripped or len(stripped) > 120:
        return False
    if stripped.startswith("#"):
        return True
    if i + 1 < len(lines) and _UNDERLINE.match(lines[i + 1]) and len(lines[i + 1].strip()) >= min(len(stripped), 3) - 2:
        return True
    if _BULLET.match(line):
        return False
    # "1.2.3 (2020-01-01)", "Version 1.2.3", "v1.2.3 / 2020-01-01", "[1.2.3] - date"
    return bool(re.match(r"^\s*(?:version\s+|release\s+|v)?\[?\d+\.\d+[\w.\-+]*\]?(?:\s*[-/(:,]|\s+\w|\s*$)",
                         stripped, re.I)) and _indent(line) == 0


def _mentions(line: str, version: str) -> bool:
    return re.search(rf"(?<![\w.])v?{re.escape(version)}(?![\w]|\.\d)", line) is not None


def changelog_section(text: str, version: str) -> list[str] | None:
    """The lines under the heading of `version`, up to the next version heading."""
    lines = text.splitlines()
    start = None
    for i, line in enumerate(lines):
        if _mentions(line, version) and _is_heading(lines, i):
            start = i
            break
    if start is None:
        return None
    body_start = start + 1
    if body_start < len(lines) and _UNDERLINE.match(lines[body_start]):
        body_start += 1
    level = len(lines[start]) - len(lines[start].lstrip("#")) if lines[start].lstrip().startswith("#") else 0
    out = []
    for j in range(body_start, len(lines)):
        line = lines[j]
        if _is_heading(lines, j) and _VERSIONISH.search(line):
            hashes = len(line) - len(line.lstrip("#")) if line.lstrip().startswith("#") else 0
            if not level or not hashes or hashes <= level:
                break
        if j + 1 < len(lines) and _UNDERLINE.match(lines[j + 1]) and _VERSIONISH.search(line):
            break
        out.append(line)
    return out


def section_entries(lines: list[str]) -> list[str]:
    """One string per bullet (continuation lines joined); paragraphs when there are no bullets."""
    entries: list[list[str]] = []
    current: list[str] | None = None
    bullet_indent = 0
    for i, line in enumerate(lines):
        if _UNDERLINE.match(line) or (i + 1 < len(lines) and _UNDERLINE.match(lines[i + 1])):
            current = None  # a sub-heading ("Bug fixes")
            continue
        if line.lstrip().startswith("#"):
            current = None
            continue
        match = _BULLET.match(line)
        if match:
            indent = len(match[1])
            parent_is_heading = current is not None and len(current) == 1 and current[0].endswith(":") \
                and words(current[0]) <= 3
            if current is not None and indent > bullet_indent and not parent_is_heading:
                current.append(match[2].strip())  # a detail of the entry above
                continue
            current = [match[2].strip()]
            bullet_indent = indent
            entries.append(current)
            continue
        if not line.strip():
            if current is not None and i + 1 < len(lines) and lines[i + 1].strip() and \
                    _indent(lines[i + 1]) > bullet_indent and not _BULLET.match(lines[i + 1]):
                continue  # a paragraph inside the bullet
            current = None
            continue
        if current is not None and (_indent(line) > bullet_indent or not _BULLET.match(line)):
            current.append(line.strip())
    if not entries:  # plain paragraphs
        para: list[str] = []
        for line in lines + [""]:
            if line.strip():
                para.append(line.strip())
            elif para:
                entries.append(para)
                para = []
    return [" ".join(e) for e in entries if e]


_NOT_CODE = re.compile("|".join([
    r"\b(docs?|documentation|docstrings?|readme|changelog)\b",
    r"\b(typos?|spelling)\b",
    r"\b(ci|github actions?|workflows?|travis|appveyor|tox|nox|pre-commit|dependabot)\b",
    r"\b(packaging|wheels?|manylinux|sdist|pyproject|setup\.(cfg|py)|classifiers?|licen[cs]e|package\.json)\b",
    r"\b(bump(ed|s)?|dependenc(y|ies)|upgraded? \S+ to|pinn?(ed)?|vendored)\b",
    r"\b(drop(ped|s)? support|support for python|python 3\.\d+ support|supports? python 3|node(\.js)? (>= ?)?v?\d+\b)",
    r"\b(add(ed|s)?|improved?|fix(ed|es)?|more|new) (unit |integration )?tests?\b|\btest (suite|failures?|coverage)\b",
    r"\b(mypy|flake8|ruff|eslint|prettier|linter|linting|code style|reformat\w*)\b",
    r"\b(type (hints?|annotations?|definitions?|declarations?|stubs?)|typings|d\.ts|@types|py\.typed)\b",
    r"\b(contributors?|thanks|sponsors?|funding|code of conduct|security policy)\b",
    r"\b(refactor\w*|clean ?up|chore|benchmarks?|translations?|examples?)\b",
    r"\bdeps?\b\s*:|\w@[\^~]?\d+\.\d+",
    r"\b(build system|build with|builds? on|scikit-build\S*|cmake|meson|setuptools|cython \d|compil\w+ with)\b",
]), re.I)


# Entries that say how much smaller or faster, not what: a question only when they name the code.
_VAGUE = re.compile(r"\b(bundle size|shave|bytes|performance|perf:|optimi[sz]e\w*|speed ?up|faster|internal "
                    r"annotations?)\b", re.I)


def is_code_entry(entry: str) -> bool:
    if _VAGUE.search(entry) and not entry_identifiers(entry):
        return False
    return not _NOT_CODE.search(entry)


def clean_entry(text: str) -> str:
    """The entry as a user would ask it: markup, links, issue numbers and credits removed."""
    t = text
    t = re.sub(r"(?::(?:issue|pr|gh|bug|user|ghuser|commit|cve)|\{(?:issue|pr|gh|bug|user|commit)\}):?`[^`]*`", "", t,
               flags=re.I)
    t = re.sub(r"\{[\w:-]+\}`~?([^`]+)`", r"`\1`", t)  # MyST roles
    t = re.sub(r":[\w:]+:`~?([^`<]+?)(?:\s*<[^>]+>)?`", r"`\1`", t)  # :func:`x` -> `x`
    t = re.sub(r"`([^`<]+?)\s*<[^>]+>`_+", r"\1", t)  # `text <url>`_
    t = re.sub(r"``([^`]+)``", r"`\1`", t)
    t = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", t)  # markdown links
    t = re.sub(r"\[([^\]]*)\]\[[^\]]*\]", r"\1", t)
    t = re.sub(r"https?://\S+", "", t)
    t = re.sub(r"\(\s*(?:closes:?|fixes:?|fix|see|refs?|issue|pr|gh|bug|lp)?\s*[#!]?\s*[\w/-]*#?\d+"
               r"(?:\s*[,;&]\s*(?:#|gh-|bpo-)?\d+)*\s*\)", "", t, flags=re.I)
    t = re.sub(r"\b(?:closes|fixes|fixed|resolves|refs?|see)\s*:?\s*(?:#|gh-|bpo-|lp:\s*#?)\d+\b[.,]?", "", t, flags=re.I)
    t = re.sub(r"\b(?:gh|bpo|pr|issue)[-\s]?#?\d+\b:?", "", t, flags=re.I)
    t = re.sub(r"(?<![\w&])#\d+\b:?", "", t)
    t = re.sub(r"\((?:by\s+)?@[\w-]+(?:\s*(?:,|and)\s*@[\w-]+)*\)", "", t)
    t = re.sub(r"\b(?:thanks?(?: to)?|by|from|contributed by|patch by|reported by)\s+@[\w-]+(?:\s*(?:,|and)\s*@[\w-]+)*"
               r"\.?", "", t, flags=re.I)
    t = re.sub(r"(?:^|\s)@[\w-]+\b", " ", t)
    t = re.sub(r"\(\s*[0-9a-f]{7,40}\s*\)", "", t)
    t = re.sub(r"\b[0-9a-f]{7,40}\b(?=\s*$)", "", t)
    t = re.sub(r"\(\s*[,;]?\s*\)", "", t)
    # changesets: "[#12](pr) [`abc1234`](commit) Thanks [@x](user)! - text", or "abc1234: text"
    t = re.sub(r"^(?:\s*`?(?=[0-9a-f]*\d)[0-9a-f]{7,40}`?\s*:?)+\s*(?:!\s*)?(?:-\s+)?", "", t)
    t = re.sub(r"^\s*!\s*-\s+", "", t)
    t = re.sub(r"\s+", " ", t).strip(" -–:;,")
    t = re.sub(r"\s+([.,;:])", r"\1", t)
    t = re.sub(r"\s*\bSubmitted\.?$", "", t)  # "Submitted by @x" with the handle gone
    return t


def words(text: str) -> int:
    return len(re.findall(r"[A-Za-z]{2,}", text))


_IDENT = re.compile(r"`([^`]{3,80})`|\b([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+)\b|\b([A-Za-z_]\w*)\(\)|"
                    r"\b([a-z]+_\w+|_\w{3,}|[a-z]+[A-Z]\w*|[A-Z][a-z0-9]+[A-Z]\w*)\b")


def entry_identifiers(entry: str) -> set[str]:
    """Names the entry writes as code: `x`, snake_case, camelCase, dotted.names, f(), file.py."""
    out: set[str] = set()
    for match in _IDENT.finditer(entry):
        raw = next(g for g in match.groups() if g)
        for piece in re.split(r"[\s(),]+", raw):
            piece = piece.strip(".:;'\"")
            if not piece:
                continue
            out.add(piece)
            if "." in piece:
                parts = [p for p in piece.split(".") if p]
                if parts and parts[-1].lower() in {"py", "js", "ts", "c", "h", "cc", "cpp", "rs", "go", "rb",
                                                   "php", "java", "mjs", "cjs", "tsx"}:
                    out.add(piece.rsplit("/", 1)[-1])
                else:
                    out.update(p for p in parts if len(p) >= 3)
    return {i for i in out if len(i) >= 3 and re.search(r"[A-Za-z]", i)
            and i.lower() not in {"the", "and", "none", "true", "false", "null", "undefined", "self", "this"}}


def hunk_matches(hunk: Hunk, idents: set[str]) -> bool:
    name = PurePosixPath(hunk.path).name
    stem = PurePosixPath(hunk.path).stem
    text = hunk.text()
    for ident in idents:
        if ident == name or (len(ident) >= 4 and ident == stem):
            return True
        bare = ident.rstrip("()")
        if re.fullmatch(r"[\w.]+", bare):
            last = bare.rsplit(".", 1)[-1]
            if len(last) >= 4 and re.search(rf"(?<![\w]){re.escape(last)}(?![\w])", text):
                return True
    return False


# ---------------------------------------------------------------------------------------------
# Debian: changelog blocks and quilt patches


def debian_entries(changelog: str, old_version: str) -> list[tuple[str, str]]:
    """(version, entry) for every upload above `old_version` in debian/changelog."""
    out: list[tuple[str, str]] = []
    version = None
    current: list[str] | None = None
    for line in changelog.splitlines():
        head = re.match(r"^(\S+) \(([^)]+)\) ", line)
        if head:
            version = head[2]
            if version == old_version:
                break
            current = None
            continue
        if version is None:
            continue
        match = re.match(r"^  (?:\[ [^\]]+ \]\s*)?\* (.*)$", line)
        sub = re.match(r"^    (?:[-+*]) (.*)$", line)
        if match:
            current = [match[1].strip()]
            out.append((version, current))  # type: ignore[arg-type]
        elif sub and current is not None:
            current.append(sub[1].strip())
        elif line.startswith("    ") and current is not None:
            current.append(line.strip())
        elif line.startswith(" -- "):
            current = None
    return [(v, " ".join(e)) for v, e in out]  # type: ignore[misc]


def parse_patch(text: str) -> tuple[str, list[tuple[str, int, list[str], list[tuple[str, str]]]]]:
    """(header text, [(path, old start, old-side lines, [(op, line)])]) of one quilt patch."""
    lines = text.splitlines()
    header: list[str] = []
    files: list[tuple[str, int, list[str], list[tuple[str, str]]]] = []
    path = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ "):
            target = lines[i + 1][4:].split("\t")[0].strip()
            source = line[4:].split("\t")[0].strip()
            chosen = target if target != "/dev/null" else source
            parts = chosen.split("/")
            path = "/".join(parts[1:]) if len(parts) > 1 else chosen
            i += 2
            continue
        match = _HUNK_RE.match(line)
        if match and path is not None:
            old_start, old_count = int(match[1]), int(match[2] if match[2] is not None else 1)
            new_count = int(match[4] if match[4] is not None else 1)
            body: list[tuple[str, str]] = []
            seen_old = seen_new = 0
            i += 1
            while i < len(lines) and (seen_old < old_count or seen_new < new_count):
                line = lines[i]
                op, rest = (line[:1], line[1:]) if line else (" ", "")
                if op == "\\":
                    i += 1
                    continue
                if op not in " -+":
                    break
                body.append((op, rest))
                seen_old += op in " -"
                seen_new += op in " +"
                i += 1
            files.append((path, old_start, [r for o, r in body if o in " -"], body))
            continue
        if path is None:
            header.append(line)
        i += 1
    return "\n".join(header), files


def locate_patch_hunk(old_lines: list[str], start: int, old_side: list[str],
                      body: list[tuple[str, str]]) -> tuple[int, int] | None:
    """The old-file line range the hunk changes, found by its old-side text (nearest to `start`)."""
    if not old_side:
        return None
    n = len(old_side)
    strip = [s.rstrip() for s in old_side]
    candidates = []
    first = strip[0]
    for i in range(0, len(old_lines) - n + 1):
        if old_lines[i].rstrip() == first and [ln.rstrip() for ln in old_lines[i:i + n]] == strip:
            candidates.append(i)
    if not candidates:
        return None
    base = min(candidates, key=lambda i: abs(i + 1 - start))
    # positions of '-' lines, or the insertion point of '+' lines, relative to the old side
    offset = 0
    removed: list[int] = []
    inserted_at: list[int] = []
    for op, _ in body:
        if op == "-":
            removed.append(base + offset + 1)
        if op == "+":
            inserted_at.append(base + offset)  # the line before the insertion (1-based)
        if op in " -":
            offset += 1
    if removed:
        lo, hi = min(removed), max(removed)
        if inserted_at:
            lo, hi = min(lo, max(1, min(inserted_at))), max(hi, min(len(old_lines), max(inserted_at) + 1))
        return lo, hi
    if inserted_at:
        return max(1, min(inserted_at)), min(len(old_lines), max(inserted_at) + 1)
    return None


def patch_subject(header: str) -> str:
    """The first Description:/Subject: line of a patch header, as a user would write it."""
    for line in header.splitlines():
        match = re.match(r"^(?:Description|Subject):\s*(?:\[PATCH[^\]]*\]\s*)?(.*)$", line, re.I)
        if match and match[1].strip():
            return clean_entry(match[1].strip())
    return ""


def patch_hunks(patch_files: list, root: Path, languages: dict[str, str]) -> tuple[list[Hunk], dict[str, int]] | None:
    """The hunks of a parsed patch that change source files of `root` (parse_patch's files), located in
    that tree, with each file's length; None when one of them is not where the patch says."""
    hunks: list[Hunk] = []
    lengths: dict[str, int] = {}
    for path, start, old_side, body in patch_files:
        lang = languages.get(path)
        if lang is None:
            continue
        text = read_text(root / path)
        if text is None:
            return None
        old_lines = text.splitlines()
        found = locate_patch_hunk(old_lines, start, old_side, body)
        if found is None:
            return None
        lengths[path] = len(old_lines)
        lo, hi = found
        hunks.append(Hunk(path, lang, lo, hi - lo + 1, [r for o, r in body if o == "-"],
                          [r for o, r in body if o == "+"]))
    return hunks, lengths
