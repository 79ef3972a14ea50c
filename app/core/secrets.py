"""The hub token, kept out of settings.json: in the system keyring, or in a file only the user can read.

A token in settings.json travels with every backup, sync and bug report that includes the
settings. So it goes to the system keyring through the `keyring` library (Keychain, Windows
Credential Manager, the Secret Service). Where the system has none, a headless Linux above all
(keyring's "fail" backend), it goes to a file of its own with mode 0600, beside the settings but
not in them. `status()` says which, so the Settings window can tell the user.

Threads: a keyring call may block (D-Bus, an unlock prompt): call this on a worker thread, never the
GUI thread. A token found in an older settings.json is moved out of it by `migrate_settings_token`.
"""

from __future__ import annotations

import json
import logging
import os
import stat
import threading
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from app.core.atomic_file import describe_os_error, write_atomic
from app.core.errors import UserError
from app.core.i18n import translate

log = logging.getLogger(__name__)

SERVICE = "codellama-desktop"
ACCOUNT = "huggingface-token"
MAX_TOKEN_BYTES = 4096  # a hub token is ~40 characters; anything larger is not one
_PRIVATE = stat.S_IRUSR | stat.S_IWUSR  # 0600


class TokenPlace(str, Enum):
    KEYRING = "keyring"  # the system's keyring
    FILE = "file"  # a file only the user can read (no keyring on this system, or it refused)


@dataclass(frozen=True)
class TokenStatus:
    place: TokenPlace
    where: str  # said to the user: "the system keyring (SecretService Keyring)" / the file's path
    has_token: bool
    note: str = ""  # why the file is used, when it is


class SecretStoreError(UserError):
    """The token could not be kept (the keyring refused it and the file could not be written)."""


