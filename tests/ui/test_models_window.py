"""The Models window against a real local hub server: download, pause, resume, use, delete, import."""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFocusEvent, QPalette
from PySide6.QtWidgets import QApplication

from app.core.download import DownloadState, OfflineError
from app.core.models import ModelState
from app.core.prompts.chat import ChatMessage
from app.core.settings import SamplingSettings, Theme
from tests.fixtures.fake_hub import FakeHub

USER_ENTRY = """version = 1

[[models]]
id = "test-smol"
name = "Test Smol"
family = "SmolLM2"
parameters = "135M"
repo = "Test/Smol"
files = ["smol.gguf"]
roles = ["chat"]
chat_format = "template"

[[models]]
id = "test-gated"
name = "Test Gated"
family = "SmolLM2"
parameters = "135M"
repo = "Test/Gated"
files = ["smol.gguf"]
roles = ["chat"]
"""


@pytest.fixture
def hub(smollm2_path: Path):
    with FakeHub() as server:
        server.add_file("Test/Smol", "smol.gguf", smollm2_path)
        server.add_file("Test/Gated", "smol.gguf", smollm2_path, gated=True)
        yield server


@pytest.fixture
def models_window(qtbot, make_window, hub, app_home):
    (app_home / "config").mkdir(parents=True, exist_ok=True)
    (app_home / "config" / "models_manifest.toml").write_text(USER_ENTRY)
    window = make_window(load=False, hf_endpoint=hub.url)
    models = window.open_models()
    qtbot.waitUntil(lambda: len(models.rows) > 30, timeout=20000)
    return window, models


def row(models, model_id):
    return models.row(model_id)


def test_download_pause_resume_use_and_delete(qtbot, models_window, hub) -> None:
    window, models = models_window
    hub.rate_limit = 30_000_000
    models.select("test-smol")
    with qtbot.waitSignal(window.downloads.progress, timeout=10000):
        qtbot.mouseClick(models.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: row(models, "test-smol").progress is not None
                    and row(models, "test-smol").progress.done > 5_000_000, timeout=10000)
    card = models.card_of("test-smol")
    assert card is not None and card.progress.isVisible() and card.progress.value() > 0
    assert "MB/s" in card.state.text()
    with qtbot.waitSignal(window.downloads.finished, timeout=10000) as paused:
        qtbot.mouseClick(models.pause_button, Qt.MouseButton.LeftButton)
    assert paused.args == ["test-smol", "paused"]
    assert row(models, "test-smol").state is DownloadState.PAUSED
    hub.reset_faults()
    assert models.download_button.text() == "Resume"
    with qtbot.waitSignal(window.downloads.finished, timeout=30000) as done:
        qtbot.mouseClick(models.download_button, Qt.MouseButton.LeftButton)
    assert done.args == ["test-smol", "done"]
    qtbot.waitUntil(lambda: row(models, "test-smol").state is ModelState.INSTALLED, timeout=10000)
    models.select("test-smol")
    with qtbot.waitSignal(window.inference.loaded, timeout=30000) as loaded:
        qtbot.mouseClick(models.chat_button, Qt.MouseButton.LeftButton)
    assert loaded.args[0].model_name == "Test Smol"
    settings_file = window.ctx.paths.settings_file
    qtbot.waitUntil(lambda: settings_file.exists() and json.loads(settings_file.read_text())["chat_model"]
                    == "test-smol", timeout=5000)
    window.inference.load("smollm2-135m-instruct")  # release the file before deleting it
    models.select("test-smol")
    qtbot.mouseClick(models.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: row(models, "test-smol").state is ModelState.AVAILABLE, timeout=10000)


def test_gated_model_fails_with_token_hint(qtbot, models_window) -> None:
    window, models = models_window
    models.select("test-gated")
    with qtbot.waitSignal(window.downloads.failed, timeout=10000) as failed:
        qtbot.mouseClick(models.download_button, Qt.MouseButton.LeftButton)
    assert "token" in str(failed.args[1])  # a NeedsTokenError: the typed error reaches the window
    assert row(models, "test-gated").state is DownloadState.FAILED and "token" in models.details.text()


def test_check_file_reads_remote_header(qtbot, models_window) -> None:
    _window, models = models_window
    models.select("test-smol")
    qtbot.mouseClick(models.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "architecture llama" in models.details.text(), timeout=10000)
    assert "can run llama" in models.details.text() and "chat template yes" in models.details.text()


class _RecordingKeyring:
    """A keyring backend that notes which thread asks it: the GUI thread must never (it may block on D-Bus)."""

    name = "recording"

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []

    def get_password(self, _service: str, _account: str) -> str:
        self.threads.append(threading.current_thread())
        return "hf_test"


def test_the_window_reads_the_hub_token_off_the_gui_thread(qtbot, models_window) -> None:
    window, models = models_window
    keyring = _RecordingKeyring()
    store = window.ctx.hub_token
    store._backend, store._resolved, store._note = keyring, True, ""
    models.check_hub(fresh=True)
    models.select("test-smol")
    qtbot.mouseClick(models.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "architecture llama" in models.details.text(), timeout=10000)
    qtbot.waitUntil(lambda: len(keyring.threads) >= 2, timeout=10000)
    assert threading.main_thread() not in keyring.threads


