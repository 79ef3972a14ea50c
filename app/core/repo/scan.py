"""Walk a repository the way git sees it, and say why each skipped file was skipped.

Honours .gitignore files at every level and .git/info/exclude (with pathspec's git-exact
matching), plus rules of the app's own that the user can see and change: size limit, binary
detection, generated and vendored files. Symbolic links are followed only when they stay inside
the root, and each real directory is visited once, so link loops end. Unreadable and non-UTF-8
files are reported, never fatal. The walk is a generator, so callers can show progress and
cancel, and a file limit bounds time and memory on huge trees.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pathspec

from app.core.errors import UserError

# Directories no one wants in a code question, even without a .gitignore.
DEFAULT_EXCLUDES = (".git/", ".hg/", ".svn/", "node_modules/", "__pycache__/", ".venv/", "venv/", ".tox/",
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


def _spec(lines: list[str]) -> pathspec.GitIgnoreSpec | None:
    lines = [ln for ln in lines if ln.strip() and not ln.startswith("#")]
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


def _tracked_files(root: Path) -> frozenset[str]:
    """Files git tracks here: a tracked file is listed by git even when a .gitignore matches it."""
    git = shutil.which("git")
    if git is None or not (root / ".git").exists():
        return frozenset()
    try:
        out = subprocess.run([git, "-C", str(root), "ls-files", "-z", "--cached"], capture_output=True, timeout=30,
                             check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    files = [name for name in out.decode("utf-8", "replace").split("\0") if name]
    # Files and every folder above them, so an ignored folder holding tracked files is entered.
    folders = {name.rsplit("/", i)[0] for name in files for i in range(1, name.count("/") + 1)}
    return frozenset(files) | frozenset(folders)


def _has_negation(spec: pathspec.GitIgnoreSpec) -> bool:
    return any(getattr(p, "include", None) is False for p in spec.patterns)


def _read_ignore(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8-sig", errors="replace").splitlines()  # git ignores a BOM
    except OSError:
        return []


def classify_text(data: bytes, max_line_chars: int) -> str | None:
    """Why this content is not source text ("binary", "not UTF-8", "generated"), or None."""
    if b"\x00" in data[:8192]:
        return "binary"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8"
    lines = text.count("\n") + 1
    if len(text) > 4 * max_line_chars and len(text) / lines > max_line_chars:
        return "generated"
    if "@generated" in text[:2000] or "DO NOT EDIT" in text[:2000]:
        return "generated"
    return None


def read_source(root: Path, rel: str, rules: ScanRules) -> tuple[str | None, str | None]:
    """(text, None) for a usable source file, or (None, reason)."""
    try:
        data = (root / rel).read_bytes()
    except OSError as exc:
        return None, f"unreadable ({exc.strerror or exc})"
    if len(data) > rules.max_file_bytes:
        return None, "too large"
    reason = classify_text(data, rules.max_line_chars)
    return (None, reason) if reason else (data.decode("utf-8"), None)


def scan(root: Path, rules: ScanRules | None = None,
         cancel: threading.Event | None = None) -> Iterator[ScannedFile | Skipped]:
    """Yield every candidate source file (and every skip with its reason) under `root`."""
    rules = rules or ScanRules()
    try:
        root = root.expanduser().resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise RepoError(f"cannot open {root}: {exc}") from None
    if not root.is_dir():
        raise RepoError(f"{root} is not a folder")
    own = _spec(list(rules.extra_excludes))
    forced = _spec(list(rules.includes))
    exclude = _read_ignore(root / ".git" / "info" / "exclude") if rules.honour_gitignore else []
    root_specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []
    if (spec := _spec(exclude)) is not None:
        root_specs.append(("", spec))
    seen_dirs: set[tuple[int, int]] = set()
    tracked = _tracked_files(root) if rules.honour_gitignore else frozenset()
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


def _walk(root: Path, rel_dir: str, specs: list[tuple[str, pathspec.GitIgnoreSpec]],
          own: pathspec.GitIgnoreSpec | None, forced: pathspec.GitIgnoreSpec | None, rules: ScanRules,
          seen_dirs: set[tuple[int, int]], cancel: threading.Event | None = None,
          tracked: frozenset[str] = frozenset()) -> Iterator[ScannedFile | Skipped]:
    directory = root / rel_dir if rel_dir else root
    try:
        st = directory.stat()
    except OSError as exc:
        yield Skipped(rel_dir or ".", f"unreadable ({exc.strerror or exc})")
        return
    key = (st.st_dev, st.st_ino)
    if key in seen_dirs:
        yield Skipped(rel_dir, "loop")
        return
    seen_dirs.add(key)
    if rules.honour_gitignore and (spec := _spec(_read_ignore(directory / ".gitignore"))) is not None:
        specs = [*specs, (rel_dir, spec)]
    try:
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield Skipped(rel_dir or ".", f"unreadable ({exc.strerror or exc})")
        return
    for entry in entries:
        if cancel is not None and cancel.is_set():
            return
        rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
        try:
            rel.encode("utf-8")
        except UnicodeEncodeError:  # a file name that is not valid UTF-8: no way to cite it
            yield Skipped(rel.encode("utf-8", "replace").decode(), "name not UTF-8")
            continue
        try:
            is_link = entry.is_symlink()
            if is_link:
                target = Path(entry.path).resolve()
                if not target.is_relative_to(root):
                    yield Skipped(rel, "outside root")
                    continue
                if target.is_dir():
                    yield Skipped(rel, "link to a folder (git does not follow it)")
                    continue
            info = os.stat(entry.path)  # follows links (already checked to stay inside)
        except (OSError, RuntimeError):  # dangling link, permission, or a link cycle
            yield Skipped(rel, "unreadable (broken link or no permission)")
            continue
        if stat.S_ISDIR(info.st_mode):
            if _ignored(rel, True, specs, own, forced, tracked):
                continue  # ignored folders are not listed one file at a time (unless git tracks files in them)
            yield from _walk(root, rel, specs, own, forced, rules, seen_dirs, cancel, tracked)
        elif stat.S_ISREG(info.st_mode):
            if _ignored(rel, False, specs, own, forced, tracked):
                yield Skipped(rel, "ignored")
            elif info.st_size > rules.max_file_bytes:
                yield Skipped(rel, "too large")
            else:
                yield ScannedFile(rel, info.st_size, info.st_mtime_ns)


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
