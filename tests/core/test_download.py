"""The real downloader against a real HTTP server on 127.0.0.1 that imitates the hub, with faults."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from app.core.download import (
    DiskFullError,
    DownloadControl,
    DownloadError,
    DownloadOptions,
    DownloadState,
    IntegrityError,
    NeedsTokenError,
    NetworkError,
    OfflineError,
    RemoteNotFoundError,
    download_model,
    partial_path,
    probe_remote_header,
    resolve_files,
)
from app.core.manifest import ModelEntry
from app.core.models import installed_path
from tests.fixtures.fake_hub import FakeHub

REPO = "Test/Tiny-GGUF"
NAME = "tiny.bin"  # transport tests serve random bytes; .gguf names get their header checked first
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def payload() -> bytes:
    import random

    return random.Random(7).randbytes(3_000_000)


@pytest.fixture
def hub(payload: bytes):
    with FakeHub() as server:
        server.add_file(REPO, NAME, payload)
        server.add_file("Test/Gated", NAME, payload, gated=True)
        yield server


def entry_for(repo: str = REPO, files: tuple[str, ...] = (NAME,), **extra) -> ModelEntry:
    return ModelEntry(id="tiny", name="Tiny", family="test", parameters="1M", files=files, roles=("chat",),
                      repo=repo, **extra)


def options(hub: FakeHub, **extra) -> DownloadOptions:
    base = dict(endpoint=hub.url, token="", retries=4, backoff_s=0.01, backoff_max_s=0.05, stall_timeout_s=1.0)
    base.update(extra)
    return DownloadOptions(**base)


def run(entry: ModelEntry, models: Path, opts: DownloadOptions, control: DownloadControl | None = None) -> list:
    return list(download_model(entry, models, opts, control))


def test_clean_download_is_verified_and_atomic(hub: FakeHub, payload: bytes, tmp_path: Path) -> None:
    events = run(entry_for(), tmp_path, options(hub))
    final = tmp_path / "tiny" / NAME
    assert final.read_bytes() == payload
    assert not partial_path(final).exists() and not list((tmp_path / "tiny").glob("*.json"))
    assert events[0].state is DownloadState.CHECKING and events[-1].state is DownloadState.DONE
    assert any(e.state is DownloadState.DOWNLOADING for e in events) and any(e.state is DownloadState.VERIFYING for e in events)


def test_resolve_uses_hub_sha_and_refuses_a_different_file(hub: FakeHub, payload: bytes) -> None:
    remote = resolve_files(entry_for(), options(hub))[0]
    assert remote.size == len(payload) and remote.sha256 == hashlib.sha256(payload).hexdigest()
    with pytest.raises(IntegrityError, match="not the file"):
        resolve_files(entry_for(sha256="0" * 64), options(hub))
    with pytest.raises(IntegrityError, match="announces"):
        resolve_files(entry_for(size=5), options(hub))


@pytest.mark.parametrize("fault", ["drop", "5xx", "slow", "stall"])
def test_survives_faults(hub: FakeHub, payload: bytes, tmp_path: Path, fault: str) -> None:
    if fault == "drop":
        hub.drop_after, hub.drop_times = 700_000, 3
    elif fault == "5xx":
        hub.errors_5xx = [500, 503, 502]
    elif fault == "slow":
        hub.rate_limit = 20_000_000
    else:
        hub.stall_after, hub.stall_seconds = 1_000_000, 3.0
    events = run(entry_for(), tmp_path, options(hub))
    assert (tmp_path / "tiny" / NAME).read_bytes() == payload
    if fault in ("drop", "5xx", "stall"):
        assert any(e.state is DownloadState.RETRYING for e in events)
    if fault == "drop":  # resumed with ranges, not from zero
        ranges = [r for _m, _p, r in hub.requests if r]
        assert len(ranges) >= 3 and hub.bytes_sent < 2 * len(payload)


def test_corrupt_bytes_are_rejected_and_deleted(hub: FakeHub, tmp_path: Path) -> None:
    hub.corrupt_offset = 123_456
    with pytest.raises(IntegrityError, match="sha256"):
        run(entry_for(), tmp_path, options(hub))
    final = tmp_path / "tiny" / NAME
    assert not final.exists() and not partial_path(final).exists()


def test_server_ignoring_range_restarts_cleanly(hub: FakeHub, payload: bytes, tmp_path: Path) -> None:
    hub.drop_after = 1_000_000
    hub.ignore_range = True
    run(entry_for(), tmp_path, options(hub))
    assert (tmp_path / "tiny" / NAME).read_bytes() == payload


def test_lying_server_size(hub: FakeHub, payload: bytes, tmp_path: Path) -> None:
    hub.claimed_size = len(payload) - 1000  # announces less than it sends
    with pytest.raises(IntegrityError):
        run(entry_for(), tmp_path, options(hub))
    assert installed_path(entry_for(), tmp_path) is None
    hub.reset_faults()
    hub.claimed_size = len(payload) + 1000  # announces more than it has
    with pytest.raises((IntegrityError, NetworkError)):
        run(entry_for(), tmp_path, options(hub))
    assert installed_path(entry_for(), tmp_path) is None


def test_gated_needs_token_then_works(hub: FakeHub, payload: bytes, tmp_path: Path) -> None:
    with pytest.raises(NeedsTokenError, match="token"):
        run(entry_for("Test/Gated"), tmp_path, options(hub))
    run(entry_for("Test/Gated"), tmp_path, options(hub, token=hub.token))
    assert (tmp_path / "tiny" / NAME).read_bytes() == payload


def test_missing_repo_and_file(hub: FakeHub, tmp_path: Path) -> None:
    with pytest.raises(NeedsTokenError, match="not found"):
        run(entry_for("Nobody/Nothing"), tmp_path, options(hub))
    with pytest.raises(RemoteNotFoundError):
        run(entry_for(files=("other.gguf",)), tmp_path, options(hub))


def test_pause_keeps_partial_and_resume_finishes(hub: FakeHub, payload: bytes, tmp_path: Path) -> None:
    hub.rate_limit = 3_000_000
    control = DownloadControl()
    events = []
    for event in download_model(entry_for(), tmp_path, options(hub), control):
        events.append(event)
        if event.state is DownloadState.DOWNLOADING and event.done > 300_000:
            control.pause.set()
    assert events[-1].state is DownloadState.PAUSED
    part = partial_path(tmp_path / "tiny" / NAME)
    kept = part.stat().st_size
    assert 0 < kept < len(payload)
    hub.reset_faults()
    sent_before = hub.settled_bytes()  # the paused connection may still have been sending
    run(entry_for(), tmp_path, options(hub))
    assert (tmp_path / "tiny" / NAME).read_bytes() == payload
    assert hub.settled_bytes() - sent_before == len(payload) - kept  # only the rest was fetched


def test_cancel_deletes_partial(hub: FakeHub, tmp_path: Path) -> None:
    hub.rate_limit = 3_000_000
    control = DownloadControl()
    for event in download_model(entry_for(), tmp_path, options(hub), control):
        if event.state is DownloadState.DOWNLOADING and event.done > 200_000:
            control.cancel.set()
    assert not partial_path(tmp_path / "tiny" / NAME).exists()


def test_remote_changed_restarts_partial(hub: FakeHub, payload: bytes, tmp_path: Path) -> None:
    folder = tmp_path / "tiny"
    folder.mkdir()
    partial_path(folder / NAME).write_bytes(b"stale bytes of an older version")
    (folder / (NAME + ".part.json")).write_text('{"etag": "old", "size": 1}')
    run(entry_for(), tmp_path, options(hub))
    assert (folder / NAME).read_bytes() == payload


def test_full_disk_is_refused_up_front(hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    real = shutil.disk_usage
    monkeypatch.setattr(shutil, "disk_usage", lambda p: real(p)._replace(free=1_000_000))
    with pytest.raises(DiskFullError, match="disk space"):
        run(entry_for(), tmp_path, options(hub))
    assert not partial_path(tmp_path / "tiny" / NAME).exists()


def test_unwritable_models_dir(hub: FakeHub, tmp_path: Path) -> None:
    blocker = tmp_path / "models"
    blocker.write_text("a file where the models folder should be")
    with pytest.raises(DownloadError, match="Cannot create"):
        run(entry_for(), blocker, options(hub))
    if os.geteuid() != 0:  # root ignores permission bits
        readonly = tmp_path / "ro"
        readonly.mkdir(mode=0o500)
        with pytest.raises(DownloadError):
            run(entry_for(), readonly, options(hub))


def test_offline_mode(hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(OfflineError, match="HF_HUB_OFFLINE"):
        run(entry_for(), tmp_path, options(hub))


def test_split_parts_are_found_and_fetched(hub: FakeHub, payload: bytes, tmp_path: Path, smollm2_path: Path) -> None:
    head = smollm2_path.read_bytes()[:3_000_000]  # each part of a split set starts with a GGUF header
    hub.add_file("Test/Split", "big-00001-of-00002.gguf", head)
    hub.add_file("Test/Split", "big-00002-of-00002.gguf", payload[1000:2000])
    entry = entry_for("Test/Split", files=("big.gguf",))
    run(entry, tmp_path, options(hub))
    assert installed_path(entry, tmp_path).name == "big-00001-of-00002.gguf"


def test_header_probe_reads_only_the_start(hub: FakeHub, smollm2_path: Path) -> None:
    hub.add_file("Test/Smol", "smol.gguf", smollm2_path)
    remote = resolve_files(entry_for("Test/Smol", files=("smol.gguf",)), options(hub))[0]
    before = hub.bytes_sent
    header = probe_remote_header(remote, options(hub))
    assert header.info.architecture == "llama" and header.info.context_length == 8192
    assert header.info.has_chat_template
    assert hub.bytes_sent - before < 8 << 20  # megabytes, not the whole 98 MB file


KILL_SCRIPT = """
import sys
from pathlib import Path
from app.core.download import DownloadOptions, DownloadState, download_model
from app.core.manifest import ModelEntry
entry = ModelEntry(id="smol", name="s", family="f", parameters="p", files=("smol.gguf",), roles=("chat",),
                   repo="Test/Smol")
