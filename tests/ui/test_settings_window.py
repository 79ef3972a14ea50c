"""The one Settings window: every area on a page, live changes applied live, load options offered a reload."""

from __future__ import annotations

import json
import os
import stat

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from app.core.settings import Theme
from app.ui.settings.fields import Field


def fields(settings_window) -> dict[str, Field]:
    return {f.name: f for page in settings_window.pages for f in page.fields}


def pick(field: Field, label: str) -> None:
    field.widget.setCurrentIndex(field.widget.findText(label))


@pytest.fixture
def no_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # as on a headless Linux
    yield
    keyring.set_keyring(previous)


def test_one_window_holds_every_area_and_shows_the_settings(qtbot, make_window) -> None:
    window = make_window(load=False, repo_excludes=("vendor/",), infill_context=2048)
    settings = window.open_settings()
    assert [p.title for p in settings.pages] == ["Appearance", "Model and hardware", "Chat", "Repository", "Infill",
                                                "Hub"]
    shown = fields(settings)
    assert {"theme", "context_limit", "gpu_layers", "threads", "memory_limit_mb", "system_prompt",
            "sampling.temperature", "repo_max_file_kb", "repo_excludes", "infill_context", "default_infill_model",
            "hf_endpoint"} <= set(shown)
    assert shown["context_limit"].value() == 2048 and shown["repo_excludes"].value() == ("vendor/",)
    assert shown["threads"].widget.text().startswith("Automatic")  # 0 reads as what it means
    assert shown["gpu_layers"].widget.text() == "All the build can offload"
    assert settings.model_page.context_reason.text() == "No model is loaded."
    assert settings.changes() == {}  # nothing differs until the user changes something
    assert window.open_settings() is settings  # one window


def test_changes_apply_through_the_owner_and_are_saved(qtbot, make_window, app_home) -> None:
    window = make_window(load=False)
    window.ctx.settings_owner.save = window._autosave  # saved as in the app
    settings = window.open_settings("Repository")
    assert settings.stack.currentWidget().title == "Repository"
    shown = fields(settings)
    shown["repo_excludes"].widget.setPlainText("build/\n\n  dist/  \n")
    shown["repo_honour_gitignore"].widget.setChecked(False)
    shown["infill_context"].widget.setValue(1024)
    shown["sampling.top_k"].widget.setValue(0)
    assert shown["sampling.top_k"].widget.text() == "No limit"
    settings.apply_button.click()
    current = window.ctx.settings
    assert current.repo_excludes == ("build/", "dist/") and current.repo_honour_gitignore is False
    assert current.infill_context == 1024 and current.sampling.top_k == 0
    settings_file = app_home / "config" / "settings.json"
    qtbot.waitUntil(lambda: settings_file.exists() and json.loads(settings_file.read_text())["infill_context"] == 1024,
                    timeout=5000)
    assert not settings.reload_bar.isVisibleTo(settings)  # nothing here needs the model loaded again


def test_a_change_made_elsewhere_while_it_is_open_is_kept(qtbot, make_window) -> None:
    window = make_window(load=False)
    settings = window.open_settings("Infill")
    shown = fields(settings)
    shown["infill_context"].widget.setValue(1536)  # being edited
    window.ctx.update_settings(default_infill_model="qwen2.5-coder-1.5b-instruct-q4_k_m", infill_context=3000)  # elsewhere
    assert shown["default_infill_model"].value() == "qwen2.5-coder-1.5b-instruct-q4_k_m"  # an untouched control follows
    assert shown["infill_context"].value() == 1536  # an edited one keeps what the user typed
    settings.apply_button.click()
    assert window.ctx.settings.default_infill_model == "qwen2.5-coder-1.5b-instruct-q4_k_m"  # not undone by Apply
    assert window.ctx.settings.infill_context == 1536


