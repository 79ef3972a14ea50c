"""The "Check file" use case: read a model file's header from the hub before downloading it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from app.core.fit import FitReport, assess
from app.core.infill.formats import InfillFamily, detect_format
from app.core.manifest import ModelEntry

if TYPE_CHECKING:
    from app.core.download import DownloadOptions
    from app.core.gguf_info import GGUFInfo


@dataclass(frozen=True)
class RemoteCheck:
    """What the first file of a model says about itself, read from the hub."""

    filename: str
    size: int  # bytes, as the hub announces them
    sha256: str | None  # None when neither the manifest nor the hub publishes one
    architecture: str
    context_length: int | None  # the trained context, None when the header does not say
    chat_template: bool
    infill_family: InfillFamily | None  # None: no infill tokens the app can use
    supported: bool | None  # whether this llama.cpp build can run it; None: could not be checked here
    support_reason: str
    fit: FitReport | None  # the fit estimate from the file's exact shape and size

    @property
    def infill_tokens(self) -> bool:
        return self.infill_family is not None


def infill_family(info: GGUFInfo, data: bytes, hint: str = "") -> InfillFamily | None:
    """The infill family a header's vocabulary holds, by the same rule as loading the model uses.

    `hint` is the manifest's infill format. Its "none" (a model not trained to infill) is not
    applied here: the check reports what the file holds, and the manifest's say is shown apart.
    """
    from app.core.catalogue.header_vocab import HeaderVocabulary

    found = detect_format(HeaderVocabulary(info, data), "" if hint == "none" else hint)
    return found.family if found is not None else None


def check_remote(entry: ModelEntry, options: DownloadOptions | None = None) -> RemoteCheck:
    """Resolve `entry`'s first file on the hub and read its header (a few Range requests).

    Raises:
        DownloadError (and its subclasses: NeedsTokenError, RemoteNotFoundError, NetworkError,
        OfflineError, IntegrityError) for the hub; ModelFileError for a file that is not a usable
        GGUF. Both are UserErrors.
    """
    from app.core.download import DownloadOptions, probe_remote_header, resolve_files
    from app.core.gguf_support import check_header

    options = options or DownloadOptions()
    files = resolve_files(entry, options)
    remote = files[0]
    header = probe_remote_header(remote, options)
    info = header.info
    verdict = check_header(header.data, info)
    return RemoteCheck(
        filename=remote.filename, size=remote.size, sha256=remote.sha256, architecture=info.architecture,
        context_length=info.context_length, chat_template=info.has_chat_template,
        infill_family=infill_family(info, header.data, entry.infill_format), supported=verdict.supported,
        support_reason=verdict.reason,
        # The hub's sizes are exact where the manifest may only let the fit guess from the parameters.
        fit=assess(replace(entry, size=entry.size or sum(f.size for f in files)), info=info))
