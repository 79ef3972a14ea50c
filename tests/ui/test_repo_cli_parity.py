"""The CLI and the repository pane pack the same code for the same question, model and budget."""

from __future__ import annotations

import json
from pathlib import Path

from tests.core.repo.test_index_pack import FILES
from tests.core.repo.test_scan import make
from tests.integration.test_cli import cli

QUESTION = "Where is RetryPolicy defined and how many attempts does it make?"
BUDGET = 600


def test_cli_context_is_what_the_pane_sends(qtbot, make_window, tmp_path: Path, app_home: Path) -> None:
    repo = make(tmp_path / "demo", FILES)
    window = make_window()
    pane = window.repo
    pane.open_folder(repo)
    qtbot.waitUntil(lambda: pane.root is not None, timeout=20000)
    pane.budget.setValue(BUDGET)
    pane.question.setPlainText(QUESTION)
    with qtbot.waitSignal(window.inference.finished, timeout=60000):
        with qtbot.waitSignal(pane.question_sent, timeout=30000) as sent:
            pane.ask()
    prepared = sent.args[0]
    gui = prepared.session.context

    as_json = cli("context", "--repo", str(repo), "--budget", str(BUDGET), "--json", QUESTION, home=app_home)
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["tokenizer"] == window.inference.info.model_id  # the same model counted the tokens
    assert gui.budget == BUDGET and gui.chunks
    assert {key: data[key] for key in gui.to_json()} == gui.to_json()

    as_text = cli("context", "--repo", str(repo), "--budget", str(BUDGET), QUESTION, home=app_home)
    assert as_text.returncode == 0, as_text.stderr
    assert as_text.stdout == gui.render() + "\n"
    assert as_text.stdout.strip() in prepared.messages[-1].content  # exactly the code the model was given
