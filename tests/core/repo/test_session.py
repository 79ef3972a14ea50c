"""The saved conversation on a repository: round trip, and damaged files are ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.prompts.chat import ChatMessage
from app.core.repo.pack import PackedChunk, PackResult
from app.core.repo.session import RepoSession, forget_session, load_session, save_session, session_path


def _session(root: Path) -> RepoSession:
    context = PackResult(question="Where?", budget=900, map_text="src/a.py: f", map_tokens=5, used_tokens=40,
                         chunks=[PackedChunk("src/a.py", 1, 3, 2.5, 20, "def f():\n    return 1")])
    return RepoSession(str(root), context, [ChatMessage("assistant", "In src/a.py:1-3.")])


def test_round_trip_gives_the_same_prompt_text(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    session = _session(root)
    save_session(tmp_path / "s", session)
    loaded = load_session(tmp_path / "s", root)
    assert loaded is not None
    assert loaded.context.render() == session.context.render()
    assert loaded.context.question == "Where?" and loaded.history == session.history
    assert load_session(tmp_path / "s", tmp_path / "other") is None
    forget_session(tmp_path / "s", root)
    assert load_session(tmp_path / "s", root) is None


@pytest.mark.parametrize("content", ["", "{", '{"version": 99}', '{"version": 1, "root": "x"}', "[1, 2]"])
def test_a_damaged_session_is_ignored(tmp_path: Path, content: str) -> None:
    root = tmp_path / "repo"
    path = session_path(tmp_path, root)
    path.write_text(content)
    assert load_session(tmp_path, root) is None
