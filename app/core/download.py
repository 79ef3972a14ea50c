"""Resumable, verified model downloads from the Hugging Face hub (or a mirror).

huggingface_hub gives the URLs, the file metadata (size, sha256 of LFS files, commit), the
endpoint (HF_ENDPOINT), the token and offline mode. It does not resume across restarts or check
sha256, so the body is fetched here: into `<file>.part` beside a small JSON record of what is
being fetched, with HTTP Range requests to resume after a cancel, a dropped connection or an app
restart, hashing while writing, and an atomic rename only once size and sha256 are right. A
partial file is never treated as installed.

`download_model` is a generator of `DownloadProgress` events; the GUI runs it on a worker thread
and the CLI on its main thread.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import queue
import re
import shutil
import socket
import stat
import threading
import time
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from app.core.errors import UserError
from app.core.file_lock import FileLock, LockBusy
from app.core.manifest import ModelEntry

if TYPE_CHECKING:
    from app.core.gguf_info import GGUFInfo

log = logging.getLogger(__name__)

CHUNK = 1 << 20  # for re-hashing a partial file on resume; network reads come as the HTTP library delivers
_DISK_MARGIN = 64 << 20  # keep this much free beyond the file itself
_PROGRESS_INTERVAL_S = 0.2
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_SPLIT_RE = re.compile(r"-(\d{5})-of-(\d{5})\.gguf$")
_MAX_RECORD = 64 << 10  # a .part.json record is a few hundred bytes
# The .part file and its record sit in a folder others may write to (a shared models folder, a
# synced disk): each open refuses a final link (it could point outside the folder, or at
# /dev/zero) and refuses to wait (a FIFO's open blocks until a writer comes).
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_OPEN_FLAGS = {"rb": os.O_RDONLY, "rb+": os.O_RDWR, "wb": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
               "ab": os.O_WRONLY | os.O_CREAT | os.O_APPEND}


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


def model_dir(models_dir: Path, entry: ModelEntry) -> Path:
    return models_dir / entry.id


def partial_path(final: Path) -> Path:
    return final.with_name(final.name + ".part")


def _record_path(final: Path) -> Path:
    return final.with_name(final.name + ".part.json")


def _token(options: DownloadOptions) -> str | None:
    if options.token:
        return options.token
    from huggingface_hub import get_token

    return get_token()


def _check_offline() -> None:
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        raise OfflineError("Offline mode is on (HF_HUB_OFFLINE): downloads are disabled.")


def _map_hub_error(exc: Exception, what: str) -> DownloadError:
    """huggingface_hub's exceptions as messages a user can act on."""
    from huggingface_hub import errors

    if isinstance(exc, errors.GatedRepoError):
        return NeedsTokenError(
            f"{what} is gated: accept its license on the hub, then give a Hugging Face token "
            "(Models window > Token, the HF_TOKEN variable, or `hf auth login`).")
    if isinstance(exc, errors.RepositoryNotFoundError):
        return NeedsTokenError(
            f"{what}: the repository was not found, or it is private and needs a Hugging Face token.")
    if isinstance(exc, (errors.EntryNotFoundError, errors.RemoteEntryNotFoundError, errors.RevisionNotFoundError)):
        return RemoteNotFoundError(f"{what} was not found on the hub (renamed or removed?).")
    if isinstance(exc, errors.OfflineModeIsEnabled):
        return OfflineError("Offline mode is on (HF_HUB_OFFLINE): downloads are disabled.")
    if isinstance(exc, errors.HfHubHTTPError):
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status in (401, 403):
            return NeedsTokenError(f"{what}: access denied ({status}); a Hugging Face token is needed.")
        return NetworkError(f"{what}: the hub answered with an error ({status or exc}).")
    return NetworkError(f"{what}: could not reach the hub ({exc.__class__.__name__}: {exc}).")


