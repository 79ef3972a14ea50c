"""One download per model file: a second download of the same model stops at once and harms nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.core.download import DownloadError, download_model, partial_path
from app.core.file_lock import FileLock, LockBusy
from tests.core.test_download import NAME, entry_for, options, run
from tests.fixtures.fake_hub import FakeHub

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def payload() -> bytes:
    import random

    return random.Random(11).randbytes(2_000_000)


@pytest.fixture
def hub(payload: bytes):
    with FakeHub() as server:
        server.add_file("Test/Tiny-GGUF", NAME, payload)
        yield server


def test_second_download_of_the_same_model_refuses_and_the_first_finishes(hub: FakeHub, payload: bytes,
                                                                          tmp_path: Path) -> None:
    first = download_model(entry_for(), tmp_path, options(hub))
    for event in first:  # the first download is writing its .part file
        if event.state == "downloading":
            break
    with pytest.raises(DownloadError, match="already being downloaded") as caught:
        run(entry_for(), tmp_path, options(hub))
    assert caught.value.retryable
    final = tmp_path / "tiny" / NAME
    assert partial_path(final).exists() and partial_path(final).stat().st_size <= len(payload)
    events = list(first)
    assert events[-1].state == "done" and final.read_bytes() == payload
    # Once the first one is over, the lock is free again.
    final.unlink()
    assert run(entry_for(), tmp_path, options(hub))[-1].state == "done"


def test_a_closed_download_releases_the_lock(hub: FakeHub, tmp_path: Path) -> None:
    first = download_model(entry_for(), tmp_path, options(hub))
    next(first)
    first.close()  # a paused or abandoned download (the generator is dropped)
    assert run(entry_for(), tmp_path, options(hub))[-1].state == "done"


def test_file_lock_excludes_another_process_until_it_exits(tmp_path: Path) -> None:
    lock_path = tmp_path / "x.lock"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path; from app.core.file_lock import FileLock\n"
         f"lock = FileLock(Path({str(lock_path)!r})); lock.acquire(); print('held', flush=True); sys.stdin.read()"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockBusy):
            FileLock(lock_path).acquire(wait_s=0.2)
    finally:
        holder.kill()  # killed, not released: the OS drops the lock with the process
        holder.wait()
    with FileLock(lock_path):
        pass


@pytest.mark.parametrize("kind", ["fifo", "link_out", "dangling", "folder"])
def test_lock_file_that_is_not_a_file_is_replaced(tmp_path: Path, kind: str) -> None:
    import os

    lock_path = tmp_path / "x.lock"
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n")
    if kind == "fifo":
        os.mkfifo(lock_path)
    elif kind == "link_out":
        lock_path.symlink_to(outside)
    elif kind == "dangling":
        lock_path.symlink_to(tmp_path / "nowhere")
    else:
        lock_path.mkdir()
    with FileLock(lock_path):  # would block on the FIFO, or lock (and create) the link's target
        assert lock_path.is_file() and not lock_path.is_symlink()
    assert outside.read_text() == "keep me\n" and not (tmp_path / "nowhere").exists()
