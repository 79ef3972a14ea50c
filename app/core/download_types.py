"""The errors, options, progress events and controls of a model download (see app.core.download)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from enum import Enum

from app.core.errors import UserError
from app.core.i18n import translate

# The logger keeps the name it had before app.core.download was split, so log filters and
# levels set for "app.core.download" still cover this code.
log = logging.getLogger("app.core.download")


class DownloadError(UserError):
    exit_code = 8


class NeedsTokenError(DownloadError):
    """The repository is gated or private: a token (and accepting its license) is needed."""


class RemoteNotFoundError(DownloadError):
    pass


class IntegrityError(DownloadError):
    """The bytes received are not the file that was announced."""

    retryable = True


class DiskFullError(DownloadError):
    pass


class NetworkError(DownloadError):
    retryable = True


class OfflineError(DownloadError):
    pass


@dataclass(frozen=True)
class RemoteFile:
    repo: str
    filename: str
    revision: str
    url: str
    size: int
    sha256: str | None  # None when neither the manifest nor the hub gives one
    etag: str
    commit: str


class DownloadState(str, Enum):
    """Where a model's download stands. The downloader yields CHECKING to CANCELLED; QUEUED and
    FAILED are set by whoever runs it (waiting its turn; ended by an error)."""

    QUEUED = "queued"
    CHECKING = "checking"
    DOWNLOADING = "downloading"
    RETRYING = "retrying"
    VERIFYING = "verifying"
    DONE = "done"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    FAILED = "failed"

    def __str__(self) -> str:
        return self.value

    @property
    def transferring(self) -> bool:
        """Bytes are moving (or about to again): progress is worth a bar."""
        return self in (DownloadState.DOWNLOADING, DownloadState.RETRYING, DownloadState.VERIFYING)

    @property
    def stopped_early(self) -> bool:
        """Paused or cancelled by the user, not finished."""
        return self in (DownloadState.PAUSED, DownloadState.CANCELLED)

    @property
    def words(self) -> str:
        """The state in words for a person (translatable); `value` stays the word the CLI prints and logs keep."""
        return _STATE_WORDS[self]


_STATE_WORDS = {
    DownloadState.QUEUED: translate("core", "queued", "download state"),
    DownloadState.CHECKING: translate("core", "checking", "download state"),
    DownloadState.DOWNLOADING: translate("core", "downloading", "download state"),
    DownloadState.RETRYING: translate("core", "retrying", "download state"),
    DownloadState.VERIFYING: translate("core", "verifying", "download state"),
    DownloadState.DONE: translate("core", "done", "download state"),
    DownloadState.PAUSED: translate("core", "paused", "download state"),
    DownloadState.CANCELLED: translate("core", "cancelled", "download state"),
    DownloadState.FAILED: translate("core", "failed", "download state"),
}


@dataclass
class DownloadProgress:
    model_id: str
    filename: str
    state: DownloadState
    done: int = 0
    total: int = 0
    speed: float = 0.0  # bytes per second over the last few seconds
    message: str = ""

    @property
    def eta_seconds(self) -> float | None:
        if self.speed <= 0 or self.total <= 0:
            return None
        return max(0.0, (self.total - self.done) / self.speed)

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


@dataclass
class DownloadControl:
    """Set from another thread: `pause` keeps the partial file, `cancel` deletes it."""

    pause: threading.Event = field(default_factory=threading.Event)
    cancel: threading.Event = field(default_factory=threading.Event)
    response: object | None = None  # the body being read, closed by `interrupt` to end a stalled read

    @property
    def stopping(self) -> bool:
        return self.pause.is_set() or self.cancel.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`, waking early (True) on pause or cancel."""
        deadline = time.monotonic() + seconds
        while not self.stopping and (left := deadline - time.monotonic()) > 0:
            self.cancel.wait(min(left, 0.1))
        return self.stopping

    def interrupt(self) -> None:
        """Pause, and break off a read that may be blocked on a silent server."""
        self.pause.set()
        response = self.response
        if response is None:
            return
        try:
            # Closing the response object does not wake a thread blocked in recv(); shutting the
            # socket down (httpcore exposes it as the "network_stream" extension) does.
            stream = response.extensions.get("network_stream")
            sock = stream.get_extra_info("socket") if stream is not None else None
            if sock is not None:
                sock.shutdown(socket.SHUT_RDWR)
        except Exception:  # best effort: at worst the read ends at the stall timeout
            log.debug("could not interrupt the download connection", exc_info=True)


@dataclass
class DownloadOptions:
    endpoint: str | None = None  # None: huggingface_hub's (HF_ENDPOINT, else the hub)
    token: str | None = None  # None: huggingface_hub's (HF_TOKEN, else the stored login)
    retries: int = 6
    backoff_s: float = 0.5  # first wait after a failure; doubles up to backoff_max_s
    backoff_max_s: float = 8.0
    stall_timeout_s: float = 30.0  # no byte for this long counts as a dropped connection
    connect_timeout_s: float = 15.0