def test_what_was_typed_and_not_applied_is_dropped(qtbot, make_window) -> None:
    window = make_window(load=False)
    settings = window.open_settings()
    fields(settings)["infill_context"].widget.setValue(999)
    settings.buttons.rejected.emit()  # Close
    assert window.ctx.settings.infill_context != 999
    assert fields(window.open_settings())["infill_context"].value() == window.ctx.settings.infill_context


def test_theme_and_system_prompt_apply_live(qtbot, make_window) -> None:
    from app.ui.theme import apply_theme

    window = make_window(load=False, theme=Theme.LIGHT)
    window.apply_theme()
    window.chat.session.add_user("hello")
    settings = window.open_settings()
    shown = fields(settings)
    try:
        pick(shown["theme"], "Dark")
        shown["system_prompt"].widget.setPlainText("Answer in French.")
        settings.buttons.accepted.emit()  # OK applies, then closes
        assert not settings.isVisible()
        assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128
        assert window.ctx.settings.theme is Theme.DARK
        assert window.chat.session.system_prompt == "Answer in French."  # the open conversation follows
    finally:
        apply_theme(QApplication.instance(), "auto")


def test_the_hub_token_goes_to_a_private_file_without_a_keyring_and_the_window_says_so(
        qtbot, make_window, app_home, no_keyring) -> None:
    window = make_window(load=False)
    window.ctx.settings_owner.save = window._autosave
    settings = window.open_settings("Hub")
    place = settings.hub_page.token_place
    qtbot.waitUntil(lambda: "file only you can read" in place.text(), timeout=5000)
    assert "No token saved" in place.text() and "no keyring" in place.text()
    settings.hub_page.token.setText("hf_secret_value")
    settings.hub_page.save_token.click()
    qtbot.waitUntil(lambda: place.text().startswith("A token is saved"), timeout=5000)
    token_file = app_home / "config" / "hub-token"
    assert str(token_file) in place.text() and token_file.read_text() == "hf_secret_value"
    if os.name == "posix":
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert settings.hub_page.token.text() == ""  # not left on screen
    window.ctx.update_settings(theme=Theme.LIGHT)  # any save of the settings
    settings_file = app_home / "config" / "settings.json"
    qtbot.waitUntil(settings_file.exists, timeout=5000)
    assert "hf_secret_value" not in settings_file.read_text()
    settings.hub_page.remove_token.click()
    qtbot.waitUntil(lambda: place.text().startswith("No token saved"), timeout=5000)
    assert not token_file.exists()


@pytest.mark.model
def test_load_options_say_they_need_a_reload_and_the_reload_applies_them(qtbot, make_window) -> None:
    window = make_window(load=True)  # context limit 2048
    settings = window.open_settings("Model and hardware")
    reason = settings.model_page.context_reason
    assert "ctx 2,048: your limit" in reason.text()
    shown = fields(settings)
    shown["context_limit"].widget.setValue(4096)
    shown["threads"].widget.setValue(1)
    settings.apply_button.click()
    assert settings.reload_bar.isVisibleTo(settings)
    assert "the context limit and threads" in settings.reload_label.text()
    assert "applies when the model is loaded again" in reason.text()  # still the old context, and why
    with qtbot.waitSignal(window.inference.loaded, timeout=60000) as loaded:
        settings.reload_button.click()
    info = loaded.args[0]
    assert info.n_ctx == 4096 and info.threads == 1
    assert not settings.reload_bar.isVisibleTo(settings)
    assert "ctx 4,096: your limit" in reason.text()
    assert "with 1 thread generating" in reason.text()  # the threads the engine really uses
    where = "layers on the GPU" if info.gpu_layers else "runs on the CPU"
    assert where in reason.text()
    shown["context_limit"].widget.setValue(131072)  # past what SmolLM2 was trained on
    settings.apply_button.click()
    with qtbot.waitSignal(window.inference.loaded, timeout=60000) as loaded:
        settings.reload_button.click()
    info = loaded.args[0]
    expected = "reduced to fit memory" if info.context_reduced_for_memory else f"trained on {info.n_ctx_train:,}"
    assert expected in reason.text() and f"ctx {info.n_ctx:,}" in reason.text()
