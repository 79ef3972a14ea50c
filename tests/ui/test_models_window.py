"""The Models window against a real local hub server: download, pause, resume, use, delete, import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.core.download import DownloadState
from app.core.models import ModelState
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
    qtbot.waitUntil(lambda: models.table_model.rowCount() > 30, timeout=20000)
    return window, models


def row(models, model_id):
    return models.table_model.rows[models.table_model.row_index(model_id)]


def test_lists_models_with_fit_and_first_run_hint(models_window) -> None:
    _window, models = models_window
    assert row(models, "smollm2-135m-instruct").state is ModelState.EMBEDDED
    assert row(models, "test-smol").state is ModelState.AVAILABLE
    assert row(models, "codellama-7b-instruct-q4_k_m").fit.startswith(("fits in RAM", "fits on GPU"))
    marked = [r.entry.id for r in models.table_model.rows
              if r.entry.id.startswith("codellama-7b-instruct-") and r.fit.endswith("best quant")]
    assert len(marked) == 1  # exactly one quantization of the 7B is recommended for this machine
    assert row(models, "codellama-70b-instruct-q5_k_m").fit == "too big"
    assert models.first_run.isVisible() and "Code Llama 7B Instruct" in models.first_run.text()
    assert "GiB RAM" in models.summary.text() and "backend" in models.summary.text()


def test_download_pause_resume_use_and_delete(qtbot, models_window, hub) -> None:
    window, models = models_window
    hub.rate_limit = 30_000_000
    models.select("test-smol")
    with qtbot.waitSignal(window.downloads.progress, timeout=10000):
        qtbot.mouseClick(models.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: row(models, "test-smol").progress is not None
                    and row(models, "test-smol").progress.done > 5_000_000, timeout=10000)
    assert models.table_model.data(models.table_model.index(models.table_model.row_index("test-smol"), 4))
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


def test_import_local_file(qtbot, models_window, smollm2_path, tmp_path) -> None:
    _window, models = models_window
    copy = tmp_path / "my-model.gguf"
    copy.write_bytes(smollm2_path.read_bytes())
    models.import_file(copy)
    qtbot.waitUntil(lambda: models.table_model.row_index("local-my-model") >= 0, timeout=10000)
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
