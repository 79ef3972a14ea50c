"""Index and pack on a small real repository built in the test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.repo.index import RepoIndex
from app.core.repo.pack import approximate_tokens, pack
from app.core.repo.rank import query_terms
from tests.core.repo.test_scan import make

FILES = {
    "src/net/retry.py": "import time\n\n\nclass RetryPolicy:\n    def __init__(self, attempts=3):\n"
                        "        self.attempts = attempts\n\n    def sleep(self, n):\n        time.sleep(2 ** n)\n",
    "src/net/client.py": "from .retry import RetryPolicy\n\n\ndef fetch(url):\n    policy = RetryPolicy()\n"
                         "    for n in range(policy.attempts):\n        pass\n",
    "src/cli.py": "import argparse\n\n\ndef add_command(parser, name):\n    sub = parser.add_subparsers()\n"
                  "    return sub.add_parser(name)\n",
    "README.md": "# Demo\nA demo project.\n",
    "tests/test_cli.py": "from src.cli import add_command\n\n\ndef test_add():\n    assert add_command\n",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make(tmp_path / "demo", FILES)


def test_incremental_update(repo: Path, tmp_path: Path) -> None:
    index = RepoIndex(repo, tmp_path / "cache")
    stats = index.update()
    assert stats.files == 5 and stats.reindexed == 5 and stats.chunks >= 6
    again = index.update()
    assert again.reindexed == 0 and again.removed == 0  # nothing changed: nothing read
    (repo / "src" / "cli.py").write_text("def add_command(p, n):\n    return n\n")
    os.utime(repo / "src" / "cli.py", ns=(1, 1))
    (repo / "README.md").unlink()
    third = index.update()
    assert third.reindexed == 1 and third.removed == 1 and third.files == 4
    index.close()
    reopened = RepoIndex(repo, tmp_path / "cache")  # persistent: a new process starts warm
    assert reopened.update().reindexed == 0
    reopened.close()


def test_question_finds_definition_and_callers(repo: Path, tmp_path: Path) -> None:
    index = RepoIndex(repo, tmp_path / "cache")
    index.update()
    result = pack(index, "Where is the retry logic and how many attempts does RetryPolicy make?", 2000,
                  approximate_tokens)
    cited = [c.path for c in result.chunks]
    assert cited[0] == "src/net/retry.py"
    assert "src/net/client.py" in cited  # it uses RetryPolicy
    assert result.used_tokens <= 2000 and result.map_text.startswith("README.md")
    how = pack(index, "how do I add a new command?", 2000, approximate_tokens)
    assert how.chunks[0].path in ("src/cli.py", "tests/test_cli.py")
    index.close()


def test_budget_is_respected_and_json_is_stable(repo: Path, tmp_path: Path) -> None:
    index = RepoIndex(repo, tmp_path / "cache")
    index.update()
    small = pack(index, "RetryPolicy attempts", 120, approximate_tokens)
    assert small.used_tokens <= 120
    data = small.to_json()
    assert set(data) == {"question", "budget", "used_tokens", "map_tokens", "chunks"}
    for chunk in data["chunks"]:
        assert set(chunk) == {"path", "start_line", "end_line", "score", "tokens"}
        assert 1 <= chunk["start_line"] <= chunk["end_line"]
    assert pack(index, "anything", 0, approximate_tokens).chunks == []
    index.close()


def test_other_language_question_and_corrupt_cache(repo: Path, tmp_path: Path) -> None:
    index = RepoIndex(repo, tmp_path / "cache")
    index.update()
    result = pack(index, "¿Dónde está la lógica de RetryPolicy?", 1000, approximate_tokens)
    assert result.chunks and result.chunks[0].path == "src/net/retry.py"
    path = index.path
    index.close()
    path.write_bytes(b"garbage" * 100)
    rebuilt = RepoIndex(repo, tmp_path / "cache")  # a damaged cache is rebuilt, not fatal
    assert rebuilt.update().reindexed == 5
    rebuilt.close()


def test_query_terms() -> None:
    terms = query_terms("Why does parse_args in src/cli.py fail for HTTPServer when `fetch` or run() is called?")
    assert {"parse_args", "HTTPServer", "fetch", "run"} <= set(terms.identifiers)
    assert "does" not in terms.identifiers and "called" not in terms.identifiers
    assert "src/cli.py" in terms.paths
    assert {"parse", "args", "httpserver"} <= set(terms.words) and "the" not in terms.words


def test_used_tokens_is_the_text_as_sent_with_a_real_tokenizer(repo: Path, tmp_path: Path, smollm2_path: Path) -> None:
    from app.core.engine import VocabCounter

    counter = VocabCounter(smollm2_path)
    index = RepoIndex(repo, tmp_path / "cache")
    index.update()
    try:
        for budget in (1, 5, 40, 100, 300, 2000):
            result = pack(index, "RetryPolicy attempts", budget, counter)
            assert result.used_tokens <= budget
            assert result.used_tokens == (counter(result.render()) if (result.chunks or result.map_text) else 0)
    finally:
        index.close()
        counter.close()


def test_huge_log_and_files_vanishing_during_indexing(repo: Path, tmp_path: Path, monkeypatch) -> None:
    import app.core.repo.index as index_module

    with open(repo / "server.log", "wb") as fh:
        fh.truncate(500_000_000)  # a 500 MB log (sparse): skipped by size, never read
    real_read = index_module.read_source

    def vanishing(root, rel, rules):
        if rel == "src/cli.py":
            (root / rel).unlink()  # deleted between the scan and the read
        return real_read(root, rel, rules)

    monkeypatch.setattr(index_module, "read_source", vanishing)
    index = RepoIndex(repo, tmp_path / "cache")
    stats = index.update()
    reasons = {s.path: s.reason for s in stats.skipped}
    assert reasons["server.log"] == "too large"
    assert reasons["src/cli.py"].startswith("unreadable")
    assert stats.files == 4
    monkeypatch.setattr(index_module, "read_source", real_read)
    assert index.update().removed == 0  # the vanished file was never recorded: nothing stale remains
    index.close()


def test_context_budget() -> None:
    from app.core.errors import UserError
    from app.core.repo.ask import context_budget

    assert context_budget(8192, 100, 1000) == 8192 - 100 - 1000 - 16
    assert context_budget(8192, 100, 1000, followups=True) == 8192 - 100 - 1000 - 1024
    assert context_budget(8192, 100, 1000, requested=2000) == 2000
    assert context_budget(8192, 100, 1000, requested=99999) == 8192 - 100 - 1000 - 16  # capped by the window
    with pytest.raises(UserError, match="no room"):
        context_budget(1024, 500, 500)


def test_packed_files_read_as_the_file_and_excluded_files_are_not_named(repo: Path, tmp_path: Path) -> None:
    index = RepoIndex(repo, tmp_path / "cache")
    index.update()
    result = pack(index, "Where is the retry logic and how many attempts does RetryPolicy make?", 4000,
                  approximate_tokens)
    for chunk in result.chunks:  # each piece is the file's own lines (blank lines between definitions too)
        lines = (repo / chunk.path).read_text().split("\n")
        assert chunk.text.split("\n") == [line if line.strip() else "" for line in lines[chunk.start_line - 1:
                                                                                        chunk.end_line]]
    paths = [c.path for c in result.chunks]
    assert paths == sorted(paths, key=lambda p: paths.index(p))  # grouped by file
    hidden = pack(index, "RetryPolicy attempts", 4000, approximate_tokens, exclude=frozenset({"src/net/retry.py"}))
    assert "retry.py" not in hidden.map_text and all(c.path != "src/net/retry.py" for c in hidden.chunks)
    assert "retry.py" in pack(index, "RetryPolicy attempts", 4000, approximate_tokens).map_text
    index.close()
