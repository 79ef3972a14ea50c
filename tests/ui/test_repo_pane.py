"""The repository pane on a real folder, the real index and the real model."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.core.repo.test_index_pack import FILES
from tests.core.repo.test_scan import make


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make(tmp_path / "demo", FILES)


def open_repo(qtbot, window, path: Path) -> None:
    pane = window.repo
    pane.open_folder(path)
    qtbot.waitUntil(lambda: pane.root is not None and pane.tree.topLevelItemCount() > 0, timeout=20000)


def ask(qtbot, window, text: str):
    pane = window.repo
    pane.question.setPlainText(text)
    with qtbot.waitSignal(window.inference.finished, timeout=60000) as finished:
        qtbot.mouseClick(pane.ask_button, Qt.MouseButton.LeftButton)
    return finished.args[1]


def test_ask_shows_context_and_follow_up_reuses_it(qtbot, make_window, repo) -> None:
    window = make_window()
    pane = window.repo
    open_repo(qtbot, window, repo)
    assert "5 files" in pane.summary.text()
    first = ask(qtbot, window, "Where is RetryPolicy defined and how many attempts does it make?")
    assert pane.seen.rowCount() >= 2 and pane.seen.item(0, 0).text().startswith("src/net/retry.py:")
    assert "tokens" in pane.seen_total.text()
    second = ask(qtbot, window, "And who uses it?")
    # The follow-up's prompt starts with the whole first prompt and answer: served from the cache.
    assert second.reused_tokens >= first.prompt_tokens
    assert second.prompt_tokens - second.reused_tokens < 40
    assert len(pane.session.history) == 3
    pane.new_question()
    assert pane.session is None and pane.seen.rowCount() == 0


def test_excluded_files_stay_out_and_citations_open(qtbot, make_window, repo) -> None:
    window = make_window()
    pane = window.repo
    open_repo(qtbot, window, repo)
    items = pane.tree.findItems("retry.py", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
    items[0].setCheckState(0, Qt.CheckState.Unchecked)
    assert "src/net/retry.py" in pane.excluded
    ask(qtbot, window, "Where is RetryPolicy defined?")
    cited = [pane.seen.item(r, 0).text() for r in range(pane.seen.rowCount())]
    assert cited and not any(c.startswith("src/net/retry.py") for c in cited)
    pane.open_citation("cite:src/net/client.py:4-7")
    qtbot.waitUntil(lambda: getattr(pane, "viewer", None) is not None and pane.viewer.isVisible(), timeout=5000)
    assert pane.viewer.code.startswith("def fetch(url):")
    assert "<span" in pane.viewer.view.toHtml()


def test_bad_folders_get_clear_messages(qtbot, make_window, tmp_path) -> None:
    window = make_window(load=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    window.repo.open_folder(empty)
    qtbot.waitUntil(lambda: "no source files" in window.banner.label.text(), timeout=10000)
    window.repo.open_folder(tmp_path / "missing")
    qtbot.waitUntil(lambda: "cannot open" in window.banner.label.text(), timeout=10000)


def test_citations_become_links() -> None:
    from app.core.repo.ask import linkify_citations, parse_citation_link

    text = linkify_citations("See src/a.py:3-9 and b.py:4, not x/unknown.py:1.", {"src/a.py", "b.py"})
    assert "[src/a.py:3-9](cite:src/a.py:3-9)" in text and "[b.py:4](cite:b.py:4-4)" in text
    assert "x/unknown.py:1" in text and "cite:x/" not in text
    assert parse_citation_link("cite:src/a.py:3-9") == ("src/a.py", 3, 9)
    assert parse_citation_link("https://example.com") is None


def test_rules_dialog_changes_what_is_indexed(qtbot, make_window, repo, monkeypatch) -> None:
    from app.ui.repo.rules_dialog import RulesDialog

    window = make_window(load=False)
    pane = window.repo
    open_repo(qtbot, window, repo)
    assert "tests/test_cli.py" in pane.known_paths

    def accept(dialog) -> int:
        dialog.excludes.setPlainText("tests/")
        return RulesDialog.DialogCode.Accepted

    monkeypatch.setattr(RulesDialog, "exec", accept)
    pane.edit_rules()
    qtbot.waitUntil(lambda: pane.root is not None and "tests/test_cli.py" not in pane.known_paths, timeout=20000)
    assert list(window.ctx.settings.repo_excludes) == ["tests/"]


def test_edits_while_open_are_picked_up(qtbot, make_window, repo) -> None:
    window = make_window()
    pane = window.repo
    open_repo(qtbot, window, repo)
    (repo / "src" / "net" / "backoff.py").write_text("def exponential_backoff(n):\n    return 2 ** n\n")
    ask(qtbot, window, "Where is exponential_backoff defined?")
    assert "src/net/backoff.py" in pane.known_paths
    assert pane.seen.item(0, 0).text().startswith("src/net/backoff.py:")


def test_reopening_continues_the_last_conversation_from_its_saved_state(qtbot, make_window, repo) -> None:
    window = make_window()
    open_repo(qtbot, window, repo)
    first = ask(qtbot, window, "Where is RetryPolicy defined?")
    answer = window.repo.session.history[0].content
    qtbot.waitUntil(lambda: any((window.ctx.paths.cache / "repo-sessions").glob("*.json")), timeout=10000)
    window.close()
    window.shutdown()

    reopened = make_window()  # a new window, a newly loaded model: as after restarting the app
    pane = reopened.repo
    open_repo(qtbot, reopened, repo)
    qtbot.waitUntil(lambda: pane.session is not None, timeout=10000)
    assert pane.session.context.question == "Where is RetryPolicy defined?"
    assert [m.content for m in pane.session.history] == [answer]
    assert pane.seen.rowCount() >= 1
    follow = ask(qtbot, reopened, "And who uses it?")
    # The new engine started from the state saved after the first answer, not from scratch.
    assert follow.reused_tokens >= first.prompt_tokens
    assert len(pane.session.history) == 3


def test_a_changed_repository_starts_afresh(qtbot, make_window, repo) -> None:
    window = make_window()
    open_repo(qtbot, window, repo)
    ask(qtbot, window, "Where is RetryPolicy defined?")
    qtbot.waitUntil(lambda: any((window.ctx.paths.cache / "repo-sessions").glob("*.json")), timeout=10000)
    (repo / "src" / "net" / "retry.py").write_text("# rewritten\n")
    window.repo.open_folder(repo)
    qtbot.waitUntil(lambda: window.repo.root is not None, timeout=20000)
    assert window.repo.session is None  # no packed context, no turns


def test_a_conversation_packed_for_a_larger_window_is_packed_afresh(qtbot, make_window, repo) -> None:
    window = make_window()
    pane = window.repo
    open_repo(qtbot, window, repo)
    ask(qtbot, window, "Where is RetryPolicy defined?")
    pane.session.context.used_tokens = window.inference.info.n_ctx  # as if packed for a bigger model
    ask(qtbot, window, "And who uses it?")
    assert pane.session.context.question == "And who uses it?" and len(pane.session.history) == 1


def test_every_answer_lists_its_sources_and_the_viewer_marks_cited_lines(qtbot, make_window, repo) -> None:
    window = make_window()
    pane = window.repo
    open_repo(qtbot, window, repo)
    src = pane.tree.findItems("src", Qt.MatchFlag.MatchExactly)[0]
    leaves = [src.child(i) for i in range(src.childCount())]
    # A folder's token column is the sum over everything under it.
    def total(item):
        return sum(total(item.child(i)) for i in range(item.childCount())) if item.childCount() \
            else int(item.text(1).replace(",", ""))
    assert src.text(1) and int(src.text(1).replace(",", "")) == sum(total(leaf) for leaf in leaves) > 0
    ask(qtbot, window, "Where is RetryPolicy defined?")
    labels = pane.scroll.sources_labels()
    assert len(labels) == 1 and "src/net/retry.py" in labels[0].text() and "cite:src/net/retry.py:" in labels[0].text()
    ask(qtbot, window, "And who uses it?")
    assert len(pane.scroll.sources_labels()) == 2  # under every answer, follow-ups too
    # Match bars: the best chunk is the full bar, the rest relative to it.
    bars = [pane.seen.cellWidget(r, 1) for r in range(pane.seen.rowCount())]
    assert bars[0].value() == 100 and all(0 <= b.value() <= 100 for b in bars)
    pane.open_citation("cite:src/net/client.py:4-7")
    qtbot.waitUntil(lambda: pane.viewer is not None and pane.viewer.isVisible(), timeout=5000)
    html = pane.viewer.view.toHtml()
    lines = pane.viewer.view.toPlainText().splitlines()
    assert lines[0].strip().startswith("1") and any(line.strip().startswith("4") and "def fetch" in line for line in lines)
    assert "background-color" in html  # the cited lines are marked


def test_excluding_a_packed_file_applies_to_the_next_follow_up(qtbot, make_window, repo) -> None:
    window = make_window()
    pane = window.repo
    open_repo(qtbot, window, repo)
    ask(qtbot, window, "Where is RetryPolicy defined?")
    assert any(c.path == "src/net/retry.py" for c in pane.session.context.chunks)
    items = pane.tree.findItems("retry.py", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)
    items[0].setCheckState(0, Qt.CheckState.Unchecked)
    sent = []
    pane.question_sent.connect(sent.append)
    ask(qtbot, window, "And who uses it?")
    assert sent and not any(c.path == "src/net/retry.py" for c in sent[0].session.context.chunks)
