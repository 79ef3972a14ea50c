"""A `.part` file or `.part.json` record that is not a regular file: never followed, never waited on.

Another program (or person) sharing the models folder can leave a FIFO, a link to /dev/zero or a
link to a file outside the folder where the downloader keeps its partial file. Each case runs
the real downloader against the local fake hub, on a thread with a deadline, so that a
regression (an open blocked on a FIFO, an endless read) fails instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from app.core.download import DownloadError, DownloadOptions, download_model, partial_path, resolve_files
from app.core.manifest import ModelEntry
from tests.fixtures.fake_hub import FakeHub

REPO = "Test/Tiny-GGUF"
NAME = "tiny.bin"
DEADLINE_S = 60


@pytest.fixture(scope="module")
def payload() -> bytes:
    import random

    return random.Random(11).randbytes(1_000_000)


@pytest.fixture
def hub(payload: bytes):
    with FakeHub() as server:
        server.add_file(REPO, NAME, payload)
        yield server


def entry() -> ModelEntry:
    return ModelEntry(id="tiny", name="Tiny", family="test", parameters="1M", files=(NAME,), roles=("chat",),
                      repo=REPO)


def options(hub: FakeHub) -> DownloadOptions:
    return DownloadOptions(endpoint=hub.url, token="", retries=2, backoff_s=0.01, backoff_max_s=0.05,
                           stall_timeout_s=2.0)


def matching_record(hub: FakeHub) -> str:
    """The record a previous run of this download would have left: it makes the .part count as a resume."""
    remote = resolve_files(entry(), options(hub))[0]
    return json.dumps({"repo": remote.repo, "filename": remote.filename, "revision": remote.revision,
                       "etag": remote.etag, "size": remote.size, "sha256": remote.sha256, "commit": remote.commit})


def download(hub: FakeHub, models: Path) -> None:
    """Run the download to its end on a thread; fail (rather than hang) past the deadline."""
    outcome: list[BaseException | None] = []

    def work() -> None:
        try:
            for _ in download_model(entry(), models, options(hub)):
                pass
            outcome.append(None)
        except BaseException as exc:  # handed to the test thread
            outcome.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(DEADLINE_S)
    if thread.is_alive():
        pytest.fail(f"the download did not finish within {DEADLINE_S} s (blocked on the .part file?)")
    if outcome[0] is not None:
        raise outcome[0]


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(models folder, the model's folder, a folder outside the models folder)."""
    models = tmp_path / "models"
    folder = models / "tiny"
    folder.mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    return models, folder, outside


def assert_installed(folder: Path, payload: bytes) -> None:
    final = folder / NAME
    assert not final.is_symlink() and final.read_bytes() == payload
    assert not os.path.lexists(partial_path(final)) and not os.path.lexists(folder / (NAME + ".part.json"))


@pytest.mark.parametrize("with_record", [True, False])
def test_part_fifo_is_replaced(hub: FakeHub, payload: bytes, layout, with_record: bool) -> None:
    models, folder, _ = layout
    os.mkfifo(folder / (NAME + ".part"))
    if with_record:
        (folder / (NAME + ".part.json")).write_text(matching_record(hub))
    download(hub, models)
    assert_installed(folder, payload)


def test_part_link_to_dev_zero_is_not_hashed(hub: FakeHub, payload: bytes, layout) -> None:
    models, folder, _ = layout
    (folder / (NAME + ".part")).symlink_to("/dev/zero")
    (folder / (NAME + ".part.json")).write_text(matching_record(hub))
    download(hub, models)
    assert_installed(folder, payload)


def test_part_link_outside_is_never_written(hub: FakeHub, payload: bytes, layout) -> None:
    """`open(part, "ab")` used to follow the link and append the download to a file outside."""
    models, folder, outside = layout
    victim = outside / "notes.txt"
    victim.write_bytes(payload[:1000])  # looks like a resumable start of the download
    before = victim.stat()
    (folder / (NAME + ".part")).symlink_to(victim)
    (folder / (NAME + ".part.json")).write_text(matching_record(hub))
    download(hub, models)
    assert_installed(folder, payload)
    assert victim.read_bytes() == payload[:1000]
    assert victim.stat().st_mtime_ns == before.st_mtime_ns and victim.stat().st_ino == before.st_ino


def test_record_link_outside_is_never_read_or_written(hub: FakeHub, payload: bytes, layout) -> None:
    models, folder, outside = layout
    victim = outside / "settings.json"
    victim.write_text(json.dumps({**json.loads(matching_record(hub)), "owner": "someone else"}))
    before = victim.read_bytes()
    (folder / (NAME + ".part")).write_bytes(payload[:1000])
    (folder / (NAME + ".part.json")).symlink_to(victim)
    download(hub, models)
    assert_installed(folder, payload)
    assert victim.read_bytes() == before


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_record_that_is_not_a_file_is_replaced(hub: FakeHub, payload: bytes, layout, kind: str) -> None:
    models, folder, _ = layout
    record = folder / (NAME + ".part.json")
    if kind == "fifo":
        os.mkfifo(record)
    else:
        record.symlink_to("/dev/zero")
    (folder / (NAME + ".part")).write_bytes(payload[:1000])
    download(hub, models)
    assert_installed(folder, payload)


@pytest.mark.parametrize("with_record", [True, False])
def test_empty_part_folder_is_removed(hub: FakeHub, payload: bytes, layout, with_record: bool) -> None:
    models, folder, _ = layout
    (folder / (NAME + ".part")).mkdir()
    if with_record:
        (folder / (NAME + ".part.json")).write_text(matching_record(hub))
    download(hub, models)
    assert_installed(folder, payload)


def test_part_folder_with_files_is_a_clear_error(hub: FakeHub, layout) -> None:
    models, folder, _ = layout
    part = folder / (NAME + ".part")
    part.mkdir()
    (part / "keep.txt").write_text("someone's files")
    (folder / (NAME + ".part.json")).write_text(matching_record(hub))
    with pytest.raises(DownloadError, match=r"tiny\.bin\.part is a folder, not a partial download"):
        download(hub, models)
    assert (part / "keep.txt").read_text() == "someone's files"
