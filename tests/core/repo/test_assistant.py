"""The repository assistant on a real folder, the real index and the real tokenizer (SmolLM2's)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core import sqlite_recovery
from app.core.engine import VocabCounter
from app.core.errors import UserError
from app.core.repo.ask import build_repo_messages, question_budget
from app.core.repo.assistant import RepoAssistant
from app.core.repo.assistant_types import EmptyRepoError, OpenedRepo, PreparedQuestion, RepoState
from app.core.repo.index import IndexProgress
from app.core.repo.scan import ScanRules
from tests.core.repo.test_index_pack import FILES
from tests.core.repo.test_index_recovery import smash, table_pages
from tests.core.repo.test_scan import make

QUESTION = "Where is RetryPolicy defined and how many attempts does it make?"


@pytest.fixture(scope="module")
def counter(smollm2_path: Path):
    count = VocabCounter(smollm2_path)
    yield count
    count.close()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make(tmp_path / "demo", FILES)


@pytest.fixture
def assistant(tmp_path: Path):
    made = RepoAssistant.in_cache(tmp_path / "cache")
    yield made
    made.close()


def test_open_lists_files_with_sizes_and_reports_progress(assistant: RepoAssistant, repo: Path) -> None:
    assert assistant.state is RepoState.IDLE and assistant.root is None
    steps = list(assistant.open_steps(repo, ScanRules()))
    assert any(isinstance(s, IndexProgress) for s in steps)
    opened = steps[-1]
    assert isinstance(opened, OpenedRepo) and opened.root == repo.resolve() and not opened.empty
    assert [f.path for f in opened.files] == sorted(FILES)
    assert all(f.tokens > 0 for f in opened.files)
    assert assistant.state is RepoState.READY and assistant.root == repo.resolve()
    assert opened.stats.reindexed == 5 and opened.session is None
    assert assistant.open(repo, ScanRules()).stats.reindexed == 0  # re-opening reads nothing
    assistant.close()
    assert assistant.state is RepoState.CLOSED


def test_one_budget_rule_and_the_packed_messages(assistant: RepoAssistant, repo: Path, counter) -> None:
    assistant.open(repo, ScanRules())
    single = question_budget(2048, counter, QUESTION, 96)
    conversation = question_budget(2048, counter, QUESTION, 96, conversation=True)
    assert conversation < single < 2048 - 96  # a conversation keeps room for follow-ups
    prepared = assistant.prepare(QUESTION, 2048, counter, 96)
    context = prepared.session.context
    assert context.budget == conversation and context.used_tokens <= conversation
    assert context.chunks[0].path == "src/net/retry.py"
    assert prepared.messages == build_repo_messages(context.render(), QUESTION)
    assert not prepared.follow_up and prepared.state_scope == f"repo:{repo.resolve()}"
    # A requested budget below what the window leaves is the budget: the same code as packing to it.
    capped = assistant.prepare(QUESTION, 2048, counter, 96, 300)
    assert capped.session.context.to_json() == assistant.pack(QUESTION, 300, counter).to_json()
    with pytest.raises(UserError, match="leaves no room"):
        assistant.prepare(QUESTION, 256, counter, 96)


def test_excluded_files_stay_out(assistant: RepoAssistant, repo: Path, counter) -> None:
    assistant.open(repo, ScanRules())
    prepared = assistant.prepare(QUESTION, 2048, counter, 96, exclude=frozenset({"src/net/retry.py"}))
    cited = [c.path for c in prepared.session.context.chunks]
    assert cited and "src/net/retry.py" not in cited


def test_follow_ups_extend_the_previous_prompt(assistant: RepoAssistant, repo: Path, counter) -> None:
    assistant.open(repo, ScanRules())
    first = assistant.prepare(QUESTION, 2048, counter, 96)
    session = first.session
    session.record(QUESTION, "In src/net/retry.py:4-9.")
    follow = PreparedQuestion.continuing(session, "And who uses it?")
    assert follow.follow_up and follow.messages[:2] == first.messages
    assert [m.role for m in follow.messages[2:]] == ["assistant", "user"]
    session.record("And who uses it?", "fetch does.")
    assert [m.content for m in session.history] == ["In src/net/retry.py:4-9.", "And who uses it?", "fetch does."]
    assert session.fits(2048, 96)
    session.context.used_tokens = 2048  # as if packed for a bigger model
    assert not session.fits(2048, 96)


def test_the_conversation_comes_back_only_over_unchanged_code(assistant: RepoAssistant, repo: Path,
                                                              counter, tmp_path: Path) -> None:
    assistant.open(repo, ScanRules())
    prepared = assistant.prepare(QUESTION, 2048, counter, 96)
    prepared.session.record(QUESTION, "In src/net/retry.py:4-9.")
    assistant.save(prepared.session)
    again = RepoAssistant.in_cache(tmp_path / "cache")  # as after restarting the app
    try:
        resumed = again.open(repo, ScanRules()).session
        assert resumed is not None and resumed.messages_for("x") == prepared.session.messages_for("x")
        assert again.open(repo, ScanRules(), resume=False).session is None
        (repo / "src" / "net" / "retry.py").write_text("# rewritten\n")
        assert again.open(repo, ScanRules()).session is None
    finally:
        again.close()


def test_refresh_picks_up_edits(assistant: RepoAssistant, repo: Path) -> None:
    assistant.open(repo, ScanRules())
    assert assistant.refresh(ScanRules()) is None  # nothing changed
    (repo / "src" / "net" / "backoff.py").write_text("def exponential_backoff(n):\n    return 2 ** n\n")
    os.utime(repo / "src" / "net" / "backoff.py", ns=(1, 1))
    files = assistant.refresh(ScanRules())
    assert files is not None and "src/net/backoff.py" in [f.path for f in files]


def test_citations_are_read_inside_the_root(assistant: RepoAssistant, repo: Path, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="No repository"):
        assistant.read_cited("src/net/client.py", 4, 7)
    assistant.open(repo, ScanRules())
    cited = assistant.read_cited("src/net/client.py", 4, 70)
    assert cited.code.startswith("def fetch(url):") and cited.end == len(cited.lines)
    (tmp_path / "secret.txt").write_text("secret")
    with pytest.raises(UserError):
        assistant.read_cited("../secret.txt", 1, 1)


def test_infill_snippets_come_from_the_open_repository(assistant: RepoAssistant, repo: Path) -> None:
    prefix = "def download(url):\n    policy = RetryPolicy("
    assert assistant.infill_snippets(prefix, "", None) is None  # nothing open
    assistant.open(repo, ScanRules())
    found = assistant.infill_snippets(prefix, "", repo / "src" / "download.py")
    assert found is not None and found.repo_name == "demo" and found.path == "src/download.py"
    assert [s.path for s in found.snippets] == ["src/net/retry.py"]
    elsewhere = assistant.infill_snippets(prefix, "", Path("/elsewhere/x.py"))
    assert elsewhere is not None and elsewhere.path == ""


def test_an_empty_folder_says_so(assistant: RepoAssistant, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    opened = assistant.open(empty, ScanRules())
    assert opened.empty and "no source files" in EmptyRepoError(opened.root).message
    with pytest.raises(UserError, match="cannot open"):
        assistant.open(tmp_path / "missing", ScanRules())
    assert assistant.state is RepoState.IDLE and assistant.root is None


def test_a_question_that_finds_the_index_damaged_is_packed_on_the_rebuilt_one(
        assistant: RepoAssistant, repo: Path, counter, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    assistant.open(repo, ScanRules())
    expected = assistant.pack(QUESTION, 600, counter).to_json()
    path = assistant.index.path
    assistant.close_repo()
    smash(path, table_pages(path, "chunks_fts_data"))
    monkeypatch.setattr(sqlite_recovery, "CHECK_AT_OPEN_MAX_BYTES", 0)  # found by the question, not at open
    assert assistant.open(repo, ScanRules()).stats.reindexed == 0
    with caplog.at_level("INFO", logger="app.core.repo.assistant"):
        assert assistant.pack(QUESTION, 600, counter).to_json() == expected
    assert "asking again" in caplog.text  # the question met the damage, and was asked once more


def test_sources_group_the_packed_code_by_file_in_line_order() -> None:
    from app.core.repo.ask import Source, sources_of
    from app.core.repo.pack import PackedChunk

    chunks = [PackedChunk("b.py", 40, 60, 9.0, 10, ""), PackedChunk("a.py", 1, 10, 8.0, 10, ""),
              PackedChunk("b.py", 1, 12, 7.0, 10, ""), PackedChunk("b.py", 13, 20, 6.0, 10, ""),
              PackedChunk("b.py", 55, 70, 5.0, 10, "")]
    assert sources_of(chunks) == [Source("b.py", ((1, 20), (40, 70))), Source("a.py", ((1, 10),))]
    assert sources_of([]) == []
