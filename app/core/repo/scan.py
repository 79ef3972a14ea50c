"""Walk a repository the way git sees it, and say why each skipped file was skipped.

Honours .gitignore files at every level and .git/info/exclude (with pathspec's git-exact
matching), plus rules of the app's own that the user can see and change: size limit, binary
detection, generated and vendored files. Symbolic links are followed only when they stay inside
the root, and each real directory is visited once, so link loops end. Unreadable and non-UTF-8
files are reported, never fatal. The walk is a generator, so callers can show progress and
cancel, and a file limit bounds time and memory on huge trees.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pathspec

from app.core.errors import UserError
from app.core.i18n import translate
from app.core.repo.git_index import tracked_paths
from app.core.safe_read import UnsafeFile, read_inside

log = logging.getLogger(__name__)

MAX_IGNORE_BYTES = 256 * 1024  # git's own limit for a .gitignore is 100 MB; real ones are a few KB
MAX_PATTERNS = 2_000  # per ignore file: the largest real ones (generated templates) hold a few hundred
MAX_WILDCARDS = 3  # runs of * in one pattern ("**/*.min.*" has three); more only come from an attacker
_STAR_RUNS_RE = re.compile(r"\*+")
# Git never checks out hard links, and the other name of one may lie outside the folder (a shared
# disk, an archive unpacked by someone else): such files are not read.
HARD_LINK = translate("core", "hard link (its other name may be outside the folder)")
# Deeper trees are not source code (and their paths outgrow what the OS accepts); git's own
# core.maxTreeDepth bounds the same thing.
MAX_DEPTH = 256

# The fixed skip reasons by their English: a reason read back from the index (stored as plain text)
# is shown translated again. The sources are the ones the scan below marks.
_FIXED_REASONS = {str(reason): reason for reason in (
    translate("core", "binary"), translate("core", "not UTF-8"), translate("core", "generated"),
    translate("core", "loop"), translate("core", "name not UTF-8"), translate("core", "outside root"),
    translate("core", "link to a folder (git does not follow it)"),
    translate("core", "unreadable (broken link or no permission)"), translate("core", "ignored"),
    translate("core", "too large"), translate("core", "not a regular file"), HARD_LINK)}


def known_reason(text: str) -> str:
    """A skip reason as the scan words it: the marked (translatable) form of a fixed reason stored as plain text."""
    return _FIXED_REASONS.get(text, text)

# Directories no one wants in a code question, even without a .gitignore.
DEFAULT_EXCLUDES = (".git", ".hg/", ".svn/", "node_modules/", "__pycache__/", ".venv/", "venv/", ".tox/",
                    ".mypy_cache/", ".pytest_cache/", ".ruff_cache/", ".idea/", ".vscode/",
                    "*.min.js", "*.min.css", "*.map", "package-lock.json", "yarn.lock", "pnpm-lock.yaml",
                    "poetry.lock", "Cargo.lock", "*.pyc", "*.so", "*.dll", "*.dylib", "*.o", "*.a", "*.class",
                    "*.jar", "*.png", "*.jpg", "*.jpeg", "*.gif", "*.ico", "*.pdf", "*.zip", "*.gz", "*.tar",
                    "*.whl", "*.gguf", "*.bin", "*.sqlite3", "*.db")


@dataclass
class ScanRules:
    max_file_bytes: int = 1_000_000  # larger files are logs, data or generated code, not source
    max_files: int = 50_000  # a tree beyond this is not a repository to pack into a prompt
    max_line_chars: int = 1_000  # average line longer than this: minified or generated
    extra_excludes: tuple[str, ...] = DEFAULT_EXCLUDES  # gitignore-style patterns
    includes: tuple[str, ...] = ()  # patterns the user forces back in (checked last)
    honour_gitignore: bool = True


@dataclass(frozen=True)
class ScannedFile:
    path: str  # relative to the root, with forward slashes
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str  # "ignored", "too large", "binary", "generated", "unreadable", "not UTF-8", "outside root", "loop"


@dataclass
class ScanResult:
    root: Path
    files: list[ScannedFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    truncated: bool = False  # max_files reached


class RepoError(UserError):
    pass


def _too_costly(pattern: str) -> bool:
    """A pattern whose matching could run for minutes: each run of `*` is a regex wildcard the
    matcher backtracks over, so the cost grows with the name length to the power of their count."""
    return len(_STAR_RUNS_RE.findall(pattern)) > MAX_WILDCARDS or len(pattern) > 4096


def _spec(lines: list[str], source: str = "") -> pathspec.GitIgnoreSpec | None:
    lines = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
    kept = [ln for ln in lines if not _too_costly(ln)]
    if len(kept) < len(lines):
        log.warning("%s: %d pattern(s) with more than %d wildcards not used", source or "ignore rules",
                    len(lines) - len(kept), MAX_WILDCARDS)
    if len(kept) > MAX_PATTERNS:  # every file is matched against every pattern
        log.warning("%s: only the first %d of %d patterns used", source or "ignore rules", MAX_PATTERNS, len(kept))
        kept = kept[:MAX_PATTERNS]
    try:
        return pathspec.GitIgnoreSpec.from_lines(kept) if kept else None
    except (ValueError, re.error, RecursionError) as exc:  # a pattern git would ignore too
        log.warning("%s: ignore patterns not used (%s)", source or "ignore rules", exc)
        return None


def _has_negation(spec: pathspec.GitIgnoreSpec) -> bool:
    return any(getattr(p, "include", None) is False for p in spec.patterns)


def _read_ignore(root: Path, rel: str) -> list[str]:
    """An ignore file's lines; like git, a link named .gitignore is not followed, and only a regular file is read."""
    try:
        data = read_inside(root, rel, MAX_IGNORE_BYTES, follow_inside=False)
    except UnsafeFile as exc:
        if not exc.reason.startswith("unreadable (No such file"):
            log.info("ignore file %s not read: %s", rel, exc)
        return []
    return data.decode("utf-8-sig", errors="replace").splitlines()  # git ignores a BOM


