"""Prompt progress and per-answer figures in the repository pane: the real window, index and SmolLM2."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.core.engine_figures import describe_figures, describe_prompt_progress, prompt_percent
from app.core.engine_types import GenerationStats
from app.ui.chat.message_view import MessageView
from tests.ui.test_repo_pane import open_repo, repo  # noqa: F401 - the fixture, with the folder it makes

pytestmark = pytest.mark.model


def test_describe_figures() -> None:
    stats = GenerationStats(prompt_tokens=900, generated_tokens=41, first_token_seconds=1.25, total_seconds=3.25,
                            stop_reason="end")
    assert describe_figures(stats) == "1.2 s to first token · 20.0 tokens/s · 41 tokens"
    assert describe_figures(GenerationStats(generated_tokens=1, first_token_seconds=0.5, total_seconds=0.5)) \
        == "0.5 s to first token · 1 token"
    assert describe_figures(GenerationStats(stop_reason="cancelled")) == "stopped before the first token"
    assert prompt_percent(511, 512) == 99 and prompt_percent(512, 512) == 100 and prompt_percent(0, 0) == 0
    assert describe_prompt_progress(42, 100, "the context") == "Reading the context… 42%"


def test_repository_answer_shows_prompt_progress_then_its_figures(qtbot, make_window, repo) -> None:  # noqa: F811
    window = make_window()
    pane = window.repo
    open_repo(qtbot, window, repo)
    shown: list[str] = []  # what the label under the answer said at each progress report
    reports: list[tuple[int, int, int]] = []
    statuses: list[str] = []
    pane.status.connect(statuses.append)

    def on_progress(job_id: int, done: int, total: int) -> None:
        reports.append((job_id, done, total))
        shown.append(pane.scroll.figures_labels()[-1].text())

    window.inference.prompt_progress.connect(on_progress)
    pane.question.setPlainText("Where is RetryPolicy defined and how many attempts does it make?")
    with qtbot.waitSignal(window.inference.finished, timeout=60000) as finished:
        qtbot.mouseClick(pane.ask_button, Qt.MouseButton.LeftButton)
    stats = finished.args[1]
    assert reports and {job for job, _, _ in reports} == {finished.args[0]}
    assert reports[-1][1] == reports[-1][2] == stats.prompt_tokens
    assert shown == [describe_prompt_progress(done, total, "the context") for _, done, total in reports]
    assert shown[-1] == "Reading the context… 100%"
    assert "Reading the context… 100%" in statuses
    # Under the answer, before its sources: the figures, quietly.
    widgets = [pane.scroll.answers.layout().itemAt(i).widget() for i in range(pane.scroll.answers.layout().count() - 1)]
    answer_at = max(i for i, w in enumerate(widgets) if isinstance(w, MessageView) and w.role == "assistant")
    figures = widgets[answer_at + 1]
    assert figures is pane.scroll.figures_labels()[-1] and figures.isVisibleTo(pane)
    assert figures.text() == describe_figures(stats)
    assert "to first token" in figures.text() and "tokens/s" in figures.text()
    assert widgets[answer_at + 2].objectName() == "answerSources"

    # A chat answer elsewhere is not this pane's: its progress leaves the repository's figures alone.
    before = [label.text() for label in pane.scroll.figures_labels()]
    window.chat.composer.setPlainText("Say hi.")
    with qtbot.waitSignal(window.inference.finished, timeout=60000):
        window.chat.send()
    assert [label.text() for label in pane.scroll.figures_labels()] == before


def test_stopped_repository_answer_says_so(qtbot, make_window, repo) -> None:  # noqa: F811
    window = make_window()
    pane = window.repo
    open_repo(qtbot, window, repo)
    pane.question.setPlainText("Explain every file in detail.")
    # Stop at the first prompt report: the answer ends before its first token.
    window.inference.prompt_progress.connect(lambda *_: pane.stop())
    with qtbot.waitSignal(window.inference.finished, timeout=60000) as finished:
        qtbot.mouseClick(pane.ask_button, Qt.MouseButton.LeftButton)
    assert finished.args[1].stop_reason == "cancelled"
    assert pane.scroll.figures_labels()[-1].text() == describe_figures(finished.args[1])