def resolve_files(entry: ModelEntry, options: DownloadOptions) -> list[RemoteFile]:
    """Metadata of every file of `entry`, with split parts found on the hub when needed."""
    _check_offline()
    if not entry.repo:
        raise DownloadError(f"{entry.id} has no hub repository to download from.")
    names = list(entry.files)
    files: list[RemoteFile] = []
    for name in names:
        try:
            files.append(_file_metadata(entry, name, options))
        except RemoteNotFoundError:
            parts = _find_split_parts(entry, name, options) if len(names) == 1 else []
            if not parts:
                raise
            files = [_file_metadata(entry, part, options) for part in parts]
    if len(files) == 1 and entry.sha256:
        only = files[0]
        if only.sha256 and only.sha256 != entry.sha256:
            raise IntegrityError(
                f"{only.filename} on the hub (sha256 {only.sha256[:12]}…) is not the file this app "
                f"expects ({entry.sha256[:12]}…); it may have been replaced. Not downloading.", retryable=False)
        files[0] = RemoteFile(**{**only.__dict__, "sha256": entry.sha256})
    if len(files) == 1 and entry.size and files[0].size != entry.size:
        raise IntegrityError(
            f"{files[0].filename}: the hub announces {files[0].size:,} bytes, the manifest {entry.size:,}; "
            "not downloading.", retryable=False)
    return files


def _file_metadata(entry: ModelEntry, name: str, options: DownloadOptions) -> RemoteFile:
    from huggingface_hub import get_hf_file_metadata, hf_hub_url

    revision = entry.revision or "main"
    url = hf_hub_url(entry.repo, name, revision=revision, endpoint=options.endpoint)
    for attempt in range(options.retries + 1):
        try:
            meta = get_hf_file_metadata(url, token=_token(options), timeout=options.connect_timeout_s,
                                        endpoint=options.endpoint)
            break
        except Exception as exc:  # every hub failure becomes a typed, readable error
            error = _map_hub_error(exc, f"{entry.repo}/{name}")
            if not isinstance(error, NetworkError) or attempt == options.retries:
                raise error from None
            time.sleep(min(options.backoff_max_s, options.backoff_s * 2**attempt))
    if meta.size is None:
        raise DownloadError(f"{entry.repo}/{name}: the hub did not say how large the file is.")
    etag = (meta.etag or "").strip('"').removeprefix("W/").strip('"')
    sha = etag if _SHA_RE.match(etag) else None  # LFS files' ETag is their sha256
    # The body is fetched from the resolve URL pinned to the commit, following redirects anew each
    # time: a signed CDN address expires during long downloads, and the HTTP client drops the
    # token when a redirect leaves the hub's host, so the token never reaches the CDN.
    pinned = hf_hub_url(entry.repo, name, revision=meta.commit_hash or revision, endpoint=options.endpoint)
    return RemoteFile(repo=entry.repo, filename=name, revision=revision, url=pinned,
                      size=int(meta.size), sha256=sha, etag=etag, commit=meta.commit_hash or "")


def _find_split_parts(entry: ModelEntry, name: str, options: DownloadOptions) -> list[str]:
    """`x.gguf` missing but `x-00001-of-00003.gguf`... present: large files are split on the hub."""
    from huggingface_hub import HfApi

    stem = name.removesuffix(".gguf")
    try:
        listing = HfApi(endpoint=options.endpoint, token=_token(options)).list_repo_files(
            entry.repo, revision=entry.revision or None)
    except Exception as exc:
        raise _map_hub_error(exc, entry.repo) from None
    parts = sorted(f for f in listing if f.startswith(stem + "-") and _SPLIT_RE.search(f))
    return parts


def _check_disk(folder: Path, needed: int) -> None:
    free = shutil.disk_usage(folder).free
    if free < needed + _DISK_MARGIN:
        raise DiskFullError(
            f"Not enough disk space in {folder}: {needed / 1e9:.2f} GB more are needed, "
            f"{free / 1e9:.2f} GB are free.")