def classify_text(data: bytes, max_line_chars: int) -> str | None:
    """Why this content is not source text ("binary", "not UTF-8", "generated"), or None."""
    if b"\x00" in data[:8192]:
        return translate("core", "binary")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return translate("core", "not UTF-8")
    lines = text.count("\n") + 1
    if len(text) > 4 * max_line_chars and len(text) / lines > max_line_chars:
        return translate("core", "generated")
    if "@generated" in text[:2000] or "DO NOT EDIT" in text[:2000]:
        return translate("core", "generated")
    return None


def read_source(root: Path, rel: str, rules: ScanRules) -> tuple[str | None, str | None]:
    """(text, None) for a usable source file, or (None, reason)."""
    try:  # the file may have been swapped for a link or a FIFO since the scan: check what is opened
        data = read_inside(root, rel, rules.max_file_bytes, single_link=True)
    except UnsafeFile as exc:
        return None, exc.reason
    reason = classify_text(data, rules.max_line_chars)
    return (None, reason) if reason else (data.decode("utf-8"), None)


def scan(root: Path, rules: ScanRules | None = None,
         cancel: threading.Event | None = None) -> Iterator[ScannedFile | Skipped]:
    """Yield every candidate source file (and every skip with its reason) under `root`."""
    rules = rules or ScanRules()
    try:
        root = root.expanduser().resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise RepoError(translate("core", "cannot open {root}: {reason}").format(root=root, reason=exc)) from None
    if not root.is_dir():
        raise RepoError(translate("core", "{root} is not a folder").format(root=root))
    own = _spec(list(rules.extra_excludes))
    forced = _spec(list(rules.includes))
    exclude = _read_ignore(root, ".git/info/exclude") if rules.honour_gitignore else []
    root_specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []
    if (spec := _spec(exclude, ".git/info/exclude")) is not None:
        root_specs.append(("", spec))
    seen_dirs: set[tuple[int, int]] = set()
    tracked = tracked_paths(root) if rules.honour_gitignore else frozenset()
    yield from _walk(root, "", root_specs, own, forced, rules, seen_dirs, cancel, tracked)


def _ignored(rel: str, is_dir: bool, specs: list[tuple[str, pathspec.GitIgnoreSpec]],
             own: pathspec.GitIgnoreSpec | None, forced: pathspec.GitIgnoreSpec | None,
             tracked: frozenset[str] = frozenset()) -> bool:
    probe = rel + "/" if is_dir else rel
    if forced is not None and forced.match_file(probe):
        return False
    if own is not None and own.match_file(probe):
        return True
    if rel in tracked:
        return False  # git lists a tracked file (and enters its folders) whatever .gitignore says
    verdict = False
    for base, spec in specs:  # deeper .gitignore files override shallower ones
        if is_dir and _has_negation(spec):
            continue  # a later "!pattern" may re-include something inside: decide file by file
        local = probe[len(base) + 1:] if base else probe
        result = spec.check_file(local).include
        if result is not None:
            verdict = result
    return verdict


@dataclass
class _Folder:
    rel: str
    specs: list[tuple[str, pathspec.GitIgnoreSpec]]
    entries: Iterator[os.DirEntry]
    depth: int