class HubTokenStore:
    """Reads and writes the hub token in the keyring, or in `file` where there is no keyring.

    Args:
        file: where the token goes without a keyring (mode 0600).
        backend: a keyring backend to use instead of the one keyring picks for this system.
    """

    account = ACCOUNT  # the keyring entry's name; ServerKeyStore keeps another secret the same way
    what = translate("core", "hub token")

    def __init__(self, file: Path, backend: Any | None = None) -> None:
        self.file = file
        self._backend = backend
        self._resolved = backend is not None
        self._note = ""
        self._unmoved = ""  # see keep_unmoved
        # The Settings window's worker and the download thread may both ask first: one resolves.
        self._lock = threading.Lock()

    def _keyring(self) -> Any | None:
        """The system keyring backend, or None where keyring has only its fail/null backends."""
        with self._lock:
            if not self._resolved:
                self._resolve()
        return self._backend

    def _resolve(self) -> None:
        self._resolved = True
        try:
            import keyring
            from keyring.backends import fail, null

            backend = keyring.get_keyring()
            if isinstance(backend, (fail.Keyring, null.Keyring)):
                self._note = translate("core", "this system has no keyring")
            else:
                self._backend = backend
        except Exception as exc:  # a broken keyring configuration must not stop the app
            log.warning("no keyring: %s", exc)
            self._note = translate("core", "the keyring could not be opened ({reason})").format(reason=exc)

    def status(self) -> TokenStatus:
        token = self.get()
        backend = self._keyring()
        if backend is not None and not self._note:
            name = getattr(backend, "name", type(backend).__name__)
            return TokenStatus(TokenPlace.KEYRING, translate("core", "the system keyring ({name})").format(name=name),
                               bool(token))
        return TokenStatus(TokenPlace.FILE, str(self.file), bool(token), self._note)

    def get(self) -> str:
        backend = self._keyring()
        if backend is not None and not self._note:
            try:
                token = backend.get_password(SERVICE, self.account)
                if token:
                    return token
            except Exception as exc:  # a locked or vanished keyring: the file may still hold one
                log.warning("the keyring could not be read: %s", exc)
        return self._read_file() or self._unmoved

    def keep_unmoved(self, token: str) -> None:
        """A token that could not be moved out of settings.json yet: used this session all the same."""
        self._unmoved = token

    def set(self, token: str) -> TokenStatus:
        """Keep `token` (an empty one removes it); returns where it is now."""
        token = token.strip()
        if len(token.encode("utf-8")) > MAX_TOKEN_BYTES or any(ch in token for ch in "\r\n\0"):
            raise SecretStoreError(translate(
                "core", "That is not a {what} (too long, or more than one line).").format(what=self.what))
        backend = self._keyring()
        if backend is not None and not self._note:
            try:
                if token:
                    backend.set_password(SERVICE, self.account, token)
                else:
                    self._delete_from(backend)
                self._remove_file()  # nothing left in plain text once the keyring holds it
                return self.status()
            except Exception as exc:
                log.warning("the keyring refused the token, using %s: %s", self.file, exc)
                self._note = translate("core", "the keyring refused it ({reason})").format(reason=exc)
        self._write_file(token)
        return self.status()

    def _delete_from(self, backend: Any) -> None:
        from keyring.errors import PasswordDeleteError

        try:
            backend.delete_password(SERVICE, self.account)
        except PasswordDeleteError:
            pass  # there was none

    def _read_file(self) -> str:
        try:
            info = os.stat(self.file, follow_symlinks=False)
        except FileNotFoundError:
            return ""
        except OSError as exc:
            log.warning("the token file %s could not be read: %s", self.file, describe_os_error(exc))
            return ""
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_TOKEN_BYTES:
            log.warning("ignored %s: not a regular file of a token's size", self.file)
            return ""
        if info.st_mode & 0o077 and os.name == "posix":  # someone loosened it: close it again before reading
            os.chmod(self.file, _PRIVATE)
        try:
            return self.file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("the token file %s could not be read: %s", self.file, exc)
            return ""

    def _write_file(self, token: str) -> None:
        if not token:
            self._remove_file()
            return
        try:
            write_atomic(self.file, token.encode("utf-8"))  # mkstemp: created 0600, never readable by others
            os.chmod(self.file, _PRIVATE)
        except OSError as exc:
            raise SecretStoreError(translate(
                "core", "The token could not be saved: {reason}.").format(reason=describe_os_error(exc)), retryable=True) from exc

    def _remove_file(self) -> None:
        try:
            self.file.unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise SecretStoreError(translate(
                "core", "The old token file could not be removed: {reason}.").format(reason=describe_os_error(exc))) from exc


class ServerKeyStore(HubTokenStore):
    """The local server's API key, kept like the hub token (keyring, else a 0600 file)."""

    account = "local-server-key"
    what = translate("core", "server API key")


def migrate_settings_token(settings_file: Path, store: HubTokenStore) -> bool:
    """Move an `hf_token` left in settings.json (older versions) into `store`; True when one was moved.

    The settings file is rewritten without it only once the store holds the token, so a failure
    loses nothing: the next start tries again.
    """
    from app.core.safe_read import UnsafeFile, read_regular
    from app.core.settings import MAX_SETTINGS_BYTES

    try:
        raw = json.loads(read_regular(settings_file, MAX_SETTINGS_BYTES).decode("utf-8"))
    except (UnsafeFile, OSError, ValueError, RecursionError):
        return False  # no file, or one load_settings will refuse and replace anyway
    if not isinstance(raw, dict) or "hf_token" not in raw:
        return False
    token = raw.pop("hf_token")
    try:
        if isinstance(token, str) and token.strip() and not store.get():
            store.set(token)
        write_atomic(settings_file, json.dumps(raw, indent=2).encode("utf-8"))
    except (UserError, OSError) as exc:
        # save_settings keeps the key in the file until a later start moves it; this session uses it.
        log.warning("the hub token stays in %s for now: %s", settings_file, exc)
        if isinstance(token, str) and token.strip():
            store.keep_unmoved(token)
        return False
    log.info("moved the hub token out of %s", settings_file)
    return True
