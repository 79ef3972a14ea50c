"""The remote engines the user added, kept in `remote_engines.json` beside the settings; their keys
in the keyring (or a 0600 file), never in that JSON.

A list of its own rather than a field of settings.json: like the user's model manifest, it is a
catalogue of things to load, edited in the Models window, and its keys must not travel with the
settings. A damaged file is reported and read as empty; it is only rewritten when the user saves.

Threads: the file and the keyring may block: read and write them on a worker thread.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from app.core.atomic_file import describe_os_error, write_atomic
from app.core.errors import UserError
from app.core.i18n import translate
from app.core.remote.engine import RemoteConfig
from app.core.remote.http import normalize_url
from app.core.secrets import HubTokenStore

log = logging.getLogger(__name__)

FILE_NAME = "remote_engines.json"
MAX_FILE_BYTES = 1024 * 1024
KEY_ENV = "CODELLAMA_REMOTE_KEY"


@dataclass(frozen=True)
class SavedRemote:
    """One remote engine in the list (its key is in RemoteKeyStore)."""

    url: str
    model: str = ""
    chat_format: str = "auto"
    n_ctx: int = 0

    @property
    def label(self) -> str:
        return translate("core", "{model} on {url}").format(model=self.model, url=self.url) if self.model else self.url

    def config(self, key: str = "") -> RemoteConfig:
        return RemoteConfig(self.url, key, self.model, self.chat_format, self.n_ctx)


class RemoteKeyStore(HubTokenStore):
    """The API key of one remote server, kept like the hub token (keyring entry per server URL)."""

    what = translate("core", "remote server API key")

    def __init__(self, config_dir: Path, url: str) -> None:
        url = normalize_url(url)
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
        super().__init__(config_dir / f"remote-key-{digest}")
        self.account = f"remote-key:{url}"


def load_remotes(config_dir: Path) -> list[SavedRemote]:
    path = config_dir / FILE_NAME
    try:
        raw = json.loads(path.read_bytes()[:MAX_FILE_BYTES].decode("utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as exc:
        log.warning("%s cannot be read (%s); no remote engines listed", path, exc)
        return []
    entries = raw.get("remotes") if isinstance(raw, dict) else None
    found = []
    for item in entries if isinstance(entries, list) else []:
        if isinstance(item, dict) and isinstance(item.get("url"), str):
            try:
                found.append(SavedRemote(normalize_url(item["url"]), str(item.get("model") or ""),
                                         str(item.get("chat_format") or "auto"), _int(item.get("n_ctx"))))
            except UserError as exc:
                log.warning("%s: an entry is left out: %s", path, exc.message)
    return found


def save_remote(config_dir: Path, remote: SavedRemote, key: str | None = None) -> list[SavedRemote]:
    """Add `remote` (replacing the entry of the same URL and model); `key` None leaves the stored key."""
    remote = SavedRemote(normalize_url(remote.url), remote.model.strip(), remote.chat_format, remote.n_ctx)
    remotes = [r for r in load_remotes(config_dir) if (r.url, r.model) != (remote.url, remote.model)] + [remote]
    data = json.dumps({"version": 1, "remotes": [asdict(r) for r in remotes]}, indent=2).encode("utf-8")
    try:
        write_atomic(config_dir / FILE_NAME, data)
    except OSError as exc:
        raise UserError(translate(
            "core", "The remote engine could not be saved: {reason}.").format(reason=describe_os_error(exc))) from None
    if key is not None:
        RemoteKeyStore(config_dir, remote.url).set(key)
    return remotes


def key_for(config_dir: Path, url: str, given: str | None = None) -> str:
    """The key to send: the one given (an option), else CODELLAMA_REMOTE_KEY, else the stored one."""
    import os

    if given:
        return given
    return os.environ.get(KEY_ENV, "") or RemoteKeyStore(config_dir, url).get()


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
