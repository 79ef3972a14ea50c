"""The FakeHub fixture server: huggingface_hub must read it like the real hub, and each fault must bite."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from huggingface_hub import HfApi, get_hf_file_metadata, hf_hub_download, hf_hub_url
from huggingface_hub.errors import EntryNotFoundError, GatedRepoError, RepositoryNotFoundError, RevisionNotFoundError

from tests.fixtures.fake_hub import FakeHub

REPO = "Org/Model-GGUF"
NAME = "model.Q4_K_M.gguf"
# Fixed seed: failures reproduce byte for byte.
PAYLOAD = random.Random(20240601).randbytes(300_000)
PAYLOAD_SHA = hashlib.sha256(PAYLOAD).hexdigest()


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with FakeHub() as server:
        server.add_file(REPO, NAME, PAYLOAD)
        yield server


@pytest.fixture
def client() -> Iterator[httpx2.Client]:
    with httpx2.Client(timeout=5.0) as c:
        yield c


def _read_until_error(client: httpx2.Client, url: str, timeout: httpx2.Timeout | None = None) -> tuple[bytes, Exception | None]:
    """Stream a body, returning what arrived and the exception that ended it (None if it completed)."""
    got = bytearray()
    kwargs = {"timeout": timeout} if timeout is not None else {}
    try:
        with client.stream("GET", url, **kwargs) as response:
            for chunk in response.iter_raw():
                got += chunk
    except (httpx2.TransportError, httpx2.StreamError) as exc:
        return bytes(got), exc
    return bytes(got), None


def test_add_file_returns_sha256_and_url_matches_hf_hub_url(hub: FakeHub) -> None:
    assert hub.add_file(REPO, "other.gguf", b"abc") == hashlib.sha256(b"abc").hexdigest()
    assert hub.url.startswith("http://127.0.0.1:")
    assert len(hub.commit) == 40 and int(hub.commit, 16) >= 0
    assert hub.file_url(REPO, NAME) == hf_hub_url(REPO, NAME, endpoint=hub.url)


def test_hf_metadata_reports_size_etag_and_commit(hub: FakeHub) -> None:
    for revision in ("main", hub.commit):
        url = hf_hub_url(REPO, NAME, revision=revision, endpoint=hub.url)
        meta = get_hf_file_metadata(url, token=hub.token, endpoint=hub.url)
        assert meta.size == len(PAYLOAD)
        assert meta.etag == PAYLOAD_SHA
        assert meta.commit_hash == hub.commit
        assert meta.xet_file_data is None  # plain HTTP downloads, never xet
    assert hub.requests[-1] == ("HEAD", f"/{REPO}/resolve/{hub.commit}/{NAME}", None)
    assert hub.bytes_sent == 0  # HEAD sends no body


def test_plain_get_and_range_get(hub: FakeHub, client: httpx2.Client) -> None:
    url = hub.file_url(REPO, NAME)
    full = client.get(url)
    assert full.status_code == 200
    assert full.content == PAYLOAD
    assert full.headers["Accept-Ranges"] == "bytes"
    assert full.headers["X-Linked-Size"] == str(len(PAYLOAD))
    assert full.headers["ETag"] == f'"{PAYLOAD_SHA}"'

    part = client.get(url, headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{len(PAYLOAD)}"
    assert part.content == PAYLOAD[1000:2000]

    tail = client.get(url, headers={"Range": "bytes=299000-"})
    assert tail.status_code == 206
    assert tail.content == PAYLOAD[299000:]

    # An end past EOF is clipped, as HTTP requires.
    clipped = client.get(url, headers={"Range": f"bytes=299990-{len(PAYLOAD) + 50}"})
    assert clipped.content == PAYLOAD[299990:]
    assert hub.settled_bytes() == len(PAYLOAD) + 1000 + 1000 + 10
    assert hub.requests[1] == ("GET", f"/{REPO}/resolve/main/{NAME}", "bytes=1000-1999")


def test_range_at_or_past_eof_is_416(hub: FakeHub, client: httpx2.Client) -> None:
    url = hub.file_url(REPO, NAME)
    for start in (len(PAYLOAD), len(PAYLOAD) + 10):
        response = client.get(url, headers={"Range": f"bytes={start}-"})
        assert response.status_code == 416
        assert response.headers["Content-Range"] == f"bytes */{len(PAYLOAD)}"
    # The connection survived the 416s.
    assert client.get(url, headers={"Range": "bytes=0-9"}).content == PAYLOAD[:10]


def test_drop_after_cuts_the_body_once_by_default(hub: FakeHub, client: httpx2.Client) -> None:
    url = hub.file_url(REPO, NAME)
    hub.drop_after = 10_000
    got, error = _read_until_error(client, url)
    assert error is not None
    assert got == PAYLOAD[:10_000]
    assert hub.drop_after is None  # spent
    assert client.get(url).content == PAYLOAD


def test_drop_times_drops_several_responses(hub: FakeHub, client: httpx2.Client) -> None:
    url = hub.file_url(REPO, NAME)
    hub.drop_times = 2
    hub.drop_after = 500
    for _ in range(2):
        got, error = _read_until_error(client, url)
        assert error is not None and got == PAYLOAD[:500]
    # drop_after counts bytes of the response, so a range response is cut relative to its start.
    response = client.get(url, headers={"Range": "bytes=100-"})
    assert response.content == PAYLOAD[100:]


def test_errors_5xx_are_answered_in_order(hub: FakeHub, client: httpx2.Client) -> None:
    url = hub.file_url(REPO, NAME)
    hub.errors_5xx = [500, 503]
    assert client.head(url).status_code == 200  # only GETs take the injected errors
    assert [client.get(url).status_code for _ in range(3)] == [500, 503, 200]
    assert hub.errors_5xx == []


def test_corrupt_offset_flips_one_byte(hub: FakeHub, client: httpx2.Client) -> None:
    url = hub.file_url(REPO, NAME)
    offset = 123_457
    hub.corrupt_offset = offset
    body = client.get(url).content
    assert len(body) == len(PAYLOAD)
    assert body[offset] != PAYLOAD[offset]
    assert body[:offset] == PAYLOAD[:offset] and body[offset + 1:] == PAYLOAD[offset + 1:]
    # The offset is absolute in the file, so ranges see it too, and ranges that miss it are clean.
    part = client.get(url, headers={"Range": f"bytes={offset - 7}-"}).content
    assert part[7] != PAYLOAD[offset]
    assert client.get(url, headers={"Range": "bytes=0-999"}).content == PAYLOAD[:1000]


def test_ignore_range_answers_200_with_the_whole_file(hub: FakeHub, client: httpx2.Client) -> None:
    hub.ignore_range = True
    response = client.get(hub.file_url(REPO, NAME), headers={"Range": "bytes=1000-"})
    assert response.status_code == 200
    assert "Content-Range" not in response.headers
    assert response.content == PAYLOAD


def test_claimed_size_lies_in_the_headers(hub: FakeHub, client: httpx2.Client) -> None:
    url = hub.file_url(REPO, NAME)
    hub.claimed_size = len(PAYLOAD) + 1000
    meta = get_hf_file_metadata(url, token=hub.token, endpoint=hub.url)
    assert meta.size == len(PAYLOAD) + 1000
    # The body is the real bytes: a client trusting Content-Length sees it end early.
    got, error = _read_until_error(client, url)
    assert error is not None and got == PAYLOAD
    part = client.get(url, headers={"Range": "bytes=0-9"})
    assert part.headers["Content-Range"] == f"bytes 0-9/{len(PAYLOAD) + 1000}"
    assert part.content == PAYLOAD[:10]

    hub.claimed_size = 100
    response = client.get(url)
    assert response.headers["Content-Length"] == "100"
    assert response.content == PAYLOAD[:100]


def test_stall_after_delivers_bytes_then_times_out_the_client(hub: FakeHub, client: httpx2.Client) -> None:
    hub.stall_after = 5000
    hub.stall_seconds = 1.0
    began = time.monotonic()
    got, error = _read_until_error(client, hub.file_url(REPO, NAME), timeout=httpx2.Timeout(2.0, read=0.2))
    elapsed = time.monotonic() - began
    assert isinstance(error, httpx2.ReadTimeout)
    assert got == PAYLOAD[:5000]
    assert 0.15 <= elapsed < 0.9


def test_rate_limit_slows_the_body(hub: FakeHub, client: httpx2.Client) -> None:
    hub.rate_limit = 1_000_000.0  # 200 KB -> about 0.2 s
    began = time.monotonic()
    response = client.get(hub.file_url(REPO, NAME), headers={"Range": "bytes=0-199999"})
    elapsed = time.monotonic() - began
    assert response.content == PAYLOAD[:200_000]
    assert 0.15 <= elapsed < 2.0


def test_gated_file_needs_the_token(hub: FakeHub, client: httpx2.Client) -> None:
    hub.add_file("Meta/Gated", "weights.gguf", b"secret" * 100, gated=True)
    url = hf_hub_url("Meta/Gated", "weights.gguf", endpoint=hub.url)
    for token in (False, "hf_wrong"):
        with pytest.raises(GatedRepoError):
            get_hf_file_metadata(url, token=token, endpoint=hub.url)
    refused = client.get(url)
    assert refused.status_code == 401 and refused.headers["X-Error-Code"] == "GatedRepo"
    assert "restricted" in refused.json()["error"]

    assert get_hf_file_metadata(url, token=hub.token, endpoint=hub.url).size == 600
    allowed = client.get(url, headers={"Authorization": f"Bearer {hub.token}"})
    assert allowed.status_code == 200 and allowed.content == b"secret" * 100


def test_missing_repo_file_and_revision_raise_hub_errors(hub: FakeHub) -> None:
    with pytest.raises(RepositoryNotFoundError) as repo_error:
        get_hf_file_metadata(hf_hub_url("Org/Nope", NAME, endpoint=hub.url), token=hub.token, endpoint=hub.url)
    assert not isinstance(repo_error.value, GatedRepoError)
    with pytest.raises(EntryNotFoundError):
        get_hf_file_metadata(hf_hub_url(REPO, "nope.gguf", endpoint=hub.url), token=hub.token, endpoint=hub.url)
    with pytest.raises(RevisionNotFoundError):
        get_hf_file_metadata(hf_hub_url(REPO, NAME, revision="v9", endpoint=hub.url), token=hub.token,
                             endpoint=hub.url)
    with pytest.raises(RepositoryNotFoundError):
        HfApi(endpoint=hub.url, token=hub.token).model_info("Org/Nope")


def test_model_info_lists_siblings_with_lfs_sha256(hub: FakeHub) -> None:
    hub.add_file(REPO, "README.md", b"# card\n")
    api = HfApi(endpoint=hub.url, token=hub.token)
    info = api.model_info(REPO, files_metadata=True)
    assert info.id == REPO and info.sha == hub.commit
    siblings = {s.rfilename: s for s in info.siblings or []}
    assert set(siblings) == {NAME, "README.md"}
    model = siblings[NAME]
    assert model.size == len(PAYLOAD)
    assert model.lfs is not None and model.lfs.sha256 == PAYLOAD_SHA and model.lfs.size == len(PAYLOAD)
    # As on the hub, sizes come only with files_metadata=True.
    bare = api.model_info(REPO, revision=hub.commit)
    assert [s.size for s in bare.siblings or []] == [None, None]


def test_list_repo_files_follows_pagination(hub: FakeHub) -> None:
    hub.add_file(REPO, "sub/dir/extra.gguf", b"x")
    api = HfApi(endpoint=hub.url, token=hub.token)
    expected = {NAME, "sub/dir/extra.gguf"}
    assert set(api.list_repo_files(REPO)) == expected
    hub.tree_page_size = 1  # 2 folders + 2 files -> 4 pages
    hub.requests.clear()
    assert set(api.list_repo_files(REPO, revision=hub.commit)) == expected
    assert len(hub.requests) == 4
    top = {item.path for item in api.list_repo_tree(REPO)}
    assert top == {NAME, "sub"}


def test_serves_a_path_from_disk(hub: FakeHub, client: httpx2.Client, tmp_path: Path) -> None:
    data = random.Random(7).randbytes(1_000_003)  # not a multiple of the chunk size
    path = tmp_path / "big.gguf"
    path.write_bytes(data)
    sha = hub.add_file(REPO, "big.gguf", path)
    assert sha == hashlib.sha256(data).hexdigest()
    url = hub.file_url(REPO, "big.gguf")
    assert hashlib.sha256(client.get(url).content).hexdigest() == sha
    middle = client.get(url, headers={"Range": "bytes=65530-200000"})
    assert middle.status_code == 206 and middle.content == data[65530:200001]
    hub.corrupt_offset = 70_000
    assert client.get(url, headers={"Range": "bytes=65530-200000"}).content[70_000 - 65530] != data[70_000]


def test_hf_hub_download_works_end_to_end(hub: FakeHub, tmp_path: Path) -> None:
    path = hf_hub_download(REPO, NAME, endpoint=hub.url, token=hub.token, cache_dir=tmp_path / "cache")
    assert Path(path).read_bytes() == PAYLOAD


def test_reset_faults_turns_everything_off(hub: FakeHub, client: httpx2.Client) -> None:
    hub.drop_after, hub.errors_5xx, hub.rate_limit, hub.stall_after = 10, [500], 1.0, 10
    hub.corrupt_offset, hub.ignore_range, hub.claimed_size = 0, True, 5
    hub.reset_faults()
    assert client.get(hub.file_url(REPO, NAME)).content == PAYLOAD