def download_model(entry: ModelEntry, models_dir: Path, options: DownloadOptions | None = None,
                   control: DownloadControl | None = None) -> Iterator[DownloadProgress]:
    """Download every file of `entry` into `<models_dir>/<id>/`; yields progress events.

    Raises DownloadError subclasses with a message for the user.
    """
    options = options or DownloadOptions()
    control = control or DownloadControl()
    folder = model_dir(models_dir, entry)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"Cannot create {folder}: {exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK):
        raise DownloadError(f"{folder} is not writable.")
    # Two downloads of one model would append to the same .part file and ruin it: the second one stops.
    lock_dir = models_dir / ".locks"
    lock = FileLock(lock_dir / f"{entry.id}.lock")
    try:
        lock_dir.mkdir(exist_ok=True)
        lock.acquire()
    except LockBusy:
        raise DownloadError(f"{entry.id} is already being downloaded by another window or command; wait for it "
                            "to finish (its progress is kept).", retryable=True) from None
    except OSError as exc:
        raise DownloadError(f"Cannot create a lock file in {lock_dir}: {exc.strerror or exc}") from None
    try:
        yield from _download_locked(entry, folder, options, control)
    finally:
        lock.release()


def _download_locked(entry: ModelEntry, folder: Path, options: DownloadOptions,
                     control: DownloadControl) -> Iterator[DownloadProgress]:
    yield DownloadProgress(entry.id, entry.files[0], DownloadState.CHECKING)
    files = resolve_files(entry, options)
    remaining = sum(f.size - _partial_size(_inside(folder, f.filename), f) for f in files
                    if not _inside(folder, f.filename).exists())
    _check_disk(folder, remaining)
    first = _inside(folder, files[0].filename)
    if files[0].filename.endswith(".gguf") and not first.exists() and not _partial_size(first, files[0]):
        _refuse_unsupported(files[0], options)  # a fresh download only: a resume was checked when it began
    try:
        for remote in files:
            final = _inside(folder, remote.filename)
            final.parent.mkdir(parents=True, exist_ok=True)  # some repositories keep files in subfolders
            if final.exists() and final.stat().st_size == remote.size:
                continue  # this part finished earlier
            yield from _download_file(entry.id, remote, final, options, control)
            if not final.exists():
                return  # paused or cancelled: the event saying so was the last one
    except OSError as exc:
        if exc.errno == 28:  # ENOSPC
            raise DiskFullError("The disk filled up while downloading; the partial file is kept, free space "
                                "and resume.") from None
        raise DownloadError(f"Writing the download failed: {exc.strerror or exc}") from None
    total = sum(f.size for f in files)
    yield DownloadProgress(entry.id, files[0].filename, DownloadState.DONE, total, total)


def _refuse_unsupported(remote: RemoteFile, options: DownloadOptions) -> None:
    """Read the header first: gigabytes of an architecture this llama.cpp cannot run are refused."""
    from app.core.gguf_support import check_header

    header = probe_remote_header(remote, options)
    verdict = check_header(header.data, header.info)
    if verdict.supported is False:
        raise DownloadError(f"{remote.filename}: {verdict.reason}. Not downloading; a newer llama-cpp-python "
                            "may support it.")


def _inside(folder: Path, name: str) -> Path:
    """`folder/name`, refusing names (from a manifest or a hub listing) that would leave `folder`."""
    target = (folder / name).resolve()
    if ".." in Path(name).parts or Path(name).is_absolute() or not target.is_relative_to(folder.resolve()):
        raise DownloadError(f"refusing to write {name!r}: it would land outside {folder}")
    return folder / name


