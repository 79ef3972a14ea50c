"""The files git tracks in a folder, read from .git/index without running git.

Running `git ls-files` in a dropped folder would honour that folder's own .git/config, and keys
such as core.fsmonitor make git run any program the config names. Folders come from archives and
shared disks, so the app reads the index file itself: a documented binary format (versions 2-4),
read with the same bounded, link-refusing reads as every other file of the folder, so nothing of
the folder is ever executed. A library (dulwich) would bring a whole git implementation for this
one list of names and would still need those careful reads.

Layout (git's Documentation/gitformat-index): "DIRC", version, entry count; per entry 40 bytes of
stat data, the object hash (20 bytes, 32 in SHA-256 repositories), 16 bits of flags, 16 more when
the extended bit is set (version 3+), then the path: NUL-terminated and padded to 8 bytes
(versions 2-3) or prefix-compressed against the previous path (version 4).
"""

from __future__ import annotations

import logging
import re
import struct
from pathlib import Path

from app.core.safe_read import UnsafeFile, read_inside

log = logging.getLogger(__name__)

MAX_INDEX_BYTES = 256 * 1024 * 1024  # a repository of millions of files has an index of a few hundred MB
MAX_CONFIG_BYTES = 1024 * 1024
_STAT_BYTES = 40
_EXTENDED = 0x4000
_SHA256_RE = re.compile(rb"^\s*objectformat\s*=\s*sha256\s*$", re.IGNORECASE | re.MULTILINE)


class IndexFormatError(ValueError):
    pass


def _git_dir(root: Path) -> str | None:
    """The git directory relative to `root`, when it is a real folder inside it."""
    dot_git = root / ".git"
    if dot_git.is_symlink():
        return None
    if dot_git.is_dir():
        return ".git"
    try:  # a worktree or submodule: ".git" is a file "gitdir: <path>"
        text = read_inside(root, ".git", 4096, follow_inside=False).decode("utf-8", "replace").strip()
    except UnsafeFile:
        return None
    if not text.startswith("gitdir:"):
        return None
    target = (root / text[len("gitdir:"):].strip())
    try:
        target = target.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not target.is_relative_to(root) or target == root or not target.is_dir():
        return None  # the index of a folder outside the one opened is not read
    return target.relative_to(root).as_posix()


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """Git's offset encoding (each continuation adds one before shifting), as in version-4 paths."""
    byte = data[pos]
    pos += 1
    value = byte & 0x7F
    while byte & 0x80:
        byte = data[pos]
        pos += 1
        value = ((value + 1) << 7) | (byte & 0x7F)
    return value, pos


def parse_index(data: bytes, hash_size: int = 20) -> tuple[list[str], str | None]:
    """Paths listed in a git index file (a conflict's stages appear more than once), and the shared
    index a split index refers to (its "link" extension), if any."""
    if len(data) < 12 or data[:4] != b"DIRC":
        raise IndexFormatError("not a git index")
    version, count = struct.unpack(">II", data[4:12])
    if version not in (2, 3, 4):
        raise IndexFormatError(f"index version {version}")
    fixed = _STAT_BYTES + hash_size + 2
    if count > len(data) // (fixed - 1):  # every entry takes at least its fixed part
        raise IndexFormatError("entry count larger than the file")
    paths: list[str] = []
    previous = b""
    pos = 12
    try:
        for _ in range(count):
            start = pos
            (flags,) = struct.unpack(">H", data[pos + fixed - 2:pos + fixed])
            pos += fixed
            if flags & _EXTENDED and version >= 3:
                pos += 2
            if version == 4:
                strip, pos = _varint(data, pos)
                if strip > len(previous):
                    raise IndexFormatError("bad path compression")
                end = data.index(b"\0", pos)
                name = previous[:len(previous) - strip] + data[pos:end]
                pos = end + 1
            else:
                end = data.index(b"\0", pos)
                name = data[pos:end]
                pos = start + ((end - start) // 8 + 1) * 8  # NUL padding to a multiple of 8
            if pos > len(data):
                raise IndexFormatError("truncated entry")
            previous = name
            paths.append(name.decode("utf-8", "surrogateescape").rstrip("/"))  # sparse folders end in "/"
    except (struct.error, ValueError, IndexError) as exc:
        if isinstance(exc, IndexFormatError):
            raise
        raise IndexFormatError("truncated index") from None
    return paths, _shared_index(data, pos, hash_size)


def _shared_index(data: bytes, pos: int, hash_size: int) -> str | None:
    """Walk the extensions after the entries (signature, 32-bit size, body) for a "link" one."""
    end = len(data) - hash_size  # the file ends with a checksum
    while pos + 8 <= end:
        signature = data[pos:pos + 4]
        (size,) = struct.unpack(">I", data[pos + 4:pos + 8])
        if signature == b"link" and size >= hash_size:
            digest = data[pos + 8:pos + 8 + hash_size]
            return "sharedindex." + digest.hex() if any(digest) else None
        pos += 8 + size
    return None


def tracked_paths(root: Path) -> frozenset[str]:
    """Files git tracks under `root` and every folder above them, or nothing when there is no readable index.

    A tracked file is listed by git even when a .gitignore matches it, so the scan keeps it; its
    folders are returned too, so an ignored folder holding tracked files is still entered.
    """
    git_dir = _git_dir(root)
    if git_dir is None:
        return frozenset()
    try:
        config = read_inside(root, f"{git_dir}/config", MAX_CONFIG_BYTES, follow_inside=False)
    except UnsafeFile:
        config = b""
    hash_size = 32 if _SHA256_RE.search(config) else 20
    try:
        data = read_inside(root, f"{git_dir}/index", MAX_INDEX_BYTES, follow_inside=False)
        names, shared = parse_index(data, hash_size)
    except (UnsafeFile, IndexFormatError) as exc:
        log.info("git index of %s not used: %s", root, exc)
        return frozenset()
    if shared:  # a split index lists only what changed since the shared one
        try:
            names += parse_index(read_inside(root, f"{git_dir}/{shared}", MAX_INDEX_BYTES, follow_inside=False),
                                 hash_size)[0]
        except (UnsafeFile, IndexFormatError) as exc:
            log.info("shared git index of %s not used: %s", root, exc)
    files = {name for name in names if name and not name.startswith("/")}
    folders = {name.rsplit("/", i)[0] for name in files for i in range(1, name.count("/") + 1)}
    return frozenset(files | folders)
