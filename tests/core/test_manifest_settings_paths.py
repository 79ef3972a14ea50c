from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from app.core.errors import ManifestError
from app.core.manifest import bundled_manifest_path, load_all, parse_manifest
from app.core.paths import app_paths
from app.core.settings import Settings, load_settings, save_settings

GOOD = """version = 1
[[models]]
id = "a"
name = "A"
family = "f"
parameters = "1B"
files = ["a.gguf"]
roles = ["chat"]
"""


def test_bundled_manifest_is_valid() -> None:
    manifest = load_all(None)
    assert manifest.embedded is not None and manifest.embedded.id == "smollm2-135m-instruct"
    entry = manifest.get("codellama-7b-instruct-q4_k_m")
    assert entry.size == 4081095360 and entry.sha256.startswith("0701500c")
    assert bundled_manifest_path().name == "models_manifest.toml"


def test_errors_name_file_and_line() -> None:
    text = GOOD + GOOD.replace("version = 1\n", "")
    with pytest.raises(ManifestError, match=r"user\.toml:9: duplicate id 'a' \(first at user\.toml:2\)"):
        parse_manifest(text, "user.toml")


@pytest.mark.parametrize("change, message", [
    (('files = ["a.gguf"]', 'files = ["../../etc/passwd"]'), "inside the models directory"),
    (('files = ["a.gguf"]', 'files = ["/abs.gguf"]'), "inside the models directory"),
    (('roles = ["chat"]', 'roles = ["chat"]\ncolor = "red"'), "unknown field"),
    (('parameters = "1B"', 'parameters = 1'), "must be str"),
    (('roles = ["chat"]', 'roles = ["dance"]'), "roles must be"),
    (('name = "A"', ''), "missing required field 'name'"),
    (('id = "a"', 'id = "a" x'), "user.toml"),
])
def test_bad_entries(change: tuple[str, str], message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        parse_manifest(GOOD.replace(*change), "user.toml")


def test_user_manifest_adds_entries(tmp_path: Path) -> None:
    user = tmp_path / "m.toml"
    user.write_text(GOOD)
    assert load_all(user).get("a") is not None


def test_settings_round_trip_and_bad_values(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    settings = dataclasses.replace(Settings(), system_prompt="x",
                                   sampling=dataclasses.replace(Settings().sampling, temperature=0.7))
    save_settings(settings, path)
    loaded = load_settings(path)
    assert loaded.sampling.temperature == 0.7 and loaded.system_prompt == "x"
    path.write_text(json.dumps({"system_prompt": 5, "sampling": {"top_k": "many", "temperature": 1}, "junk": 1}))
    loaded = load_settings(path)
    assert loaded.system_prompt == Settings().system_prompt and loaded.sampling.top_k == 40
    assert loaded.sampling.temperature == 1.0
    path.write_text("{not json")
    assert load_settings(path) == Settings()


def test_home_env_relocates_everything(tmp_path: Path) -> None:
    paths = app_paths({"CODELLAMA_DESKTOP_HOME": str(tmp_path)})
    for value in paths.as_dict().values():
        assert Path(value).is_relative_to(tmp_path)
