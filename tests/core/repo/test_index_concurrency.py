"""Several `context` commands on one repository at once leave the index a single build would."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.core.repo.test_scan import make

ROOT = Path(__file__).resolve().parents[3]
PROCESSES = 4


def big_repo(root: Path, files: int = 240) -> Path:
    tree = {}
    for i in range(files):
        body = "".join(f"def word_{i}_{k}(value):\n    return value + {k}\n\n\n" for k in range(12))
        tree[f"pkg{i % 8}/mod_{i}.py"] = f'"""Module {i}: every word counts."""\n\n\n{body}'
    return make(root, tree)


def context(home: Path, repo: Path) -> subprocess.Popen:
    env = {**os.environ, "CODELLAMA_DESKTOP_HOME": str(home)}
    return subprocess.Popen([sys.executable, "-m", "app", "context", "--repo", str(repo), "--budget", "300",
                             "word", "--json"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def content(cache: Path) -> dict[str, list]:
    """What the index holds, without row ids (which depend on the order files were written in)."""
    (path,) = cache.glob("*.sqlite3")
    db = sqlite3.connect(path)
    try:
        return {
            "files": sorted(db.execute("SELECT path, size, mtime_ns, skipped FROM files")),
            "chunks": sorted(db.execute("SELECT path, start, end_line, text, symbols FROM chunks")),
            "symbols": sorted(db.execute("SELECT s.name, s.path, s.line, c.path, c.start FROM symbols s "
                                         "LEFT JOIN chunks c ON c.id = s.chunk_id")),
            "fts": sorted(db.execute("SELECT path, symbols, terms, text FROM chunks_fts")),
            "fts_rowids_match_chunks": [db.execute(
                "SELECT COUNT(*) FROM chunks_fts f JOIN chunks c ON c.id = f.rowid AND c.path = f.path").fetchone()[0]
                == db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]],
            "meta": sorted(db.execute("SELECT key, value FROM meta")),
        }
    finally:
        db.close()


def test_concurrent_context_commands_index_once(tmp_path: Path) -> None:
    repo = big_repo(tmp_path / "repo")
    home = tmp_path / "home"
    procs = [context(home, repo) for _ in range(PROCESSES)]
    outputs = [p.communicate(timeout=300) for p in procs]
    results = [(p.returncode, out, err) for p, (out, err) in zip(procs, outputs)]
    for rc, out, err in results:
        assert rc == 0, err
        assert json.loads(out)["chunks"]
    # The same answer from each, and the index a single clean build makes.
    assert len({json.dumps(json.loads(out)["chunks"]) for _rc, out, _err in results}) == 1
    clean_home = tmp_path / "clean"
    single = context(clean_home, repo)
    single_out, single_err = single.communicate(timeout=300)
    assert single.returncode == 0, single_err
    assert content(home / "cache" / "repos") == content(clean_home / "cache" / "repos")
    assert json.loads(single_out)["chunks"] == json.loads(results[0][1])["chunks"]


INDEXER = """
import sqlite3, sys
from pathlib import Path
from app.core.repo.index import RepoIndex
index = RepoIndex(Path(sys.argv[1]), Path(sys.argv[2]))
db = sqlite3.connect(index.path, isolation_level=None)
db.execute("BEGIN IMMEDIATE")  # as an update does while it writes a file
db.execute("DELETE FROM chunks_fts WHERE rowid IN (SELECT id FROM chunks WHERE path LIKE 'pkg1/%')")
print("indexing", flush=True)
sys.stdin.readline()
db.execute("ROLLBACK")
"""


def test_questions_are_answered_while_another_process_indexes(tmp_path: Path) -> None:
    from app.core.repo.index import RepoIndex
    from app.core.repo.pack import approximate_tokens, pack

    repo = big_repo(tmp_path / "repo", files=30)
    cache = tmp_path / "cache"
    first = RepoIndex(repo, cache)
    first.update()
    expected = pack(first, "word_3_4", 300, approximate_tokens).chunks
    first.close()
    indexer = subprocess.Popen([sys.executable, "-c", INDEXER, str(repo), str(cache)], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert indexer.stdout.readline().strip() == "indexing"
        reader = RepoIndex(repo, cache)  # opens without waiting for the indexer
        try:
            assert pack(reader, "word_3_4", 300, approximate_tokens).chunks == expected
        finally:
            reader.close()
    finally:
        indexer.stdin.write("done\n")
        indexer.stdin.flush()
        indexer.wait(timeout=60)
