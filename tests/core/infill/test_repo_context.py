"""Repository snippets for an infill: definitions of the names used around the cursor."""

from __future__ import annotations

from pathlib import Path

from app.core.infill.repo_context import names_near_cursor, snippets_for
from app.core.repo.index import RepoIndex
from tests.core.repo.test_index_pack import FILES
from tests.core.repo.test_scan import make


def test_names_near_the_cursor_come_nearest_first() -> None:
    names = names_near_cursor("import os\nfrom x import load_config\n\ndef main():\n    cfg = load_config(",
                              ")\n    run_server(cfg)\n")
    assert names[:2] == ["load_config", "cfg"]
    assert "run_server" in names and "def" not in names and "import" not in names


def test_definitions_from_other_files_are_found(tmp_path: Path) -> None:
    root = make(tmp_path / "demo", FILES)
    index = RepoIndex(root, tmp_path / "cache")
    index.update()
    try:
        prefix = "from src.net.retry import RetryPolicy\n\ndef download(url):\n    policy = RetryPolicy("
        snippets = snippets_for(index, prefix, ")\n", "src/download.py")
        assert snippets and snippets[0].path == "src/net/retry.py" and "class RetryPolicy" in snippets[0].text
        # The file being edited is never its own context.
        assert not snippets_for(index, prefix, ")\n", "src/net/retry.py")
        assert snippets_for(index, "", "", "x.py") == []
        assert sum(len(s.text) for s in snippets_for(index, prefix, ")\n", "a.py", max_chars=10)) <= 10
    finally:
        index.close()