def test_import_local_file(qtbot, models_window, smollm2_path, tmp_path) -> None:
    _window, models = models_window
    copy = tmp_path / "my-model.gguf"
    copy.write_bytes(smollm2_path.read_bytes())
    models.import_file(copy)
    qtbot.waitUntil(lambda: "local-my-model" in models.rows, timeout=10000)
    assert row(models, "local-my-model").state is ModelState.IMPORTED
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"nope")
    models.import_file(junk)
    qtbot.waitUntil(lambda: "Import failed" in models.details.text(), timeout=10000)


def test_quitting_during_a_download_keeps_the_partial_file(qtbot, models_window, hub, caplog) -> None:
    window, models = models_window
    hub.stall_after, hub.stall_seconds = 5_000_000, 30.0  # a silent server: the read blocks (after the header probe)
    models.select("test-smol")
    qtbot.mouseClick(models.download_button, Qt.MouseButton.LeftButton)
    part = window.ctx.paths.models / "test-smol" / "smol.gguf.part"
    qtbot.waitUntil(lambda: part.exists() and part.stat().st_size >= 5_000_000, timeout=10000)
    window.close()
    window.shutdown()  # must break off the blocked read, not wait out the stall or abort the process
    assert not window.downloads.running
    assert not any("did not stop in time" in r.getMessage() for r in caplog.records)  # stopped, not killed
    assert part.stat().st_size == 5_000_000


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed on leaving: a connect is refused


def test_cards_by_family_with_one_consistent_recommendation(qtbot, models_window) -> None:
    _window, models = models_window
    headings = [s.heading.text() for s in models.sections._sections]
    assert headings[0] == "SmolLM2" and {"Code Llama", "Qwen2.5-Coder"} <= set(headings)
    assert len(models.sections.cards) < 31
    seven = models.card_of("codellama-7b-instruct-q8_0")
    assert seven is models.card_of("codellama-7b-instruct-q4_k_m")  # the quantizations share one card
    assert seven.quant.count() == 3 and seven.does.text().startswith("Chat and infill")
    assert "GiB RAM" in models.summary.text() and "CPU core" in models.summary.text()
    chosen = models.listing.recommendation
    assert chosen is not None
    badged = [c for c in models.sections.cards.values() if c.recommended_badge.isVisibleTo(models)]
    assert [c.card.key for c in badged] == [chosen.card.key]  # one recommendation, on one card
    assert chosen.row.entry.name in models.recommendation.text()
    assert "Nothing downloaded yet" in models.recommendation.text()
    # Every card marks in its picker exactly the quantization its model is recommended in.
    for card in models.sections.cards.values():
        marked = [card.quant.itemData(i) for i in range(card.quant.count()) if "recommended here" in card.quant.itemText(i)]
        expected = [r.entry.id for r in card.card.rows if r.best_quant]
        assert marked == expected and len(marked) <= 1
    other = models.card_of("codellama-13b-instruct-q8_0")
    # By keyboard: Tab reaching a card's picker selects that card (the offscreen platform has no
    # active window to move focus in, so the focus event Tab would bring is sent as Qt sends it).
    QApplication.sendEvent(other.quant, QFocusEvent(QEvent.Type.FocusIn, Qt.FocusReason.TabFocusReason))
    assert models.selected() is not None and models.selected().entry.id.startswith("codellama-13b")
    other.quant.setCurrentIndex(other.quant.findData("codellama-13b-instruct-q8_0"))
    assert models.selected().entry.id == "codellama-13b-instruct-q8_0" and "Q8_0" in other.fit.toolTip() + \
        models.details.text()
    qtbot.mouseClick(models.show_recommended, Qt.MouseButton.LeftButton)
    assert models.selected() is not None and models.selected().entry.id == chosen.row.entry.id
    assert models.card_of(chosen.row.entry.id).property("selected") is True
    # Each card shows fit and speed; nothing was measured here yet, and it says so.
    assert all("not measured yet" in c.speed.text() for c in models.sections.cards.values() if c.row.size)
    assert models.card_of("codellama-70b-instruct-q5_k_m").fit.text().startswith("too big")