for event in download_model(entry, Path(sys.argv[2]), DownloadOptions(endpoint=sys.argv[1], token="")):
    if event.state is DownloadState.DOWNLOADING and event.done > int(sys.argv[3]):
        print("halfway", flush=True)
"""


def test_killed_process_resumes_and_the_model_answers(hub: FakeHub, smollm2_path: Path, tmp_path: Path) -> None:
    """Kill -9 the downloading process at about half; a new process resumes and the model loads."""
    size = smollm2_path.stat().st_size
    hub.add_file("Test/Smol", "smol.gguf", smollm2_path)
    hub.rate_limit = 40_000_000
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, hub.url, str(tmp_path), str(size // 2)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "halfway"
    proc.kill()
    proc.wait()
    part = partial_path(tmp_path / "smol" / "smol.gguf")
    kept = part.stat().st_size
    assert size // 4 < kept < size
    hub.reset_faults()
    sent_before = hub.settled_bytes()
    entry = entry_for("Test/Smol", files=("smol.gguf",))
    run(replace(entry, id="smol"), tmp_path, options(hub))
    refetched = hub.settled_bytes() - sent_before - (size - kept)
    assert refetched <= 0.01 * size
    from app.core.engine import LoadOptions, LocalEngine
    from app.core.prompts.chat import ChatMessage
    from app.core.settings import SamplingSettings

    engine = LocalEngine(tmp_path / "smol" / "smol.gguf", options=LoadOptions(context_limit=512))
    try:
        assert engine.chat([ChatMessage("user", "Say hi")], SamplingSettings(max_tokens=8)).text()
    finally:
        engine.close()


def test_progress_events_have_speed_and_eta(hub: FakeHub, tmp_path: Path) -> None:
    hub.rate_limit = 6_000_000
    events = [e for e in run(entry_for(), tmp_path, options(hub)) if e.state is DownloadState.DOWNLOADING]
    assert events and any(e.speed > 0 for e in events)
    assert any(e.eta_seconds is not None for e in events)


def test_concurrent_downloads_of_different_models(hub: FakeHub, payload: bytes, tmp_path: Path) -> None:
    hub.add_file("Test/Other", NAME, payload[::-1])
    errors: list[Exception] = []

    def fetch(entry: ModelEntry) -> None:
        try:
            run(entry, tmp_path, options(hub))
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=fetch, args=(e,)) for e in
               (entry_for(), replace(entry_for("Test/Other"), id="other"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert (tmp_path / "other" / NAME).read_bytes() == payload[::-1]


def test_names_from_the_hub_cannot_escape_the_models_dir(tmp_path: Path) -> None:
    from app.core.download import _inside

    folder = tmp_path / "models" / "x"
    folder.mkdir(parents=True)
    assert _inside(folder, "sub/file.gguf") == folder / "sub" / "file.gguf"
    for bad in ("../evil.gguf", "a/../../evil.gguf", "/etc/passwd"):
        with pytest.raises(DownloadError, match="outside"):
            _inside(folder, bad)


def test_unsupported_architecture_is_refused_before_downloading(hub: FakeHub, smollm2_path: Path,
                                                                 tmp_path: Path) -> None:
    data = bytearray(smollm2_path.read_bytes())
    at = data.find(b"llama", 0, 400)
    data[at : at + 5] = b"zzzzz"  # general.architecture = "zzzzz"
    hub.add_file("Test/Alien", "alien.gguf", bytes(data))
    before = hub.settled_bytes()
    with pytest.raises(DownloadError, match="zzzzz"):
        run(entry_for("Test/Alien", files=("alien.gguf",)), tmp_path, options(hub))
    assert hub.settled_bytes() - before < 8 << 20  # the header only, not the 98 MB body


def test_not_a_gguf_is_refused(hub: FakeHub, payload: bytes, tmp_path: Path) -> None:
    hub.add_file(REPO, "fake.gguf", payload)
    with pytest.raises(Exception, match="not a GGUF"):
        run(entry_for(files=("fake.gguf",)), tmp_path, options(hub))


def test_server_with_fewer_bytes_than_announced(hub: FakeHub, payload: bytes, tmp_path: Path) -> None:
    folder = tmp_path / "tiny"
    folder.mkdir()
    remote = resolve_files(entry_for(), options(hub))[0]
    # A partial file as long as the real file, recorded for an announced size one byte longer.
    from app.core.download import _write_record

    hub.claimed_size = len(payload) + 1
    remote = resolve_files(entry_for(), options(hub))[0]
    partial_path(folder / NAME).write_bytes(payload)
    _write_record(folder / NAME, remote)
    with pytest.raises(IntegrityError, match="fewer bytes"):
        run(entry_for(), tmp_path, options(hub))
    assert not partial_path(folder / NAME).exists()


def test_probe_of_a_server_ignoring_range_reads_little(hub: FakeHub, smollm2_path: Path) -> None:
    hub.add_file("Test/Smol", "smol.gguf", smollm2_path)
    remote = resolve_files(entry_for("Test/Smol", files=("smol.gguf",)), options(hub))[0]
    hub.ignore_range = True
    header = probe_remote_header(remote, options(hub))
    assert header.info.architecture == "llama"


def test_interrupt_breaks_a_stalled_read(hub: FakeHub, tmp_path: Path) -> None:
    hub.stall_after, hub.stall_seconds = 500_000, 20.0
    control = DownloadControl()
    events = []
    timer = threading.Timer(1.0, control.interrupt)
    timer.start()
    for event in download_model(entry_for(), tmp_path, options(hub, stall_timeout_s=15.0), control):
        events.append(event)
    assert events[-1].state is DownloadState.PAUSED
    assert partial_path(tmp_path / "tiny" / NAME).stat().st_size == 500_000
