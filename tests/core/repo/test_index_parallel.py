"""Parallel indexing: worker processes give the same chunks as cutting in this process; cancel still stops it."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from app.core.repo import parse_pool
from app.core.repo.index import IndexProgress, RepoIndex
from app.core.repo.scan import ScanRules

FILES = 80  # above parse_pool.PARALLEL_MIN_FILES, so an update uses the workers


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for i in range(FILES):
        folder = root / f"pkg{i % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"mod{i}.py").write_text(
            f"import os\n\n\n# Helper {i}.\ndef helper_{i}(x):\n    return os.path.join(x, str({i}))\n\n\n"
            f"class Thing{i}:\n    def run(self):\n        return helper_{i}(self)\n")
        (folder / f"Svc{i}.java").write_text(
            f"import java.util.List;\n\npublic class Svc{i} {{\n    public static int parse(String s) {{\n"
            f"        return Integer.parseInt(s) + {i};\n    }}\n}}\n")
    return root


def _rows(db_path: Path) -> list[tuple]:
    db = sqlite3.connect(db_path)
    try:
        chunks = db.execute("SELECT path, start, end_line, text, symbols, kind, header_start, header_end FROM chunks "
                            "ORDER BY path, start").fetchall()
        refs = db.execute("SELECT r.name, r.path, c.start FROM refs r JOIN chunks c ON c.id = r.chunk_id "
                          "ORDER BY 2, 3, 1").fetchall()
        files = db.execute("SELECT path, imports_start, imports_end FROM files ORDER BY path").fetchall()
        return [chunks, refs, files]
    finally:
        db.close()


def test_parallel_cut_equals_serial(repo: Path) -> None:
    paths = sorted(p.relative_to(repo).as_posix() for p in repo.rglob("*.*"))
    rules = ScanRules()
    serial = list(parse_pool.parse_files(repo, paths, rules, workers=1))
    parallel = list(parse_pool.parse_files(repo, paths, rules, workers=2))
    assert parallel == serial
    assert [p.path for p in parallel] == paths  # in the order asked
    java = next(p for p in parallel if p.path.endswith("Svc3.java"))
    assert any("parse" in c.symbols for c in java.chunks)  # a Java method is a definition


def test_index_parallel_equals_serial(repo: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(parse_pool, "worker_count", lambda: 2)
    parallel = RepoIndex(repo, tmp_path / "parallel")
    stats = parallel.update()
    parallel.close()
    monkeypatch.setattr(parse_pool, "worker_count", lambda: 1)
    serial = RepoIndex(repo, tmp_path / "serial")
    serial.update()
    serial.close()
    assert stats.files == 2 * FILES
    assert _rows(parallel.path) == _rows(serial.path)
    chunks, refs, files = _rows(parallel.path)
    assert ("helper_7", "pkg3/mod7.py", 9) in refs  # Thing7.run calls helper_7
    assert ("pkg3/mod7.py", 1, 1) in files  # its import block


def test_cancel_stops_a_parallel_update_and_the_next_one_finishes(repo: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(parse_pool, "worker_count", lambda: 2)
    monkeypatch.setattr("app.core.repo.index.BATCH_FILES", 10)
    cancel = threading.Event()
    index = RepoIndex(repo, tmp_path / "cache")
    progress: list[IndexProgress] = []
    for step in index.update_steps(cancel=cancel):
        if isinstance(step, IndexProgress):
            progress.append(step)
            cancel.set()  # the first batch is written; nothing after the next file is read
        else:
            first = step
    assert progress and first.reindexed == 2 * FILES
    assert 0 < first.files < 2 * FILES  # kept what it finished, stopped well before the end
    again = index.update()
    assert again.files == 2 * FILES and again.reindexed == 2 * FILES - first.files
    index.close()
