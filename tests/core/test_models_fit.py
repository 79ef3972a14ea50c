"""Model states, import, removal, hardware fit and the architecture check."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import ManifestError, ModelFileError, UserError
from app.core.fit import FITS_RAM, TOO_BIG, assess, file_size_estimate, recommend_context
from app.core.gguf_info import parse_header
from app.core.gguf_support import check_header
from app.core.manifest import add_user_entry, load_all, parse_manifest, remove_user_entry
from app.core.models import ModelState, disk_usage, import_entry, installed_path, model_state, remove_model


def test_states_and_partial_files(tmp_path: Path) -> None:
    manifest = load_all(None)
    entry = manifest.get("codellama-7b-instruct-q4_k_m")
    assert model_state(entry, tmp_path) is ModelState.AVAILABLE
    folder = tmp_path / entry.id
    folder.mkdir()
    (folder / (entry.files[0] + ".part")).write_bytes(b"x" * 10)
    assert model_state(entry, tmp_path) is ModelState.PARTIAL and installed_path(entry, tmp_path) is None
    (folder / entry.files[0]).write_bytes(b"y" * 5)
    assert model_state(entry, tmp_path) is ModelState.INSTALLED and disk_usage(entry, tmp_path) == 15
    assert remove_model(entry, tmp_path) == 15 and model_state(entry, tmp_path) is ModelState.AVAILABLE
    assert model_state(manifest.embedded, tmp_path) is ModelState.EMBEDDED
    with pytest.raises(UserError, match="embedded"):
        remove_model(manifest.embedded, tmp_path)


def test_split_set_installed_only_when_complete(tmp_path: Path) -> None:
    entry = load_all(None).get("qwen2.5-coder-32b-instruct-q8_0")
    folder = tmp_path / entry.id
    folder.mkdir()
    stem = entry.files[0].removesuffix(".gguf")
    (folder / f"{stem}-00001-of-00002.gguf").write_bytes(b"a")
    assert installed_path(entry, tmp_path) is None
    (folder / f"{stem}-00002-of-00002.gguf").write_bytes(b"b")
    assert installed_path(entry, tmp_path).name == f"{stem}-00001-of-00002.gguf"


def test_import_local_gguf(tmp_path: Path, smollm2_path: Path) -> None:
    user = tmp_path / "user.toml"
    manifest = load_all(user)
    entry = import_entry(smollm2_path, manifest)
    assert entry.id.startswith("local-smollm2") and entry.local_path == str(smollm2_path.resolve())
    assert entry.chat_format == "template" and entry.context_length == 8192
    add_user_entry(user, entry)
    reloaded = load_all(user)
    assert reloaded.get(entry.id) == entry
    assert model_state(reloaded.get(entry.id), tmp_path) is ModelState.IMPORTED
    with pytest.raises(ManifestError, match="already"):
        add_user_entry(user, entry)
    second = import_entry(smollm2_path, reloaded)
    assert second.id != entry.id  # a second import of the same name gets its own id
    assert remove_user_entry(user, entry.id) and load_all(user).get(entry.id) is None


def test_import_refuses_bad_files(tmp_path: Path, smollm2_path: Path) -> None:
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"not a model")
    with pytest.raises(ModelFileError):
        import_entry(junk, load_all(None))
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(smollm2_path.read_bytes()[:1_000_000])
    with pytest.raises(ModelFileError, match="truncated"):
        import_entry(cut, load_all(None))


def test_local_path_must_be_absolute() -> None:
    text = """[[models]]
id = "x"
name = "x"
family = "f"
parameters = "1B"
files = ["x.gguf"]
roles = ["chat"]
local_path = "relative/x.gguf"
"""
    with pytest.raises(ManifestError, match="absolute"):
        parse_manifest(text, "user.toml")


def test_fit_and_recommendations() -> None:
    manifest = load_all(None)
    small = assess(manifest.embedded)
    assert small.verdict == FITS_RAM and small.needed_bytes > manifest.embedded.size
    huge = assess(manifest.get("codellama-70b-instruct-q5_k_m"))
    assert huge.verdict == TOO_BIG  # about 50 GB: more than this 24 GB machine
    assert file_size_estimate(manifest.get("codellama-13b-instruct-q4_k_m")) > 7e9
    entry = manifest.get("codellama-7b-instruct-q4_k_m")
    assert recommend_context(entry, 7 * 2**30) == 4096  # 4.1 GB of weights + 2.1 GB of KV at 4k; 8k needs 8.5 GB
    assert recommend_context(entry, 64 * 2**30) == 16384
    assert recommend_context(entry, 2**30) is None


def test_architecture_check_uses_this_build(smollm2_path: Path) -> None:
    data = smollm2_path.read_bytes()[: 4 << 20]
    info = parse_header(data)
    assert check_header(data, info).supported is True
    bad = bytearray(data)
    at = bad.find(b"llama", 0, 400)
    bad[at : at + 5] = b"zzzzz"
    verdict = check_header(bytes(bad), parse_header(bytes(bad)))
    assert verdict.supported is False and "zzzzz" in verdict.reason


def test_listed_parts_must_all_be_present(tmp_path: Path) -> None:
    from dataclasses import replace

    entry = replace(load_all(None).get("qwen2.5-coder-32b-instruct-q8_0"),
                    files=("m-00001-of-00002.gguf", "m-00002-of-00002.gguf"))
    folder = tmp_path / entry.id
    folder.mkdir()
    (folder / "m-00001-of-00002.gguf").write_bytes(b"a")
    assert installed_path(entry, tmp_path) is None and model_state(entry, tmp_path) is ModelState.PARTIAL
    (folder / "m-00002-of-00002.gguf").write_bytes(b"b")
    assert model_state(entry, tmp_path) is ModelState.INSTALLED
