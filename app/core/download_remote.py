"""Which files a model download fetches: the hub's metadata of each file, split parts found by
listing the repository, and huggingface_hub's errors as messages a user can act on."""

from __future__ import annotations

import re
import time

from app.core.download_types import (
    DownloadError,
    DownloadOptions,
    IntegrityError,
    NeedsTokenError,
    NetworkError,
    OfflineError,
    RemoteFile,
    RemoteNotFoundError,
)
from app.core.i18n import translate
from app.core.manifest import ModelEntry

_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_SPLIT_RE = re.compile(r"-(\d{5})-of-(\d{5})\.gguf$")


def _token(options: DownloadOptions) -> str | None:
    if options.token:
        return options.token
    from huggingface_hub import get_token

    return get_token()


def _check_offline() -> None:
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        raise OfflineError(translate("core", "Offline mode is on (HF_HUB_OFFLINE): downloads are disabled."))


def _map_hub_error(exc: Exception, what: str) -> DownloadError:
    """huggingface_hub's exceptions as messages a user can act on."""
    from huggingface_hub import errors

    if isinstance(exc, errors.GatedRepoError):
        return NeedsTokenError(
            translate(
                "core", "{what} is gated: accept its license on the hub, then give a Hugging Face token (Settings > Hub, the "
                "HF_TOKEN variable, or `hf auth login`).").format(what=what))
    if isinstance(exc, errors.RepositoryNotFoundError):
        return NeedsTokenError(
            translate("core", "{what}: the repository was not found, or it is private and needs a Hugging Face token."
                      ).format(what=what))
    if isinstance(exc, (errors.EntryNotFoundError, errors.RemoteEntryNotFoundError, errors.RevisionNotFoundError)):
        return RemoteNotFoundError(translate(
            "core", "{what} was not found on the hub (renamed or removed?).").format(what=what))
    if isinstance(exc, errors.OfflineModeIsEnabled):
        return OfflineError(translate("core", "Offline mode is on (HF_HUB_OFFLINE): downloads are disabled."))
    if isinstance(exc, errors.HfHubHTTPError):
        status = getattr(getattr(exc, "response", None), "status_code", None)
        if status in (401, 403):
            return NeedsTokenError(translate(
                "core", "{what}: access denied ({status}); a Hugging Face token is needed.").format(what=what, status=status))
        return NetworkError(translate(
            "core", "{what}: the hub answered with an error ({status}).").format(what=what, status=status or exc))
    return NetworkError(translate(
        "core", "{what}: could not reach the hub ({kind}: {exc}).").format(what=what, kind=exc.__class__.__name__, exc=exc))


def _raise_if_unreachable(exc: Exception, options: DownloadOptions) -> None:
    """A request that reached no server, to a hub that a probe cannot reach either: OfflineError."""
    from app.core.download_probe import is_connect_failure, probe_hub

    if is_connect_failure(exc):
        status = probe_hub(options.endpoint)
        if not status.online:
            raise OfflineError(status.message()) from None


def resolve_files(entry: ModelEntry, options: DownloadOptions) -> list[RemoteFile]:
    """Metadata of every file of `entry`, with split parts found on the hub when needed."""
    _check_offline()
    if not entry.repo:
        raise DownloadError(translate("core", "{id} has no hub repository to download from.").format(id=entry.id))
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
                translate(
                    "core", "{filename} on the hub (sha256 {sha256}…) is not the file this app expects ({expected}…); it may "
                    "have been replaced. Not downloading."
                ).format(filename=only.filename, sha256=only.sha256[:12], expected=entry.sha256[:12]), retryable=False)
        files[0] = RemoteFile(**{**only.__dict__, "sha256": entry.sha256})
    if len(files) == 1 and entry.size and files[0].size != entry.size:
        raise IntegrityError(
            translate(
                "core", "{filename}: the hub announces {size:,} bytes, the manifest {expected:,}; not downloading."
            ).format(filename=files[0].filename, size=files[0].size, expected=entry.size), retryable=False)
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
            _raise_if_unreachable(exc, options)  # offline: say so now, not after every retry's backoff
            time.sleep(min(options.backoff_max_s, options.backoff_s * 2**attempt))
    if meta.size is None:
        raise DownloadError(translate(
            "core", "{repo}/{name}: the hub did not say how large the file is.").format(repo=entry.repo, name=name))
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
