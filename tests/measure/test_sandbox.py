"""The sandbox against hostile programs: each is stopped, bounded or refused, and the machine
(this test process, its files, its network) is untouched."""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

from app.core.measure.sandbox import Outcome, Sandbox, SandboxLimits, describe_sandbox, probe

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the namespaces and Landlock are Linux's")

FAST = SandboxLimits(time_s=3.0, cpu_s=2, memory_mb=512, processes=16)


@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    return Sandbox(FAST)


def test_a_passing_and_a_failing_program(sandbox: Sandbox) -> None:
    assert sandbox.run("assert sum([1, 2]) == 3\n").outcome is Outcome.PASSED
    failed = sandbox.run("def f():\n    return 1\nassert f() == 2, 'wrong answer'\n")
    assert failed.outcome is Outcome.FAILED
    assert failed.detail == "AssertionError: wrong answer"
    assert sandbox.run("def broken(:\n").outcome is Outcome.FAILED  # a syntax error is a failure too


def test_an_infinite_loop_is_stopped(sandbox: Sandbox) -> None:
    verdict = sandbox.run("while True:\n    pass\n")
    assert verdict.outcome is Outcome.TIMED_OUT


def test_a_sleeping_program_is_stopped_by_the_wall_clock(sandbox: Sandbox) -> None:
    verdict = sandbox.run("import time\ntime.sleep(3600)\n")  # no CPU used: only the wall clock ends it
    assert verdict.outcome is Outcome.TIMED_OUT
    assert "time limit" in verdict.detail


def _candidates_since(started: float) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline", "create_time"]):
        cmdline = process.info["cmdline"] or []
        if cmdline[-1:] == ["candidate.py"] and (process.info["create_time"] or 0) >= started - 1:
            found.append(process)
    return found


def test_a_fork_bomb_is_bounded_and_leaves_no_process_behind(sandbox: Sandbox) -> None:
    # Children leave the process group (setsid) and sleep: only the pid namespace or the cgroup ends them.
    bomb = (
        "import os, time\n"
        "forks = 0\n"
        "try:\n"
        "    while True:\n"
        "        if os.fork() == 0:\n"
        "            os.setsid()\n"
        "            time.sleep(600)\n"
        "            os._exit(0)\n"
        "        forks += 1\n"
        "except OSError as exc:\n"
        "    raise SystemExit(f'stopped after {forks} forks: {exc.strerror}')\n"
    )
    started = time.time()
    verdict = sandbox.run(bomb)
    assert verdict.outcome is Outcome.FAILED, verdict
    forks = int(verdict.detail.split("stopped after ")[1].split(" ")[0])
    assert forks < FAST.processes  # bounded by the limit, even when this test runs as root
    deadline = time.monotonic() + 10
    while _candidates_since(started) and time.monotonic() < deadline:
        time.sleep(0.1)  # killed processes are reaped by the kernel a moment later
    assert _candidates_since(started) == []


def test_a_huge_allocation_hits_the_memory_limit(sandbox: Sandbox) -> None:
    verdict = sandbox.run("block = bytearray(64 * 2**30)\n")
    assert verdict.outcome is Outcome.CRASHED
    assert "memory" in verdict.detail


def test_a_huge_file_hits_the_file_size_limit() -> None:
    verdict = Sandbox(SandboxLimits(time_s=10, file_size_mb=1)).run(
        "with open('big', 'wb') as f:\n    f.write(b'x' * (4 * 2**20))\n")
    assert verdict.outcome is not Outcome.PASSED
    assert verdict.detail


@linux_only
def test_writing_outside_its_folder_changes_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("original")
    beside = tmp_path / "new.txt"
    program = (f"with open({str(target)!r}, 'w') as f:\n    f.write('changed')\n"
               f"open({str(beside)!r}, 'w').write('new')\n")
    verdict = sandbox.run(program)
    assert verdict.outcome is Outcome.FAILED
    assert "Permission denied" in verdict.detail
    assert target.read_text() == "original"
    assert not beside.exists()


@linux_only
def test_reading_this_projects_files_is_refused(sandbox: Sandbox) -> None:
    source = Path(__file__).resolve()  # not Python's own files nor a system library
    verdict = sandbox.run(f"open({str(source)!r}).read()\n")
    if "landlock-fs" not in probe():
        pytest.skip("Landlock is not available on this kernel")
    assert verdict.outcome is Outcome.FAILED
    assert "Permission denied" in verdict.detail


def test_its_folder_is_fresh_writable_and_removed(sandbox: Sandbox) -> None:
    program = ("import os\nassert os.listdir('.') == ['candidate.py'], os.listdir('.')\n"
               "open('scratch.txt', 'w').write('ok')\nraise SystemExit(os.getcwd())\n")
    first, second = sandbox.run(program), sandbox.run(program)
    assert first.outcome is Outcome.FAILED and second.outcome is Outcome.FAILED  # exited non-zero, on purpose
    assert first.detail != second.detail
    assert not Path(first.detail).exists() and not Path(second.detail).exists()


@linux_only
def test_opening_a_connection_fails(sandbox: Sandbox) -> None:
    received: list[bytes] = []
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        server.settimeout(8)
        try:
            connection, _ = server.accept()
            received.append(connection.recv(100))
            connection.close()
        except OSError:
            pass

    listener = threading.Thread(target=serve)
    listener.start()
    program = (f"import socket\ns = socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
               "s.sendall(b'leaked')\n")
    verdict = sandbox.run(program)
    server.close()
    listener.join()
    assert verdict.outcome is Outcome.FAILED, verdict
    assert received == []


def test_the_parents_secrets_are_not_in_its_environment(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODELLAMA_REMOTE_KEY", "sk-secret-value")
    monkeypatch.setenv("HF_TOKEN", "hf_secret_value")
    program = ("import os\nleaked = [k for k, v in os.environ.items() if 'secret' in v or k in ('HF_TOKEN', "
               "'CODELLAMA_REMOTE_KEY')]\nassert not leaked, leaked\nassert os.environ['HOME'] == os.getcwd()\n")
    verdict = sandbox.run(program)
    assert verdict.outcome is Outcome.PASSED, verdict
    assert "secret" in os.environ["HF_TOKEN"]  # the test's own environment did have them


def test_the_description_says_what_took_here() -> None:
    report = describe_sandbox()
    assert report.protects and report.does_not_protect
    applied = probe()
    text = " ".join(report.protects)
    if "net-ns" in applied:
        assert "network namespace" in text
    else:
        assert any("network" in line for line in report.does_not_protect)
    if "landlock-fs" in applied:
        assert "No writing outside its folder" in text
    if sys.platform.startswith("linux") and os.geteuid() == 0:
        # Root is exempt from RLIMIT_NPROC: only the cgroup can promise a process limit here.
        assert ("pids-cgroup" in applied) == any("fork bomb" in line for line in report.protects)
