"""Reading a remote GGUF's header with Range requests, before downloading gigabytes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.core.download_remote import _check_offline, _map_hub_error, _token
from app.core.download_types import DownloadError, DownloadOptions, NeedsTokenError, NetworkError, RemoteFile

if TYPE_CHECKING:
    from app.core.gguf_info import GGUFInfo


def _refuse_unsupported(remote: RemoteFile, options: DownloadOptions) -> None:
    """Read the header first: gigabytes of an architecture this llama.cpp cannot run are refused."""
    from app.core.gguf_support import check_header

    header = probe_remote_header(remote, options)
    verdict = check_header(header.data, header.info)
    if verdict.supported is False:
        raise DownloadError(f"{remote.filename}: {verdict.reason}. Not downloading; a newer llama-cpp-python "
                            "may support it.")


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
