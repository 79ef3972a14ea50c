"""The HTTP transfer of one file: Range requests to resume, retries with backoff, sha256 on a
second thread, and the verified, atomic rename into place."""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Iterator

from app.core.download_partial import (
    _clear_non_regular,
    _hash_existing,
    _open_regular,
    _record_matches,
    _record_path,
    _regular_stat,
    _write_record,
    partial_path,
)
from app.core.download_remote import _token
from app.core.download_types import (
    DiskFullError,
    DownloadControl,
    DownloadError,
    DownloadOptions,
    DownloadProgress,
    DownloadState,
    IntegrityError,
    NeedsTokenError,
    NetworkError,
    RemoteFile,
    RemoteNotFoundError,
)
from app.core.errors import message_of
from app.core.i18n import translate

# The logger keeps the name it had before app.core.download was split, so log filters and
# levels set for "app.core.download" still cover this code.
log = logging.getLogger("app.core.download")

_PROGRESS_INTERVAL_S = 0.2



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
                    raise NeedsTokenError(translate(
                        "core", "{repo}/{filename}: access denied ({status}); a Hugging Face token is needed."
                    ).format(repo=remote.repo, filename=remote.filename, status=status))
                if status == 404:
                    raise RemoteNotFoundError(translate(
                        "core", "{repo}/{filename} is no longer on the hub.").format(repo=remote.repo, filename=remote.filename))
                if status == 416:
                    # Only asked while bytes are missing: the file is shorter than announced.
                    part.unlink(missing_ok=True)
                    _record_path(final).unlink(missing_ok=True)
                    raise IntegrityError(translate(
                        "core", "{filename}: the server has fewer bytes than the {size:,} it announced; the partial file was "
                        "deleted.").format(filename=remote.filename, size=remote.size), retryable=False)
                if status >= 500 or status == 429:
                    raise NetworkError(translate("core", "the server answered {status}").format(status=status))
                if status not in (200, 206):
                    raise DownloadError(translate(
                        "core", "{filename}: unexpected answer {status} from the server."
                    ).format(filename=remote.filename, status=status))
                if done and status == 200:
                    # The server ignored the Range header and sends the whole file: start over.
                    log.warning("server ignored Range for %s; restarting from zero", remote.filename)
                    hasher.reset()
                    done = 0
                    with _open_regular(part, "wb"):
                        pass
                elif status == 206 and not response.headers.get("content-range", "").startswith(f"bytes {done}-"):
                    raise NetworkError(translate(
                        "core", "the server sent the wrong range ({range})").format(range=response.headers.get('content-range')))
                last_event = 0.0
                # Unbuffered: each received piece goes straight to the file, no extra copy.
                with _open_regular(part, "ab", buffering=0) as out:
                    for chunk in response.iter_bytes():  # as received: a drop loses nothing already read
                        if control.stopping:
                            break
                        if done + len(chunk) > remote.size:
                            raise IntegrityError(
                                translate(
                                    "core", "{filename}: the server sent more than the {size:,} bytes it announced; the "
                                    "download is not trustworthy."
                                ).format(filename=remote.filename, size=remote.size), retryable=False)
                        if out.write(chunk) != len(chunk):
                            raise DiskFullError(translate(
                                "core", "The disk filled up while downloading {filename}; the partial file is kept, free "
                                "space and resume.").format(filename=remote.filename))
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
                    raise NetworkError(translate("core", "the connection ended before the file did"))
        except (httpx.TransportError, NetworkError, OSError) as exc:
            control.response = None
            if control.stopping:
                break  # the read was broken off on purpose
            if isinstance(exc, OSError) and not isinstance(exc, (ConnectionError, TimeoutError)):
                if getattr(exc, "errno", None) == 28:  # ENOSPC
                    raise DiskFullError(translate(
                        "core", "The disk filled up while downloading {filename}; the partial file is kept, free space and "
                        "resume.").format(filename=remote.filename)) from None
                raise DownloadError(translate("core", "Writing {name} failed: {exc}").format(name=part.name, exc=exc)) from None
            failures += 1
            if failures > options.retries:
                raise NetworkError(translate(
                    "core", "{filename}: download failed after {retries} retries ({exc}); resume it later, the partial file "
                    "is kept.").format(filename=remote.filename, retries=options.retries, exc=message_of(exc))) from None
            wait = min(options.backoff_max_s, options.backoff_s * 2 ** (failures - 1))
            progress.state, progress.done, progress.message = DownloadState.RETRYING, done, translate(
                "core", "{reason}; retrying in {seconds:.0f} s").format(reason=message_of(exc), seconds=wait)
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
        raise DownloadError(translate(
            "core", "{part} was replaced by a link or a non-file during the download; download again to start over."
        ).format(part=part), retryable=True)
    size = st.st_size
    if size != remote.size:
        raise IntegrityError(translate(
            "core", "{filename}: got {size:,} bytes, expected {expected:,}; resume to finish."
        ).format(filename=remote.filename, size=size, expected=remote.size))
    if remote.sha256 and hasher.hexdigest() != remote.sha256:
        part.unlink()
        _record_path(final).unlink(missing_ok=True)
        raise IntegrityError(translate(
            "core", "{filename} is corrupt (sha256 mismatch); it was deleted, download it again."
        ).format(filename=remote.filename))
    with _open_regular(part, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(part, final)  # atomic: the final name only ever holds a verified file
    _record_path(final).unlink(missing_ok=True)
    log.info("downloaded %s (%d bytes, sha256 %s)", final, size, hasher.hexdigest())

