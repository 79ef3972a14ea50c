"""A repository index damaged in its middle is rebuilt (it is a cache) and answers as before."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from app.core import sqlite_recovery
from app.core.repo.index import RepoIndex
from app.core.repo.pack import approximate_tokens, pack
from app.core.repo.scan import RepoError
from tests.core.repo.test_index_concurrency import big_repo

QUESTION = "where is word_17_3 defined and what does word_5_9 return?"


def answer(index: RepoIndex) -> list[tuple[str, int, str]]:
    return [(c.path, c.start_line, c.text) for c in pack(index, QUESTION, 600, approximate_tokens).chunks]


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path, list]:
    repo = big_repo(tmp_path / "repo", files=80)
    cache = tmp_path / "cache"
    index = RepoIndex(repo, cache)
    index.update()
    expected = answer(index)
    assert expected
    index.close()  # checkpointed: every page is in the main file
    return repo, cache, expected


def smash(path: Path, pages: list[int], page_size: int = 4096) -> None:
    rng = random.Random(3)
    with open(path, "r+b") as f:
        for page in pages:
            f.seek((page - 1) * page_size)
            f.write(rng.randbytes(page_size))


def middle_pages(path: Path) -> list[int]:
    count = path.stat().st_size // 4096
    return list(range(count * 2 // 5, count * 3 // 5))


def table_pages(path: Path, table: str) -> list[int]:
    db = sqlite3.connect(path)
    try:
        return [p for (p,) in db.execute("SELECT pageno FROM dbstat WHERE name = ?", (table,))]
    finally:
        db.close()


def test_damaged_middle_is_rebuilt_at_open(built) -> None:
    repo, cache, expected = built
    index = RepoIndex(repo, cache)
    path = index.path
    index.close()
    smash(path, middle_pages(path))
    rebuilt = RepoIndex(repo, cache)
    try:
        assert rebuilt.update().reindexed == 80  # rebuilt from the files
        assert answer(rebuilt) == expected
        assert rebuilt.update().reindexed == 0  # and sound again: the next run reads nothing
    finally:
        rebuilt.close()


def test_damage_found_mid_update_rebuilds_in_that_update(built, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, cache, expected = built
    index = RepoIndex(repo, cache)
    path = index.path
    index.close()
    smash(path, table_pages(path, "files"))
    monkeypatch.setattr(sqlite_recovery, "CHECK_AT_OPEN_MAX_BYTES", 0)  # as for an index too big to check
    again = RepoIndex(repo, cache)
    try:
        stats = again.update()  # reads the damaged files table
        assert stats.reindexed == 80 and stats.files == 80
        assert answer(again) == expected
    finally:
        again.close()


def test_damage_found_by_a_question_rebuilds_and_says_so(built, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, cache, expected = built
    index = RepoIndex(repo, cache)
    path = index.path
    index.close()
    smash(path, table_pages(path, "chunks_fts_data"))
    monkeypatch.setattr(sqlite_recovery, "CHECK_AT_OPEN_MAX_BYTES", 0)
    again = RepoIndex(repo, cache)
    try:
        assert again.update().reindexed == 0  # nothing changed, so nothing damaged was read yet
        with pytest.raises(RepoError, match="rebuilt") as caught:
            answer(again)
        assert caught.value.retryable
        assert answer(again) == expected  # already rebuilt: asking again just works
        assert again.update().reindexed == 0
    finally:
        again.close()


def test_cli_question_that_finds_damage_is_answered_on_the_rebuilt_index(
        built, app_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    import json

    from app.cli import run_cli

    repo, _cache, _expected = built
    argv = ["context", "--repo", str(repo), "--budget", "600", QUESTION, "--json"]
    assert run_cli(argv) == 0  # builds the index the CLI uses, in the app's cache
    first = json.loads(capsys.readouterr().out)
    index = RepoIndex(repo, app_home / "cache" / "repos")
    path = index.path
    index.close()
    smash(path, table_pages(path, "chunks_fts_data"))
    monkeypatch.setattr(sqlite_recovery, "CHECK_AT_OPEN_MAX_BYTES", 0)  # found by the question, not at open
    assert run_cli(argv) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["chunks"] == first["chunks"]
    assert "error" not in captured.err
