"""The server's API key is kept beside the hub token, never in settings.json, under its own entry."""

from __future__ import annotations

import json

from app.core.secrets import SERVICE, HubTokenStore, ServerKeyStore
from app.core.settings import ServerSettings, Settings, load_settings, save_settings
from tests.core.test_settings_secrets import FileKeyring


def test_server_key_has_its_own_keyring_entry(tmp_path):
    backend = FileKeyring(tmp_path / "keyring.json")
    hub = HubTokenStore(tmp_path / "hub-token", backend)
    key = ServerKeyStore(tmp_path / "server-key", backend)
    hub.set("hf_abc")
    key.set("local-key")
    assert hub.get() == "hf_abc" and key.get() == "local-key"
    assert backend.get_password(SERVICE, ServerKeyStore.account) == "local-key"
    key.set("")
    assert key.get() == "" and hub.get() == "hf_abc"


def test_server_settings_round_trip_without_the_key(tmp_path):
    path = tmp_path / "settings.json"
    save_settings(Settings(server=ServerSettings(port=9000, cors_origins=("http://a.example",))), path)
    raw = json.loads(path.read_text())
    assert raw["server"]["port"] == 9000 and "key" not in json.dumps(raw["server"]).replace("api_key_required", "")
    assert load_settings(path).server == ServerSettings(port=9000, cors_origins=("http://a.example",))
    raw["server"].update(port=70000, host="")
    path.write_text(json.dumps(raw))
    loaded = load_settings(path).server  # bad values fall back to their defaults, the rest stays
    assert (loaded.port, loaded.host, loaded.cors_origins) == (8765, "127.0.0.1", ("http://a.example",))
