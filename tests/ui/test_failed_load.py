"""A model that fails to load keeps (or brings back) the working one: the real window, the real SmolLM2."""

from __future__ import annotations

from pathlib import Path

import pytest
from gguf import GGUFValueType

from tests.fixtures.tiny_gguf import with_metadata

pytestmark = pytest.mark.model


def truncated_copy(src: Path, dst: Path) -> Path:
    dst.write_bytes(src.read_bytes()[: src.stat().st_size // 2])
    return dst


def answer(qtbot, window, text: str = "Say hi.") -> str:
    """Send a chat message the way a person does and return the answer: sending works."""
    window.chat.composer.setPlainText(text)
    with qtbot.waitSignal(window.inference.finished, timeout=60000) as finished:
        window.chat.send()
    assert finished.args[1].stop_reason in ("end", "length")
    return window.chat.entries[-1].text


@pytest.fixture
def bad_files(tmp_path: Path, smollm2_path: Path, tiny_codellama: Path) -> dict[str, Path]:
    return {
        "truncated": truncated_copy(smollm2_path, tmp_path / "half-smollm2.gguf"),
        "corrupt": with_metadata(tiny_codellama, tmp_path / "nan-epsilon.gguf", {
            "llama.attention.layer_norm_rms_epsilon": (GGUFValueType.FLOAT32, float("nan"))}),
    }


@pytest.mark.parametrize("kind", ["truncated", "corrupt"])
def test_refused_file_leaves_the_loaded_model(qtbot, make_window, bad_files, kind: str) -> None:
    window = make_window()
    before = window.inference.info
    label = window.model_label.text()
    loading: list[str] = []
    window.inference.loading.connect(loading.append)
    with qtbot.waitSignal(window.inference.load_failed, timeout=30000) as failed:
        window.use_model(str(bad_files[kind]))
    message = failed.args[0].message
    assert message.startswith(f"Could not load {bad_files[kind].name}: ")
    assert message.endswith(f"Still using {before.model_name}.")
    assert ("truncated" if kind == "truncated" else "layer_norm_rms_epsilon") in message
    # Nothing was closed: the same engine, the status bar unchanged, no "Loading" ever shown.
    assert window.inference.info is before
    assert window.model_label.text() == label and before.model_name in label
    assert loading == []
    assert window.banner.isVisible() and window.banner.label.text().startswith(message)
    assert window.ctx.settings.chat_model != str(bad_files[kind])  # the failed file is not the default
    assert answer(qtbot, window)


def test_load_failing_in_llama_cpp_brings_the_previous_model_back(qtbot, make_window, tiny_codellama,
                                                                   tmp_path) -> None:
    # Passes every check the app makes; only llama.cpp finds it unusable, after the old engine is closed.
    unknown = with_metadata(tiny_codellama, tmp_path / "unknown-arch.gguf",
                            {"general.architecture": (GGUFValueType.STRING, "nosucharch")})
    window = make_window()
    before = window.inference.info
    order: list[str] = []
    window.inference.loading.connect(lambda name: order.append(f"loading {name}"))
    window.inference.load_failed.connect(lambda error: order.append(f"failed {error.message}"))
    with qtbot.waitSignal(window.inference.loaded, timeout=60000) as loaded:
        window.use_model(str(unknown))
    info = loaded.args[0]
    assert order == [f"loading {unknown.name}",
                     f"failed Could not load {unknown.name}: llama.cpp could not load this model "
                     f"(Failed to load model from file: {unknown}); it may be corrupt, or its architecture is "
                     f"not supported by this build. Still using {before.model_name}."]
    assert info.model_id == before.model_id and info.model_path == before.model_path
    assert window.inference.info is info
    assert window.model_label.text().startswith(f"{before.model_name} · ")
    assert "Still using" in window.banner.label.text()
    assert window.ctx.settings.chat_model != str(unknown)
    assert answer(qtbot, window)


def test_failed_first_load_says_nothing_is_loaded(qtbot, make_window, bad_files) -> None:
    window = make_window(load=False)
    with qtbot.waitSignal(window.inference.load_failed, timeout=30000) as failed:
        window.inference.load(str(bad_files["truncated"]))
    assert "Still using" not in failed.args[0].message
    assert window.inference.info is None
    assert window.model_label.text() == "No model"


def test_unload_then_load_again(qtbot, make_window) -> None:
    window = make_window()
    with qtbot.waitSignal(window.inference.unloaded, timeout=30000):
        window.inference.unload()
    assert window.inference.info is None and window.model_label.text() == "No model"
    window.chat.composer.setPlainText("hello")
    window.chat.send()
    assert "not loaded" in window.banner.label.text()
    with qtbot.waitSignal(window.inference.loaded, timeout=30000):
        window.inference.load()
    assert answer(qtbot, window)


def test_unload_after_a_queued_load_leaves_nothing_loaded(qtbot, make_window) -> None:
    # Unload pressed while a load is still queued: the load finishes first, then the unload frees
    # that model too; `info` must not keep naming it.
    window = make_window()
    with qtbot.waitSignal(window.inference.unloaded, timeout=60000):
        window.inference.load()
        window.inference.unload()
    assert window.inference.info is None and window.model_label.text() == "No model"
