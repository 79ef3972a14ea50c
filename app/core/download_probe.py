"""Reading a remote GGUF's header with Range requests, before downloading gigabytes."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from app.core.download_remote import _check_offline, _map_hub_error, _token
from app.core.download_types import DownloadError, DownloadOptions, NeedsTokenError, NetworkError, RemoteFile
from app.core.i18n import translate

if TYPE_CHECKING:
    from app.core.gguf_info import GGUFInfo


def _refuse_unsupported(remote: RemoteFile, options: DownloadOptions) -> None:
    """Read the header first: gigabytes of an architecture this llama.cpp cannot run are refused."""
    from app.core.gguf_support import check_header

    header = probe_remote_header(remote, options)
    verdict = check_header(header.data, header.info)
    if verdict.supported is False:
        raise DownloadError(translate(
            "core", "{filename}: {reason}. Not downloading; a newer llama-cpp-python may support it."
        ).format(filename=remote.filename, reason=verdict.reason))


@dataclass(frozen=True)
class RemoteHeader:
    info: "GGUFInfo"
    data: bytes  # the bytes read: at least the whole header


def probe_remote_header(remote: RemoteFile, options: DownloadOptions | None = None,
                        max_bytes: int = 64 << 20) -> RemoteHeader:
    """Read a remote GGUF's header with Range requests, before downloading gigabytes.

    Starts with 1 MiB and doubles while the header is longer (token lists can take megabytes).
    """
    from huggingface_hub.utils import build_hf_headers, get_session

    from app.core.gguf_info import HeaderIncomplete, parse_header

    options = options or DownloadOptions()
    _check_offline()
    headers = build_hf_headers(token=_token(options))
    headers["Accept-Encoding"] = "identity"
    size = 1 << 20
    while True:
        headers["Range"] = f"bytes=0-{size - 1}"
        try:
            # Streamed and cut at `size`: a server that ignores Range must not send us the whole model.
            with get_session().stream("GET", remote.url, headers=headers, timeout=options.connect_timeout_s,
                                      follow_redirects=True) as response:
                if response.status_code in (401, 403):
                    raise NeedsTokenError(translate(
                        "core", "{repo}/{filename}: a Hugging Face token is needed."
                    ).format(repo=remote.repo, filename=remote.filename))
                if response.status_code not in (200, 206):
                    raise NetworkError(translate(
                        "core", "{filename}: the server answered {status_code}."
                    ).format(filename=remote.filename, status_code=response.status_code))
                pieces, got = [], 0
                for chunk in response.iter_bytes():
                    pieces.append(chunk)
                    got += len(chunk)
                    if got >= size:
                        break
                data = b"".join(pieces)[:size]
        except DownloadError:
            raise
        except Exception as exc:
            raise _map_hub_error(exc, f"{remote.repo}/{remote.filename}") from None
        try:
            return RemoteHeader(parse_header(data), data)
        except HeaderIncomplete:
            if len(data) < size or size >= max_bytes or size >= remote.size:
                from app.core.errors import ModelFileError

                raise ModelFileError(translate(
                    "core", "{filename}: the GGUF header is larger than {size} MiB or the file is truncated."
                ).format(filename=remote.filename, size=size >> 20)) from None
            size *= 2


# Whether the hub can be reached at all ------------------------------------------------------------
# Offline, every hub request fails at once (no DNS, no route), but the downloader's retries with
# backoff turned that into about 24 s before Check file or Download said so. A TCP connect to the
# hub (or to the proxy that would carry the request) with a short timeout answers in milliseconds
# offline and within PROBE_TIMEOUT_S on a network that drops packets, without sending any request.

PROBE_TIMEOUT_S = 3.0


class HubReach(str, Enum):
    REACHABLE = "reachable"
    UNREACHABLE = "unreachable"  # no network, no name resolution, or nothing answers there
    OFFLINE_MODE = "offline mode"  # HF_HUB_OFFLINE: the user turned the hub off


@dataclass(frozen=True)
class HubStatus:
    reach: HubReach
    host: str  # what was tried: the hub's host, or the proxy's
    reason: str = ""  # why it is unreachable, in a few words

    @property
    def online(self) -> bool:
        return self.reach is HubReach.REACHABLE

    def message(self) -> str:
        """What the Models window and the errors say."""
        if self.reach is HubReach.OFFLINE_MODE:
            return translate("core", "Offline mode is on (HF_HUB_OFFLINE): downloads and Check file are disabled.")
        if self.reach is HubReach.UNREACHABLE:
            return translate("core", "No network: {host} cannot be reached ({reason}). Downloads and Check file need it; "
                             "models already here work.").format(host=self.host, reason=self.reason)
        return translate("core", "{host} can be reached.").format(host=self.host)


def _target(endpoint: str | None) -> tuple[str, int, str]:
    """(host, port, label) that a request to `endpoint` would connect to first: a proxy if one is set."""
    import urllib.request
    from urllib.parse import urlsplit

    from huggingface_hub import constants

    url = urlsplit(endpoint or constants.ENDPOINT)
    scheme, host = url.scheme or "https", url.hostname or ""
    port = url.port or (443 if scheme == "https" else 80)
    proxy = urllib.request.getproxies().get(scheme)
    if proxy and not urllib.request.proxy_bypass(host):
        purl = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        if purl.hostname:
            return purl.hostname, purl.port or 8080, translate("core", "the proxy {host}").format(host=purl.hostname)
    return host, port, host


def probe_hub(endpoint: str | None = None, timeout_s: float = PROBE_TIMEOUT_S) -> HubStatus:
    """Whether the hub at `endpoint` (None: huggingface_hub's) answers a TCP connect. Blocks at most
    about `timeout_s`: name resolution, which takes no timeout of its own, runs on a daemon thread."""
    import socket
    import threading

    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        return HubStatus(HubReach.OFFLINE_MODE, translate("core", "the hub"))
    host, port, label = _target(endpoint)
    if not host:
        return HubStatus(HubReach.UNREACHABLE, label or translate("core", "the hub"),
                         translate("core", "no host in the address"))
    outcome: list[str] = []

    def connect() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout_s).close()
            outcome.append("")
        except socket.gaierror:
            outcome.append(translate("core", "its name does not resolve"))
        except OSError as exc:
            outcome.append((exc.strerror or exc.__class__.__name__).lower())

    thread = threading.Thread(target=connect, name="hub-probe", daemon=True)
    thread.start()
    thread.join(timeout_s + 0.5)
    if not outcome:
        return HubStatus(HubReach.UNREACHABLE, label, translate("core", "no answer in {seconds:.0f} s").format(seconds=timeout_s))
    reason = outcome[0]
    return HubStatus(HubReach.REACHABLE, label) if not reason else HubStatus(HubReach.UNREACHABLE, label, reason)


class HubWatch:
    """The last probe per endpoint, reused for a short while: the window asks on every refresh."""

    def __init__(self, max_age_s: float = 30.0) -> None:
        self.max_age_s = max_age_s
        self._lock = threading.Lock()
        self._last: dict[str, tuple[float, HubStatus]] = {}

    def status(self, endpoint: str | None = None, *, fresh: bool = False) -> HubStatus:
        key = endpoint or ""
        with self._lock:
            cached = self._last.get(key)
        if cached is not None and not fresh and time.monotonic() - cached[0] < self.max_age_s:
            return cached[1]
        found = probe_hub(endpoint)
        with self._lock:
            self._last[key] = (time.monotonic(), found)
        return found


def is_connect_failure(exc: BaseException) -> bool:
    """A request that never reached a server (refused, unresolvable, unroutable), whatever HTTP
    client raised it: those are worth a probe before any retry, a server's answer is not."""
    import socket

    if isinstance(exc, (socket.gaierror, ConnectionRefusedError, ConnectionResetError)):
        return True
    names = {cls.__name__ for cls in type(exc).__mro__}
    return bool(names & {"ConnectError", "ConnectTimeout", "ConnectionError", "NewConnectionError"})
