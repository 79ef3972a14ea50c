"""The hub token: in the system keyring when there is one, else in a 0600 file; never in settings.json."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringError, PasswordDeleteError

from app.context import build_context
from app.core.secrets import ACCOUNT, SERVICE, HubTokenStore, SecretStoreError, TokenPlace, migrate_settings_token
from app.core.settings import Settings, load_settings


class FileKeyring(KeyringBackend):
    """A keyring backend as a system's would be, keeping its secrets in a JSON file of its own.

    The part under test is the app's store: which backend it chooses and what it leaves on disk;
    this stands in for the OS's keyring daemon, which a CI machine does not have.
    """

    priority = 1  # type: ignore[assignment]

    def __init__(self, path: Path, refuse: bool = False) -> None:
        super().__init__()
        self.path, self.refuse = path, refuse

    def _data(self) -> dict:
        return json.loads(self.path.read_text()) if self.path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._data().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.refuse:
            raise KeyringError("the keyring is locked")
        self.path.write_text(json.dumps({**self._data(), f"{service}/{username}": password}))

    def delete_password(self, service: str, username: str) -> None:
        data = self._data()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError("no such password")
        self.path.write_text(json.dumps(data))


@pytest.fixture
def no_keyring():
    """keyring's own choice on a system with none (a headless Linux): its fail backend."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_without_a_keyring_the_token_goes_to_a_file_only_the_user_can_read(tmp_path, no_keyring) -> None:
    store = HubTokenStore(tmp_path / "hub-token")
    assert store.get() == "" and store.status().place is TokenPlace.FILE
    status = store.set("  hf_abc123\n")
    assert status.place is TokenPlace.FILE and status.has_token and "no keyring" in status.note
    assert status.where == str(tmp_path / "hub-token")
    assert (tmp_path / "hub-token").read_text() == "hf_abc123"
    if os.name == "posix":
        assert mode(tmp_path / "hub-token") == 0o600
    assert HubTokenStore(tmp_path / "hub-token").get() == "hf_abc123"  # a later start reads it back
    assert not store.set("").has_token and not (tmp_path / "hub-token").exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_a_loosened_token_file_is_closed_again(tmp_path, no_keyring) -> None:
    file = tmp_path / "hub-token"
    file.write_text("hf_x")
    file.chmod(0o644)
    assert HubTokenStore(file).get() == "hf_x"
    assert mode(file) == 0o600


def test_a_keyring_holds_it_and_no_file_is_left(tmp_path) -> None:
    backend = FileKeyring(tmp_path / "keyring.json")
    file = tmp_path / "hub-token"
    file.write_text("hf_old")  # from a run on a system without a keyring
    store = HubTokenStore(file, backend)
    assert store.get() == "hf_old"
    status = store.set("hf_new")
    assert status.place is TokenPlace.KEYRING and "FileKeyring" in status.where and status.has_token
    assert backend.get_password(SERVICE, ACCOUNT) == "hf_new" and not file.exists()
    assert store.get() == "hf_new"
    assert not store.set("").has_token and backend.get_password(SERVICE, ACCOUNT) is None
    assert not store.set("").has_token  # removing twice is no error


def test_a_keyring_that_refuses_falls_back_to_the_file_and_says_why(tmp_path) -> None:
    store = HubTokenStore(tmp_path / "hub-token", FileKeyring(tmp_path / "k.json", refuse=True))
    status = store.set("hf_abc")
    assert status.place is TokenPlace.FILE and "locked" in status.note
    assert store.get() == "hf_abc"


def test_what_is_not_a_token_is_refused(tmp_path, no_keyring) -> None:
    store = HubTokenStore(tmp_path / "hub-token")
    for bad in ("a\nb", "x" * 5000):
        with pytest.raises(SecretStoreError):
            store.set(bad)
    assert not (tmp_path / "hub-token").exists()


def test_a_token_in_settings_json_is_moved_out(tmp_path, no_keyring) -> None:
    settings_file = tmp_path / "settings.json"
    settings_file.write_text(json.dumps({"theme": "dark", "hf_token": "hf_legacy", "context_limit": 4096}))
    store = HubTokenStore(tmp_path / "hub-token")
    assert migrate_settings_token(settings_file, store)
    raw = json.loads(settings_file.read_text())
    assert "hf_token" not in raw and raw["theme"] == "dark" and raw["context_limit"] == 4096
    assert store.get() == "hf_legacy"
    assert not migrate_settings_token(settings_file, store)  # once
    assert "hf_token" not in Settings().to_dict()  # and never written back


def test_migration_keeps_a_token_already_stored(tmp_path, no_keyring) -> None:
    settings_file = tmp_path / "settings.json"
    settings_file.write_text(json.dumps({"hf_token": "hf_stale"}))
    store = HubTokenStore(tmp_path / "hub-token")
    store.set("hf_current")
    assert migrate_settings_token(settings_file, store)
    assert store.get() == "hf_current" and "hf_token" not in json.loads(settings_file.read_text())


def test_migration_that_cannot_store_leaves_settings_json_as_it_was(tmp_path, no_keyring) -> None:
    settings_file = tmp_path / "settings.json"
    original = json.dumps({"hf_token": "hf_keep"})
    settings_file.write_text(original)
    blocked = tmp_path / "blocked"
    blocked.write_text("")  # a file where the token file's folder should be: the write fails
    assert not migrate_settings_token(settings_file, HubTokenStore(blocked / "hub-token"))
    assert settings_file.read_text() == original


def test_the_app_context_migrates_at_start_and_downloads_use_the_stored_token(app_home, no_keyring) -> None:
    config = app_home / "config"
    config.mkdir(parents=True)
    (config / "settings.json").write_text(json.dumps({"hf_token": "hf_from_old_version", "theme": "light"}))
    ctx = build_context()
    assert ctx.hub_token.get() == "hf_from_old_version"
    assert ctx.download_options().token == "hf_from_old_version"
    assert ctx.download_options(token="hf_given").token == "hf_given"
    assert "hf_token" not in (config / "settings.json").read_text()
    assert load_settings(config / "settings.json").theme == "light"


def test_a_token_that_cannot_be_moved_yet_is_used_and_survives_a_settings_save(tmp_path: Path) -> None:
    from dataclasses import replace

    from app.core.settings import Theme, save_settings

    settings_file = tmp_path / "settings.json"
    settings_file.write_text(json.dumps({"hf_token": "hf_unmoved", "theme": "dark"}))
    (tmp_path / "blocker").write_text("a file where the token file's folder should be")
    store = HubTokenStore(tmp_path / "blocker" / "hub-token", backend=fail.Keyring())
    assert not migrate_settings_token(settings_file, store)
    assert store.get() == "hf_unmoved"  # this session downloads with it
    save_settings(replace(load_settings(settings_file), theme=Theme.LIGHT), settings_file)  # any later change
    saved = json.loads(settings_file.read_text())
    assert saved["hf_token"] == "hf_unmoved" and saved["theme"] == "light"  # the next start tries again