def _open_folder(root: Path, rel_dir: str, specs: list[tuple[str, pathspec.GitIgnoreSpec]], rules: ScanRules,
                 seen_dirs: set[tuple[int, int]], depth: int) -> _Folder | Skipped | None:
    """A folder's sorted entries and ignore rules, or why it is skipped (None: already reported elsewhere)."""
    directory = root / rel_dir if rel_dir else root
    if depth > MAX_DEPTH:
        return Skipped(rel_dir, translate("core", "nested deeper than {most} folders").format(most=MAX_DEPTH))
    try:
        st = directory.stat()
    except OSError as exc:
        return Skipped(rel_dir or ".", translate("core", "unreadable ({reason})").format(reason=exc.strerror or exc))
    key = (st.st_dev, st.st_ino)
    if key in seen_dirs:
        return Skipped(rel_dir, translate("core", "loop"))
    seen_dirs.add(key)
    if rules.honour_gitignore:
        ignore_rel = f"{rel_dir}/.gitignore" if rel_dir else ".gitignore"
        if (spec := _spec(_read_ignore(root, ignore_rel), ignore_rel)) is not None:
            specs = [*specs, (rel_dir, spec)]
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        return Skipped(rel_dir or ".", translate("core", "unreadable ({reason})").format(reason=exc.strerror or exc))
    return _Folder(rel_dir, specs, iter(entries), depth)


def _walk(root: Path, rel_dir: str, specs: list[tuple[str, pathspec.GitIgnoreSpec]],
          own: pathspec.GitIgnoreSpec | None, forced: pathspec.GitIgnoreSpec | None, rules: ScanRules,
          seen_dirs: set[tuple[int, int]], cancel: threading.Event | None = None,
          tracked: frozenset[str] = frozenset()) -> Iterator[ScannedFile | Skipped]:
    # An explicit stack, not recursion: a tree of thousands of nested folders must not exhaust
    # Python's recursion limit. Depth-first in name order, as the recursive walk was.
    first = _open_folder(root, rel_dir, specs, rules, seen_dirs, 0)
    if not isinstance(first, _Folder):
        if first is not None:
            yield first
        return
    stack = [first]
    while stack:
        folder = stack[-1]
        entry = next(folder.entries, None)
        if entry is None:
            stack.pop()
            continue
        if cancel is not None and cancel.is_set():
            return
        rel = f"{folder.rel}/{entry.name}" if folder.rel else entry.name
        try:
            rel.encode("utf-8")
        except UnicodeEncodeError:  # a file name that is not valid UTF-8: no way to cite it
            yield Skipped(rel.encode("utf-8", "replace").decode(), translate("core", "name not UTF-8"))
            continue
        try:
            is_link = entry.is_symlink()
            if is_link:
                target = Path(entry.path).resolve()
                if not target.is_relative_to(root):
                    yield Skipped(rel, translate("core", "outside root"))
                    continue
                if target.is_dir():
                    yield Skipped(rel, translate("core", "link to a folder (git does not follow it)"))
                    continue
            info = os.stat(entry.path)  # follows links (already checked to stay inside)
        except (OSError, RuntimeError):  # dangling link, permission, or a link cycle
            yield Skipped(rel, translate("core", "unreadable (broken link or no permission)"))
            continue
        if stat.S_ISDIR(info.st_mode):
            if _ignored(rel, True, folder.specs, own, forced, tracked):
                continue  # ignored folders are not listed one file at a time (unless git tracks files in them)
            child = _open_folder(root, rel, folder.specs, rules, seen_dirs, folder.depth + 1)
            if isinstance(child, _Folder):
                stack.append(child)
            elif child is not None:
                yield child
        elif stat.S_ISREG(info.st_mode):
            if _ignored(rel, False, folder.specs, own, forced, tracked):
                yield Skipped(rel, translate("core", "ignored"))
            elif info.st_nlink > 1:
                yield Skipped(rel, HARD_LINK)
            elif info.st_size > rules.max_file_bytes:
                yield Skipped(rel, translate("core", "too large"))
            else:
                yield ScannedFile(rel, info.st_size, info.st_mtime_ns)
        elif not _ignored(rel, False, folder.specs, own, forced, tracked):
            yield Skipped(rel, translate("core", "not a regular file"))  # FIFOs, sockets, devices: never opened


def scan_all(root: Path, rules: ScanRules | None = None, cancel: threading.Event | None = None) -> ScanResult:
    rules = rules or ScanRules()
    result = ScanResult(root=root.expanduser().resolve())
    for item in scan(root, rules, cancel):
        if isinstance(item, ScannedFile):
            if len(result.files) >= rules.max_files:
                result.truncated = True
                break
            result.files.append(item)
        else:
            result.skipped.append(item)
    return result