def _regular_stat(path: Path) -> os.stat_result | None:
    """lstat of `path` when it is a regular file (not a link, FIFO, socket, device or folder), else None."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return st if stat.S_ISREG(st.st_mode) else None


def _clear_non_regular(path: Path) -> None:
    """Remove whatever stands at `path` unless it is a regular file: the download then starts over.

    A link is removed itself, never what it points to; a folder only if it is empty.
    """
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISREG(st.st_mode):
        return
    log.warning("%s is not a regular file; removing it and starting that download over", path)
    if stat.S_ISDIR(st.st_mode):
        try:
            os.rmdir(path)
        except OSError:
            raise DownloadError(f"{path} is a folder, not a partial download; move it away and download "
                                "again.") from None
    else:
        os.unlink(path)


def _open_regular(path: Path, mode: str, buffering: int = -1):  # noqa: ANN202 - a binary file object
    """`open(path, mode)` that never follows a final link, never blocks, and only opens regular files."""
    try:
        fd = os.open(path, _OPEN_FLAGS[mode] | _NOFOLLOW | _NONBLOCK | _BINARY | _CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK, errno.ENXIO) or isinstance(exc, IsADirectoryError):
            raise DownloadError(f"{path} was replaced by a link or a non-file during the download; "
                                "download again to start over.", retryable=True) from None
        raise
    if not _NOFOLLOW and os.path.islink(path):  # Windows has no O_NOFOLLOW: check after the open
        os.close(fd)
        raise DownloadError(f"{path} is a link; download again to start over.", retryable=True)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise DownloadError(f"{path} was replaced by a non-file during the download; download again to "
                            "start over.", retryable=True)
    if _NONBLOCK and hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)  # a regular file: restore ordinary semantics for the writes
    return os.fdopen(fd, mode, buffering=buffering)


def _partial_size(final: Path, remote: RemoteFile) -> int:
    st = _regular_stat(partial_path(final))
    return st.st_size if st is not None and _record_matches(final, remote) else 0


def _read_record(final: Path) -> dict:
    path = _record_path(final)
    if _regular_stat(path) is None:
        return {}
    with _open_regular(path, "rb") as fh:
        data = fh.read(_MAX_RECORD + 1)
    if len(data) > _MAX_RECORD:
        return {}
    record = json.loads(data.decode("utf-8"))
    return record if isinstance(record, dict) else {}


def _record_matches(final: Path, remote: RemoteFile) -> bool:
    try:
        record = _read_record(final)
    except (OSError, ValueError, DownloadError):
        return False
    # An empty ETag identifies nothing: such a partial file cannot be trusted to be this file.
    return bool(remote.etag) and record.get("etag") == remote.etag and record.get("size") == remote.size


def _write_record(final: Path, remote: RemoteFile) -> None:
    path = _record_path(final)
    _clear_non_regular(path)
    with _open_regular(path, "wb") as fh:
        fh.write(json.dumps(
            {"repo": remote.repo, "filename": remote.filename, "revision": remote.revision, "etag": remote.etag,
             "size": remote.size, "sha256": remote.sha256, "commit": remote.commit}).encode("utf-8"))


def _hash_existing(part: Path, hasher: "hashlib._Hash", control: DownloadControl | None = None) -> int:
    """Hash what a previous run downloaded; returns the byte count (less if stopped midway, which
    the caller never uses for a verification)."""
    done = 0
    with _open_regular(part, "rb") as fh:
        while chunk := fh.read(CHUNK * 8):
            hasher.update(chunk)
            done += len(chunk)
            if control is not None and control.stopping:
                break
    return done


class _ThreadedHasher:
    """sha256 on a second thread, fed through a bounded queue.

    hashlib releases the GIL on large updates, so hashing runs beside the socket reads and file
    writes instead of adding to them (it cost 10-40% of the download time in the same loop).
    """

    def __init__(self, hasher: "hashlib._Hash") -> None:
        self._start(hasher)

    def _start(self, hasher: "hashlib._Hash") -> None:
        self._hasher = hasher
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=64)
        self._thread = threading.Thread(target=self._run, name="sha256", daemon=True)
        self._thread.start()

    def reset(self) -> None:
        """Start over from zero bytes (the server ignored Range and resends the whole file)."""
        self.close()
        self._start(hashlib.sha256())

    def _run(self) -> None:
        while (chunk := self._queue.get()) is not None:
            self._hasher.update(chunk)

    def update(self, chunk: bytes) -> None:
        self._queue.put(chunk)

    def hexdigest(self) -> str:
        self.close()
        return self._hasher.hexdigest()

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()


class _Speed:
    """Bytes per second over a sliding window of a few seconds."""

    def __init__(self, window_s: float = 3.0) -> None:
        self.window_s = window_s
        self.samples: list[tuple[float, int]] = []

    def add(self, done: int) -> float:
        now = time.monotonic()
        self.samples.append((now, done))
        while len(self.samples) > 2 and now - self.samples[0][0] > self.window_s:
            self.samples.pop(0)
        (t0, d0), (t1, d1) = self.samples[0], self.samples[-1]
        return (d1 - d0) / (t1 - t0) if t1 > t0 else 0.0


def _download_file(model_id: str, remote: RemoteFile, final: Path, options: DownloadOptions,
                   control: DownloadControl) -> Iterator[DownloadProgress]:
    part = partial_path(final)
    # A link, FIFO, device or empty folder in place of the partial file or its record is removed
    # (never followed): the download starts over.
    _clear_non_regular(part)
    _clear_non_regular(_record_path(final))
    st = _regular_stat(part)
    if st is not None and (not _record_matches(final, remote) or st.st_size > remote.size):
        part.unlink()  # a different file (or version) was being fetched, or too much of it: start over
        st = None
    _write_record(final, remote)
    sha = hashlib.sha256()
    done = _hash_existing(part, sha, control) if st is not None else 0
    if control.stopping:
        yield DownloadProgress(model_id, remote.filename,
                               DownloadState.CANCELLED if control.cancel.is_set() else DownloadState.PAUSED,
                               done, remote.size)
        return
    hasher = _ThreadedHasher(sha)
    try:
        yield from _fetch_body(model_id, remote, final, part, done, hasher, options, control)
    finally:
        hasher.close()


def _fetch_body(model_id: str, remote: RemoteFile, final: Path, part: Path, done: int, hasher: _ThreadedHasher,
                options: DownloadOptions, control: DownloadControl) -> Iterator[DownloadProgress]:
    import httpx2 as httpx
    from huggingface_hub.utils import build_hf_headers, get_session

    if done:
        log.info("resuming %s at %d of %d bytes", remote.filename, done, remote.size)
    speed = _Speed()
    progress = DownloadProgress(model_id, remote.filename, DownloadState.DOWNLOADING, done, remote.size)
    headers = build_hf_headers(token=_token(options))
    headers["Accept-Encoding"] = "identity"  # byte ranges must address the file, not a compressed stream
    timeout = httpx.Timeout(connect=options.connect_timeout_s, read=options.stall_timeout_s,
                            write=options.stall_timeout_s, pool=options.connect_timeout_s)
    session = get_session()
    failures = 0
    while done < remote.size:
        if control.stopping:
            break
        request_headers = dict(headers)
        if done:
            request_headers["Range"] = f"bytes={done}-"
        try:
            with session.stream("GET", remote.url, headers=request_headers, timeout=timeout,
                                follow_redirects=True) as response:
                control.response = response
                status = response.status_code
                if status in (401, 403):
                    raise NeedsTokenError(f"{remote.repo}/{remote.filename}: access denied ({status}); "
                                          "a Hugging Face token is needed.")
                if status == 404:
                    raise RemoteNotFoundError(f"{remote.repo}/{remote.filename} is no longer on the hub.")
                if status == 416:
                    # Only asked while bytes are missing: the file is shorter than announced.
                    part.unlink(missing_ok=True)
                    _record_path(final).unlink(missing_ok=True)
                    raise IntegrityError(f"{remote.filename}: the server has fewer bytes than the {remote.size:,} "
                                         "it announced; the partial file was deleted.", retryable=False)
                if status >= 500 or status == 429:
                    raise NetworkError(f"the server answered {status}")
                if status not in (200, 206):
                    raise DownloadError(f"{remote.filename}: unexpected answer {status} from the server.")
                if done and status == 200:
                    # The server ignored the Range header and sends the whole file: start over.
                    log.warning("server ignored Range for %s; restarting from zero", remote.filename)
                    hasher.reset()
                    done = 0
                    with _open_regular(part, "wb"):
                        pass
                elif status == 206 and not response.headers.get("content-range", "").startswith(f"bytes {done}-"):
                    raise NetworkError(f"the server sent the wrong range ({response.headers.get('content-range')})")
                last_event = 0.0
                # Unbuffered: each received piece goes straight to the file, no extra copy.
                with _open_regular(part, "ab", buffering=0) as out:
                    for chunk in response.iter_bytes():  # as received: a drop loses nothing already read
                        if control.stopping:
                            break
                        if done + len(chunk) > remote.size:
                            raise IntegrityError(
                                f"{remote.filename}: the server sent more than the {remote.size:,} bytes it "
                                "announced; the download is not trustworthy.", retryable=False)
                        if out.write(chunk) != len(chunk):
                            raise DiskFullError(f"The disk filled up while downloading {remote.filename}; the "
                                                "partial file is kept, free space and resume.")
                        hasher.update(chunk)
                        done += len(chunk)
                        failures = 0
                        now = time.monotonic()
                        if now - last_event >= _PROGRESS_INTERVAL_S:
                            last_event = now
                            progress.state, progress.done, progress.speed = DownloadState.DOWNLOADING, done, speed.add(done)
                            progress.message = ""
                            yield replace(progress)  # a snapshot: consumers may keep events
                        if control.stopping:
                            break
                if done < remote.size and not control.stopping:
                    raise NetworkError("the connection ended before the file did")
        except (httpx.TransportError, NetworkError, OSError) as exc:
            control.response = None
            if control.stopping:
                break  # the read was broken off on purpose
            if isinstance(exc, OSError) and not isinstance(exc, (ConnectionError, TimeoutError)):
                if getattr(exc, "errno", None) == 28:  # ENOSPC
                    raise DiskFullError(f"The disk filled up while downloading {remote.filename}; "
                                        "the partial file is kept, free space and resume.") from None
                raise DownloadError(f"Writing {part.name} failed: {exc}") from None
            failures += 1
            if failures > options.retries:
                raise NetworkError(f"{remote.filename}: download failed after {options.retries} retries "
                                   f"({exc}); resume it later, the partial file is kept.") from None
            wait = min(options.backoff_max_s, options.backoff_s * 2 ** (failures - 1))
            progress.state, progress.done, progress.message = DownloadState.RETRYING, done, f"{exc}; retrying in {wait:.0f} s"
            yield replace(progress)
            if control.wait(wait):
                break
    if control.cancel.is_set():
        part.unlink(missing_ok=True)
        _record_path(final).unlink(missing_ok=True)
        yield DownloadProgress(model_id, remote.filename, DownloadState.CANCELLED, 0, remote.size)
        return
    if control.pause.is_set() and done < remote.size:
        yield DownloadProgress(model_id, remote.filename, DownloadState.PAUSED, done, remote.size)
        return
    yield DownloadProgress(model_id, remote.filename, DownloadState.VERIFYING, done, remote.size)
    st = _regular_stat(part)
    if st is None:
        raise DownloadError(f"{part} was replaced by a link or a non-file during the download; download again "
                            "to start over.", retryable=True)
    size = st.st_size
    if size != remote.size:
        raise IntegrityError(f"{remote.filename}: got {size:,} bytes, expected {remote.size:,}; resume to finish.")
    if remote.sha256 and hasher.hexdigest() != remote.sha256:
        part.unlink()
        _record_path(final).unlink(missing_ok=True)
        raise IntegrityError(f"{remote.filename} is corrupt (sha256 mismatch); it was deleted, download it again.")
    with _open_regular(part, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(part, final)  # atomic: the final name only ever holds a verified file
    _record_path(final).unlink(missing_ok=True)
    log.info("downloaded %s (%d bytes, sha256 %s)", final, size, hasher.hexdigest())


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
                    raise NeedsTokenError(f"{remote.repo}/{remote.filename}: a Hugging Face token is needed.")
                if response.status_code not in (200, 206):
                    raise NetworkError(f"{remote.filename}: the server answered {response.status_code}.")
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

                raise ModelFileError(f"{remote.filename}: the GGUF header is larger than {size >> 20} MiB "
                                     "or the file is truncated.") from None
            size *= 2
