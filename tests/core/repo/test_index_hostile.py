"""Whatever is at the index's names in the cache, and however long the folder's name, the index works.

A FIFO, a directory or a link (to /dev/zero, or to nothing) at `<name>-<digest>.sqlite3`, at its
-wal, -shm or -journal file or at its lock file is removed (looked at with lstat only: a FIFO
opened would block the test) and the index rebuilt; a file whose schema is not the app's is
rebuilt too; a folder name too long for the file system gives a shorter file name.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from app.core.repo.index import NAME_BYTES, RepoIndex, index_file_name
from app.core.repo.pack import approximate_tokens, pack

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")


def make_repo(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "retry.py").write_text("class RetryPolicy:\n    def attempts(self):\n        return 3\n")
    (root / "client.py").write_text("from retry import RetryPolicy\n\n\ndef fetch():\n    return RetryPolicy()\n")
    return root


def answers(index: RepoIndex) -> list[str]:
    index.update()
    return sorted({c.path for c in pack(index, "where is RetryPolicy defined?", 400, approximate_tokens).chunks})


def expected_path(repo: Path, cache: Path) -> Path:
    index = RepoIndex(repo, cache)
    path = index.path
    index.close()
    remove_all(path)
    return path


def remove_all(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal", ".lock"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def plant(at: Path, kind: str) -> None:
    if kind == "fifo":
        os.mkfifo(at)
    elif kind == "directory":
        at.mkdir()
        (at / "x").mkdir()
        (at / "x" / "y").write_text("z")
    elif kind == "link to /dev/zero":
        at.symlink_to("/dev/zero")
    else:
        at.symlink_to(at.with_name("nowhere"))


KINDS = ["fifo", "directory", "link to /dev/zero", "dangling link"]


@needs_fifo
@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal", ".lock"])
@pytest.mark.parametrize("kind", KINDS)
def test_not_a_file_at_an_index_name_is_removed_and_the_index_rebuilt(tmp_path: Path, suffix: str,
                                                                      kind: str) -> None:
    repo = make_repo(tmp_path / "repo")
    cache = tmp_path / "cache"
    if suffix in ("", ".lock"):
        path = expected_path(repo, cache)
    else:  # beside a built index, whose WAL SQLite then opens
        index = RepoIndex(repo, cache)
        index.update()
        path = index.path
        index.close()
    planted = Path(f"{path}{suffix}")
    planted.unlink(missing_ok=True)
    plant(planted, kind)
    for _run in range(2):  # every run works, not only the first
        index = RepoIndex(repo, cache)
        try:
            assert answers(index) == ["client.py", "retry.py"]
        finally:
            index.close()
        assert path.is_file() and not path.is_symlink()
        assert not planted.is_symlink() and not (os.path.lexists(planted) and not planted.is_file())
    assert os.path.exists("/dev/zero")
    assert sorted(p.name for p in cache.iterdir() if "removed" in p.name) == []  # a directory's remains are gone


@needs_fifo
def test_a_fifo_planted_while_running_is_removed_on_the_next_open(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    cache = tmp_path / "cache"
    index = RepoIndex(repo, cache)
    index.update()
    path = index.path
    index.close()
    remove_all(path)
    os.mkfifo(path)
    os.mkfifo(f"{path}-wal")
    index = RepoIndex(repo, cache)
    try:
        assert answers(index) == ["client.py", "retry.py"]
    finally:
        index.close()


@pytest.mark.parametrize("script", [
    "CREATE TABLE files (path TEXT)",  # user_version 0: the app's IF NOT EXISTS would keep it
    "CREATE TRIGGER x BEFORE INSERT ON files BEGIN SELECT RAISE(ABORT, 'no'); END",
    "CREATE VIEW chunks_view AS SELECT 1",
    "CREATE INDEX foreign_i ON chunks(text)",
])
def test_a_schema_that_is_not_the_apps_is_rebuilt(tmp_path: Path, script: str) -> None:
    repo = make_repo(tmp_path / "repo")
    cache = tmp_path / "cache"
    if script.startswith("CREATE TABLE"):
        path = expected_path(repo, cache)
        db = sqlite3.connect(path)
    else:
        index = RepoIndex(repo, cache)
        index.update()
        path = index.path
        index.close()
        db = sqlite3.connect(path)
    db.execute(script)
    db.commit()
    db.close()
    for _run in range(2):
        index = RepoIndex(repo, cache)
        try:
            assert answers(index) == ["client.py", "retry.py"]
        finally:
            index.close()
    db = sqlite3.connect(path)
    names = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type IN ('trigger', 'view')")}
    db.close()
    assert names == set()


@pytest.mark.parametrize("name", ["b" * 250, "é" * 127, "a" + "日本" * 40, "x" * 63 + "é"])
def test_a_folder_name_too_long_for_a_file_name(tmp_path: Path, name: str) -> None:
    try:
        repo = make_repo(tmp_path / name)
    except OSError:
        pytest.skip("this file system does not take such a name")
    cache = tmp_path / "cache"
    index = RepoIndex(repo, cache)
    try:
        assert answers(index) == ["client.py", "retry.py"]
        readable = index.path.name.rsplit("-", 1)[0]
        assert name.startswith(readable) and len(readable.encode()) <= NAME_BYTES
        assert NAME_BYTES - 3 <= len(readable.encode())  # cut at the last whole character
        assert len(index.path.name.encode()) + len("-journal") < 128
    finally:
        index.close()


def test_short_names_are_unchanged_so_existing_indexes_stay_valid(tmp_path: Path) -> None:
    for name in ["myproject", "b" * NAME_BYTES, "projet-été", "x"]:
        root = tmp_path / name
        digest = hashlib.sha1(str(root).encode()).hexdigest()[:16]
        assert index_file_name(root, digest) == f"{name}-{digest}.sqlite3"
    repo = make_repo(tmp_path / "repo")
    index = RepoIndex(repo, tmp_path / "cache")
    try:
        digest = hashlib.sha1(str(repo.resolve()).encode()).hexdigest()[:16]
        assert index.path.name == f"repo-{digest}.sqlite3"
    finally:
        index.close()


def test_index_connections_distrust_the_schema(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    index = RepoIndex(repo, tmp_path / "cache")
    try:
        assert index._db is not None and index._db.execute("PRAGMA trusted_schema").fetchone()[0] == 0
    finally:
        index.close()
