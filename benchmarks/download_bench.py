"""Model download: throughput against curl, bytes re-fetched after a kill at 50 %, and the cost of hashing.

The file is served by tests/fixtures/fake_hub.py, a real HTTP server on 127.0.0.1 in this process.
It is the embedded model (98 MB) repeated --copies times (default 4, ~393 MB; it need not be a
valid model) so that one download lasts long enough to time. The app's downloads run in a worker
process, as curl does, so that the client never shares a GIL with the (pure Python) server.

1. Throughput: app.core.download.download_model end to end (metadata request, body, sha256
   check, fsync, rename) vs `curl -s -o FILE URL` (curl's own time_total), same file, same server,
   alternating runs after a warm-up round, median MB/s. Target: ratio app/curl >= 0.8.
2. Resume: a download process is SIGKILLed once its .part file passes 50 %, then the download is
   resumed in this process; re-fetched = bytes the server sent during the resume - bytes that were
   missing. Target: < 1 % of the file.
3. Hashing: the same downloader with sha256 swapped for a no-op (in the worker only, the app code is
   untouched), alternating with the real one, median time. Target: overhead < 5 %.

    .venv/bin/python benchmarks/download_bench.py [--runs 9] [--copies 4] [--rate MB/s] [--kill-rate 200] [--dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from _common import ROOT, embedded_model, median, verdict

from app.core import download_transfer
from app.core.download import DownloadOptions, download_model, partial_path
from app.core.manifest import ModelEntry
from tests.fixtures.fake_hub import FakeHub

REPO = "Bench/Download"
NAME = "bench.gguf"
MODEL_ID = "bench"
SCRIPT = Path(__file__).resolve()
ARMS = ("curl", "app", "app-nohash")


def bench_entry() -> ModelEntry:
    # Like tests/core/test_download.py's entry_for: no sha256/size in the entry, so the downloader
    # takes both from the hub's metadata, as it does for a hub file.
    return ModelEntry(id=MODEL_ID, name="Bench", family="bench", parameters="-", files=(NAME,), roles=("chat",),
                      repo=REPO)


def mb_s(size: int, seconds: float) -> float:
    return size / seconds / 1e6


def fmt_runs(values: list[float], spec: str = ".0f") -> str:
    return ", ".join(format(v, spec) for v in values)


# ----------------------------------------------------------------------------- hashing switched off


class _NoHash:
    """Stands in for hashlib.sha256(): accepts the bytes, hashes nothing, reports the expected digest."""

    def __init__(self, digest: str) -> None:
        self._digest = digest

    def update(self, data: bytes | bytearray | memoryview) -> None:
        pass

    def hexdigest(self) -> str:
        return self._digest  # so the downloader's verification passes and the run completes normally


@contextmanager
def hashing_disabled(digest: str) -> Iterator[None]:
    """Make the downloader's `hashlib.sha256()` (app.core.download_transfer) a no-op for the duration.

    The module's `hashlib` name is swapped for a stand-in rather than setting `hashlib.sha256`
    itself, which would change hashing for every library in the process (huggingface_hub included)
    and so measure more than the downloader's own hashing.
    """
    real = download_transfer.hashlib
    made: list[_NoHash] = []

    def fake_sha256(*_args: object, **_kwargs: object) -> _NoHash:
        made.append(_NoHash(digest))
        return made[-1]

    download_transfer.hashlib = types.SimpleNamespace(sha256=fake_sha256)  # type: ignore[assignment]
    try:
        yield
    finally:
        download_transfer.hashlib = real
    if not made:
        # Otherwise a refactor of the downloader (say `from hashlib import sha256`) would silently
        # turn this arm into a second hashing run and report a meaningless ~0 % overhead.
        raise RuntimeError("download_model never called app.core.download_transfer.hashlib.sha256(); "
                           "the no-hash stand-in is not in effect")


# ----------------------------------------------------------------------------- child processes


def worker(url: str, models: Path, digest: str) -> None:
    """Download once per line read from stdin ("app" or "app-nohash"); print one JSON result per line.

    One long-lived process for all runs, so interpreter start-up and imports are paid once, not
    timed, as curl's start-up is not part of its time_total.
    """
    import httpx2  # noqa: F401 - imported lazily by the downloader; import it before any timing
    import huggingface_hub  # noqa: F401

    options = DownloadOptions(endpoint=url, token="")
    final = models / MODEL_ID / NAME
    for line in sys.stdin:
        mode = line.strip()
        if not mode:
            continue
        shutil.rmtree(models, ignore_errors=True)  # every run downloads the whole file
        try:
            with hashing_disabled(digest) if mode == "app-nohash" else _nothing():
                start = time.perf_counter()
                last_byte = 0.0
                for event in download_model(bench_entry(), models, options):
                    if event.state == "verifying":  # the body is complete; sha256 check, fsync, rename follow
                        last_byte = time.perf_counter()
                end = time.perf_counter()
            result = {"total": end - start, "body": last_byte - start, "size": final.stat().st_size}
        except Exception as exc:  # reported to the parent, which stops with the message
            result = {"error": f"{exc.__class__.__name__}: {exc}"}
        shutil.rmtree(models, ignore_errors=True)
        print(json.dumps(result), flush=True)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def kill_child(url: str, models: Path) -> None:
    """A plain download; the parent SIGKILLs this process part way through."""
    for _ in download_model(bench_entry(), models, DownloadOptions(endpoint=url, token="")):
        pass


class Worker:
    def __init__(self, url: str, models: Path, digest: str) -> None:
        self.proc = subprocess.Popen([sys.executable, str(SCRIPT), "--worker", url, str(models), digest], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def run(self, mode: str) -> dict[str, float]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(mode + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            sys.exit(f"the download worker died (exit {self.proc.wait()})")
        result = json.loads(line)
        if "error" in result:
            sys.exit(f"the app's download failed in the worker: {result['error']}")
        return result

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()  # EOF ends the worker's loop
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def find_curl() -> str | None:
    if os.access("/usr/bin/curl", os.X_OK):
        return "/usr/bin/curl"
    return shutil.which("curl")


def curl_once(curl: str, url: str, out: Path, size: int) -> float:
    """Seconds for one full download with curl (its time_total, which excludes process start-up)."""
    out.unlink(missing_ok=True)
    done = subprocess.run([curl, "-s", "-o", str(out), "-w", "%{time_total}", url], capture_output=True, text=True)
    got = out.stat().st_size if out.exists() else 0
    if done.returncode != 0 or got != size:
        sys.exit(f"curl failed (exit {done.returncode}, {got:,} of {size:,} bytes): {done.stderr.strip()}")
    out.unlink()
    return float(done.stdout.strip())


# ----------------------------------------------------------------------------- measurements


def measure_speed(hub_url: str, file_url: str, size: int, digest: str, tmp: Path, runs: int,
                  curl: str | None) -> dict[str, list[dict[str, float]]]:
    """Rounds of curl, app and app-nohash, in an order that rotates each round.

    Rotating keeps any effect of the previous run (dirty pages still being written back, a warm
    connection) from always landing on the same client.
    """
    arms = [a for a in ARMS if a != "curl" or curl is not None]
    results: dict[str, list[dict[str, float]]] = {a: [] for a in arms}
    work = Worker(hub_url, tmp / "models", digest)
    try:
        for round_no in range(runs + 1):  # round 0 is a warm-up (page cache, first connection)
            shift = round_no % len(arms)
            for arm in arms[shift:] + arms[:shift]:
                if arm == "curl":
                    assert curl is not None
                    result = {"total": curl_once(curl, file_url, tmp / "curl.out", size)}
                else:
                    result = work.run(arm)
                    if result["size"] != size:
                        sys.exit(f"{arm}: downloaded {result['size']:,} bytes, expected {size:,}")
                if round_no:
                    results[arm].append(result)
    finally:
        work.close()
    return results


def measure_resume(hub: FakeHub, size: int, tmp: Path, rate_mb_s: float) -> dict[str, float | str]:
    """SIGKILL a download process past 50 %, resume here, count the bytes the server sends twice."""
    models = tmp / "resume-models"
    shutil.rmtree(models, ignore_errors=True)
    final = models / MODEL_ID / NAME
    part = partial_path(final)
    # Paced so that 50 % is caught by polling, not overshot by a download that ends in a blink.
    hub.rate_limit = rate_mb_s * 1e6
    proc = subprocess.Popen([sys.executable, str(SCRIPT), "--kill-child", hub.url, str(models)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    killed = False
    while proc.poll() is None and time.monotonic() < deadline:
        if part.exists() and part.stat().st_size >= size // 2:
            proc.send_signal(signal.SIGKILL)
            killed = True
            break
        time.sleep(0.001)
    if not killed:
        proc.kill()
    _out, err = proc.communicate()
    hub.reset_faults()
    if not killed:
        return {"error": f"the download ended (exit {proc.returncode}) before 50 % was caught; "
                         f"try a lower --kill-rate. {err.strip()[-300:]}"}
    # The killed connection's handler may still count a piece or two until its write fails; wait
    # until the counter is still, so none of those land in the resume's count.
    last, still_since = hub.bytes_sent, time.monotonic()
    while time.monotonic() - still_since < 0.3:
        time.sleep(0.02)
        if hub.bytes_sent != last:
            last, still_since = hub.bytes_sent, time.monotonic()
    partial = part.stat().st_size
    sent_before, requests_before = hub.bytes_sent, len(hub.requests)
    start = time.perf_counter()
    events = list(download_model(bench_entry(), models, DownloadOptions(endpoint=hub.url, token="")))
    seconds = time.perf_counter() - start
    sent = hub.bytes_sent - sent_before
    ranges = [r for method, path, r in hub.requests[requests_before:] if method == "GET" and "/resolve/" in path]
    ok = events[-1].state == "done" and final.exists() and final.stat().st_size == size
    shutil.rmtree(models, ignore_errors=True)
    return {"partial": partial, "sent": sent, "refetched": sent - (size - partial), "seconds": seconds,
            "range": ", ".join(str(r) for r in ranges) or "none", "verified": "yes" if ok else "NO"}


def build_file(src: Path, copies: int, tmp: Path) -> Path:
    big = tmp / "served.gguf"
    with big.open("wb") as out:
        for _ in range(copies):
            with src.open("rb") as fh:
                shutil.copyfileobj(fh, out, 8 << 20)
    return big


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9, help="timed runs per client (after one warm-up round)")
    parser.add_argument("--copies", type=int, default=4, help="the embedded model repeated this many times")
    parser.add_argument("--rate", type=float, default=None,
                        help="pace the server at this many MB/s for sections 1 and 3 (default: unpaced)")
    parser.add_argument("--kill-rate", type=float, default=200.0, help="server pace in MB/s for the killed run")
    parser.add_argument("--dir", type=Path, default=None, help="where the temporary files go (default: TMPDIR)")
    parser.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--kill-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]), args.worker[2])
        return
    if args.kill_child:
        kill_child(args.kill_child[0], Path(args.kill_child[1]))
        return

    began = time.perf_counter()
    src = embedded_model()
    tmp = Path(tempfile.mkdtemp(prefix="cld-dlbench-", dir=args.dir))
    try:
        served = build_file(src, args.copies, tmp)
        size = served.stat().st_size
        curl = find_curl()
        with FakeHub() as hub:
            digest = hub.add_file(REPO, NAME, served)
            file_url = hub.file_url(REPO, NAME)
            print(f"file: {size:,} bytes ({src.name} x{args.copies}), served by FakeHub at {hub.url}; "
                  f"files under {tmp}; {os.cpu_count()} CPUs")
            pace = (f"server paced at {args.rate:.0f} MB/s" if args.rate else
                    "server unpaced (loopback: the client is CPU-bound, the worst case for per-byte costs)")
            print(f"{args.runs} timed runs per client, alternating, after 1 warm-up round; {pace}; MB = 10^6 bytes")
            hub.rate_limit = args.rate * 1e6 if args.rate else None
            speed = measure_speed(hub.url, file_url, size, digest, tmp, args.runs, curl)
            hub.reset_faults()
            resume = measure_resume(hub, size, tmp, args.kill_rate)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    summary: list[str] = []

    print("\n1. throughput")
    app_mbs = [mb_s(size, r["total"]) for r in speed["app"]]
    body_mbs = [mb_s(size, r["body"]) for r in speed["app"]]
    tail_ms = [(r["total"] - r["body"]) * 1000 for r in speed["app"]]
    if curl is None:
        print("curl not found (/usr/bin/curl or PATH): the comparison is skipped")
    else:
        curl_mbs = [mb_s(size, r["total"]) for r in speed["curl"]]
        print(f"curl -s -o FILE URL:              {median(curl_mbs):7.1f} MB/s (runs: {fmt_runs(curl_mbs)})")
    print(f"app download_model, end to end:   {median(app_mbs):7.1f} MB/s (runs: {fmt_runs(app_mbs)})")
    print(f"  of which to the last body byte: {median(body_mbs):7.1f} MB/s (runs: {fmt_runs(body_mbs)}); "
          f"then sha256 check + fsync + rename {median(tail_ms):.0f} ms")
    if curl is not None:
        ratio = median(app_mbs) / median(curl_mbs)
        line = f"ratio app/curl: {ratio:.3f} (target >= 0.8) {verdict(ratio >= 0.8)}"
        print(line)
        summary.append(f"throughput    {line}")
    else:
        summary.append("throughput    skipped: no curl")

    print("\n2. resume after SIGKILL at 50 %")
    if "error" in resume:
        print(f"not measured: {resume['error']}")
        summary.append(f"resume        not measured {verdict(False)}")
    else:
        partial, refetched = int(resume["partial"]), int(resume["refetched"])
        pct = 100 * refetched / size
        print(f"killed run paced at {args.kill_rate:.0f} MB/s; partial file at resume: {partial:,} bytes "
              f"({100 * partial / size:.1f} %), {size - partial:,} missing")
        print(f"resume: server sent {int(resume['sent']):,} bytes in {resume['seconds']:.2f} s "
              f"(GET Range: {resume['range']}); sha256 verified, file complete: {resume['verified']}")
        ok = pct < 1.0 and resume["verified"] == "yes"
        line = f"re-fetched: {refetched:,} bytes = {pct:.3f} % of the file (target < 1 %) {verdict(ok)}"
        print(line)
        summary.append(f"resume        {line}")

    print("\n3. hashing overhead (sha256 runs in the same loop as the socket reads and file writes, not beside it)")
    with_hash = [r["total"] for r in speed["app"]]
    without = [r["total"] for r in speed["app-nohash"]]
    print(f"with sha256, end to end:    {median(with_hash):.3f} s (runs: {fmt_runs(with_hash, '.3f')})")
    print(f"without sha256, end to end: {median(without):.3f} s (runs: {fmt_runs(without, '.3f')})")
    overhead = (median(with_hash) / median(without) - 1) * 100
    line = f"overhead: {overhead:.1f} % (target < 5 %) {verdict(overhead < 5.0)}"
    print(line)
    summary.append(f"hashing       {line}")

    print(f"\n== summary ({time.perf_counter() - began:.0f} s) ==")
    for item in summary:
        print(item)


if __name__ == "__main__":
    main()