def test_search_and_filters(qtbot, models_window) -> None:
    _window, models = models_window
    total = len(models.visible_titles())
    models.search.setText("qwen 1.5b")
    assert models.visible_titles() == ["Qwen2.5-Coder 1.5B Instruct"] and models.count_label.text().startswith("1 of")
    models.search.setText("Q8_0 13b")
    assert models.visible_titles() == ["Code Llama 13B Instruct"]
    models.search.clear()
    qtbot.mouseClick(models.installed_filter, Qt.MouseButton.LeftButton)
    assert models.visible_titles() == ["SmolLM2 135M Instruct (embedded)"]
    models.installed_filter.setChecked(False)
    models.infill_filter.setChecked(True)
    assert "StarCoder2 3B (infill)" in models.visible_titles()
    assert "DeepSeek-Coder-V2-Lite Instruct" not in models.visible_titles()
    models.infill_filter.setChecked(False)
    models.chat_filter.setChecked(True)
    assert "StarCoder2 3B (infill)" not in models.visible_titles() and "Test Smol" in models.visible_titles()
    models.chat_filter.setChecked(False)
    models.fits_filter.setChecked(True)
    assert "Code Llama 70B Instruct" not in models.visible_titles() and len(models.visible_titles()) < total
    models.search.setText("no such model")
    assert models.visible_titles() == [] and models.no_match.isVisibleTo(models)
    models.fits_filter.setChecked(False)
    models.search.clear()
    assert len(models.visible_titles()) == total and models.count_label.text() == f"{total} models"


def test_in_use_mark_and_unload(qtbot, make_window) -> None:
    window = make_window(load=True)
    models = window.open_models()
    qtbot.waitUntil(lambda: len(models.rows) > 30, timeout=20000)
    embedded = models.card_of("smollm2-135m-instruct")
    assert embedded.in_use_badge.isVisibleTo(models)
    assert sum(c.in_use_badge.isVisibleTo(models) for c in models.sections.cards.values()) == 1
    assert models.unload_button.isEnabled()
    with qtbot.waitSignal(window.inference.unloaded, timeout=20000):
        qtbot.mouseClick(models.unload_button, Qt.MouseButton.LeftButton)
    assert window.inference.info is None and not embedded.in_use_badge.isVisibleTo(models)
    assert not models.unload_button.isEnabled() and "unloaded" in models.details.text()
    with qtbot.waitSignal(window.inference.loaded, timeout=30000):
        window.inference.load("smollm2-135m-instruct")
    assert embedded.in_use_badge.isVisibleTo(models) and models.unload_button.isEnabled()


def test_offline_is_known_before_any_click(qtbot, make_window) -> None:
    window = make_window(load=False, hf_endpoint=f"http://127.0.0.1:{_closed_port()}")
    models = window.open_models()
    qtbot.waitUntil(lambda: models.hub_bar.isVisibleTo(models), timeout=15000)
    assert "No network" in models.hub_label.text() and "models already here work" in models.hub_label.text()
    assert "No network" in models.download_button.toolTip()
    models.select("codellama-7b-instruct-q4_k_m")
    qtbot.mouseClick(models.check_button, Qt.MouseButton.LeftButton)
    # An OfflineError at once: with the retries' backoff this was ~24 s of "Reading the header…".
    qtbot.waitUntil(lambda: models.details.text().startswith("Check failed: No network"), timeout=10000)
    with qtbot.waitSignal(window.downloads.failed, timeout=10000) as failed:  # a download, the same
        qtbot.mouseClick(models.download_button, Qt.MouseButton.LeftButton)
    assert isinstance(failed.args[1], OfflineError) and "No network" in models.card_of(failed.args[0]).state.text()
    with FakeHub() as hub:
        window.ctx.update_settings(hf_endpoint=hub.url)
        qtbot.mouseClick(models.hub_retry, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not models.hub_bar.isVisibleTo(models), timeout=15000)
    assert models.hub is not None and models.hub.online


@pytest.mark.model
def test_a_finished_answer_is_measured_and_shown(qtbot, make_window) -> None:
    window = make_window(load=True)
    with qtbot.waitSignal(window.speed_recorder.recorded, timeout=60000) as recorded:
        window.inference.chat([ChatMessage("user", "Count to twenty.")],
                              SamplingSettings(max_tokens=24, temperature=0.0, seed=1), ignore_eos=True)
    sample = recorded.args[0]
    assert sample.generation_tps > 0 and sample.file == Path(window.inference.info.model_path).name
    saved = json.loads(window.services.catalogue.speeds.path.read_text())
    assert list(saved["models"]) == [sample.file]
    models = window.open_models()
    qtbot.waitUntil(lambda: len(models.rows) > 30, timeout=20000)
    assert "measured here" in models.card_of("smollm2-135m-instruct").speed.text()
    assert "scaled from" in models.card_of("codellama-7b-instruct-q4_k_m").speed.text()


def test_cards_follow_a_live_theme_switch(qtbot, models_window) -> None:
    window, models = models_window
    card = models.card_of("codellama-7b-instruct-q4_k_m")

    def inside() -> str:  # a pixel inside the card's border, as painted
        return card.grab().toImage().pixelColor(card.width() // 2, card.height() - 4).name()

    seen = []
    for theme in (Theme.DARK, Theme.LIGHT, Theme.DARK):
        window.ctx.update_settings(theme=theme)
        base = QApplication.palette().color(QPalette.ColorRole.Base).name()
        qtbot.waitUntil(lambda: inside() == base, timeout=5000)  # the card repainted on the new base
        seen.append(base)
    assert seen[0] == seen[2] == "#16191d" and seen[1] != seen[0]  # the dark palette's base, then light's
