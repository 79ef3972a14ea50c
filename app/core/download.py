"""Resumable, verified model downloads from the Hugging Face hub (or a mirror).

huggingface_hub gives the URLs, the file metadata (size, sha256 of LFS files, commit), the
endpoint (HF_ENDPOINT), the token and offline mode. It does not resume across restarts or check
sha256, so the body is fetched here: into `<file>.part` beside a small JSON record of what is
being fetched, with HTTP Range requests to resume after a cancel, a dropped connection or an app
restart, hashing while writing, and an atomic rename only once size and sha256 are right. A
partial file is never treated as installed.

`download_model` is a generator of `DownloadProgress` events; the GUI runs it on a worker thread
and the CLI on its main thread.

The work is split by operation: download_types (errors, options, events), download_remote (file
metadata and hub listing), download_probe (a remote GGUF header), download_partial (the .part file
and its record), download_transfer (the HTTP transfer of one file). This module runs them and
re-exports their names, so `app.core.download` stays the one import for callers.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import Iterator

from app.core.download_partial import CHUNK as CHUNK
from app.core.download_partial import _clear_non_regular as _clear_non_regular
from app.core.download_partial import _hash_existing as _hash_existing
from app.core.download_partial import _open_regular as _open_regular
from app.core.download_partial import _partial_size
from app.core.download_partial import _read_record as _read_record
from app.core.download_partial import _record_matches as _record_matches
from app.core.download_partial import _record_path as _record_path
from app.core.download_partial import _regular_stat as _regular_stat
from app.core.download_partial import _write_record as _write_record
from app.core.download_partial import partial_path as partial_path
from app.core.download_probe import RemoteHeader as RemoteHeader
from app.core.download_probe import _refuse_unsupported
from app.core.download_probe import probe_remote_header as probe_remote_header
from app.core.download_remote import _check_offline as _check_offline
from app.core.download_remote import _file_metadata as _file_metadata
from app.core.download_remote import _find_split_parts as _find_split_parts
from app.core.download_remote import _map_hub_error as _map_hub_error
from app.core.download_remote import _token as _token
from app.core.download_remote import resolve_files
from app.core.download_transfer import _download_file
from app.core.download_transfer import _fetch_body as _fetch_body
from app.core.download_transfer import _Speed as _Speed
from app.core.download_transfer import _ThreadedHasher as _ThreadedHasher
from app.core.download_types import DiskFullError, DownloadControl, DownloadError, DownloadOptions, DownloadProgress
from app.core.download_types import DownloadState as DownloadState
from app.core.download_types import IntegrityError as IntegrityError
from app.core.download_types import NeedsTokenError as NeedsTokenError
from app.core.download_types import NetworkError as NetworkError
from app.core.download_types import OfflineError as OfflineError
from app.core.download_types import RemoteFile as RemoteFile
from app.core.download_types import RemoteNotFoundError as RemoteNotFoundError
from app.core.file_lock import FileLock, LockBusy
from app.core.i18n import translate
from app.core.manifest import ModelEntry

log = logging.getLogger(__name__)

_DISK_MARGIN = 64 << 20  # keep this much free beyond the file itself


def model_dir(models_dir: Path, entry: ModelEntry) -> Path:
    return models_dir / entry.id


def _check_disk(folder: Path, needed: int) -> None:
    free = shutil.disk_usage(folder).free
    if free < needed + _DISK_MARGIN:
        raise DiskFullError(
            translate(
                "core", "Not enough disk space in {folder}: {needed:.2f} GB more are needed, {free:.2f} GB are free."
            ).format(folder=folder, needed=needed / 1e9, free=free / 1e9))


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
        raise DownloadError(translate(
            "core", "Cannot create {folder}: {reason}").format(folder=folder, reason=exc.strerror or exc)) from None
    if not os.access(folder, os.W_OK):
        raise DownloadError(translate("core", "{folder} is not writable.").format(folder=folder))
    # Two downloads of one model would append to the same .part file and ruin it: the second one stops.
    lock_dir = models_dir / ".locks"
    lock = FileLock(lock_dir / f"{entry.id}.lock")
    try:
        lock_dir.mkdir(exist_ok=True)
        lock.acquire()
    except LockBusy:
        raise DownloadError(translate(
            "core", "{id} is already being downloaded by another window or command; wait for it to finish (its progress is "
            "kept).").format(id=entry.id), retryable=True) from None
    except OSError as exc:
        raise DownloadError(translate(
            "core", "Cannot create a lock file in {lock_dir}: {reason}"
        ).format(lock_dir=lock_dir, reason=exc.strerror or exc)) from None
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
            raise DiskFullError(translate(
                "core", "The disk filled up while downloading; the partial file is kept, free space and resume.")) from None
        raise DownloadError(translate(
            "core", "Writing the download failed: {reason}").format(reason=exc.strerror or exc)) from None
    total = sum(f.size for f in files)
    yield DownloadProgress(entry.id, files[0].filename, DownloadState.DONE, total, total)


def _inside(folder: Path, name: str) -> Path:
    """`folder/name`, refusing names (from a manifest or a hub listing) that would leave `folder`."""
    target = (folder / name).resolve()
    if ".." in Path(name).parts or Path(name).is_absolute() or not target.is_relative_to(folder.resolve()):
        raise DownloadError(translate(
            "core", "refusing to write {name!r}: it would land outside {folder}").format(name=name, folder=folder))
    return folder / name
