"""Running model-written code: one child process per candidate, limited and isolated.

The parent side. `Sandbox.run(program)` writes the program into a fresh temporary folder, starts
`sandbox_launch.py` there (which isolates itself before the program starts: see its docstring),
waits at most the wall-clock limit, kills the whole process group (and, as root, every process
in the run's pids cgroup) and removes the folder. `describe_sandbox()` starts the launcher once
in probe mode and says, from what actually took on this machine, what is and is not protected.

Platforms: Linux gets all of it where the kernel allows (network and pid namespaces, Landlock,
a pids cgroup as root); macOS and the BSDs get the resource limits, the clean environment and
the temporary folder; Windows gets the clean environment, the temporary folder and the
wall-clock limit only.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from app.core.i18n import translate
from app.core.measure.verdict import Outcome, Verdict

__all__ = ["Outcome", "Sandbox", "SandboxLimits", "SandboxReport", "Verdict", "describe_sandbox"]

log = logging.getLogger(__name__)

LAUNCHER = Path(__file__).with_name("sandbox_launch.py")
_POSIX = os.name == "posix"
_LINUX = sys.platform.startswith("linux")
_CGROUP_V1_PIDS = Path("/sys/fs/cgroup/pids")


@dataclass(frozen=True)
class SandboxLimits:
    time_s: float = 10.0  # wall clock (HumanEval's own harness allows 3 s; a busy machine needs more)
    cpu_s: int = 10
    memory_mb: int = 1024  # address space: a Python with its tests needs ~30 MB
    file_size_mb: int = 16
    open_files: int = 64
    processes: int = 32


@dataclass(frozen=True)
class SandboxReport:
    protects: tuple[str, ...]
    does_not_protect: tuple[str, ...]


def _python() -> str:
    # The real interpreter, not a venv's link to it: the program runs with -I -S (no site-packages).
    return os.path.realpath(sys.executable)


def _read_roots() -> list[str]:
    """What the program may read under Landlock: Python's own files and the system's libraries."""
    roots = {sys.base_prefix, sys.base_exec_prefix, os.path.dirname(_python()),
             sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]}
    roots |= {"/usr/lib", "/usr/lib64", "/usr/lib32", "/lib", "/lib64", "/lib32", "/usr/share/zoneinfo",
              "/etc/ld.so.cache", "/etc/localtime"}
    return sorted(r for r in roots if r and os.path.exists(r))


def _clean_env(workdir: str) -> dict[str, str]:
    """No variable of the app's own environment (API keys, tokens, proxies) reaches the program."""
    return {"PATH": "/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8"}


class _PidsCgroup:
    """A pids cgroup for one run (root on a cgroup v1 pids hierarchy): bounds a fork bomb where
    RLIMIT_NPROC does not (root is exempt from it)."""

    def __init__(self, limit: int) -> None:
        self.path: Path | None = None
        if not (_LINUX and os.geteuid() == 0 and (_CGROUP_V1_PIDS / "cgroup.procs").exists()):
            return
        path = _CGROUP_V1_PIDS / f"codellama-measure-{os.getpid()}-{time.monotonic_ns()}"
        try:
            path.mkdir()
            (path / "pids.max").write_text(str(limit))
            self.path = path
        except OSError as exc:
            log.info("no pids cgroup for the sandbox: %s", exc)
            self._remove(path)

    def kill_all(self) -> None:
        if self.path is None:
            return
        for _ in range(100):  # a fork bomb may still be forking between reads
            try:
                pids = [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
            except OSError:
                return
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)

    def close(self) -> None:
        if self.path is not None:
            self.kill_all()
            self._remove(self.path)
            self.path = None

    @staticmethod
    def _remove(path: Path) -> None:
        for _ in range(50):
            try:
                path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.02)  # the last killed processes are still leaving the group
        log.warning("could not remove the cgroup %s", path)


def _remove_tree(path: str) -> None:
    def make_writable(function, failed, _exc) -> None:
        os.chmod(os.path.dirname(failed) or failed, 0o700)  # a program that made its folders read-only
        try:
            os.chmod(failed, 0o700)
        except OSError:
            pass
        function(failed)

    try:
        shutil.rmtree(path, onerror=make_writable)
    except OSError as exc:
        log.warning("could not remove the sandbox folder %s: %s", path, exc)


class Sandbox:
    """Runs one candidate program at a time per call; calls from several threads may overlap."""

    def __init__(self, limits: SandboxLimits | None = None) -> None:
        self.limits = limits or SandboxLimits()

    def run(self, program: str) -> Verdict:
        started = time.perf_counter()
        workdir = tempfile.mkdtemp(prefix="codellama-measure-")
        private = tempfile.mkdtemp(prefix="codellama-measure-log-")  # stderr, out of the program's folder
        cgroup = _PidsCgroup(self.limits.processes)
        try:
            Path(workdir, "candidate.py").write_text(program, encoding="utf-8")
            with open(os.path.join(private, "stderr"), "w+b") as err:
                outcome, detail = self._start(workdir, err, cgroup)
                err.seek(0, os.SEEK_END)
                err.seek(max(0, err.tell() - 4096))
                tail = err.read().decode("utf-8", "replace")
            return Verdict(*_judge(outcome, detail, tail, self.limits), seconds=time.perf_counter() - started)
        except OSError as exc:
            return Verdict(Outcome.ERROR, translate("core", "The sandbox could not start: {reason}").format(
                reason=exc), time.perf_counter() - started)
        finally:
            cgroup.close()
            _remove_tree(workdir)
            _remove_tree(private)

    def _start(self, workdir: str, err, cgroup: _PidsCgroup) -> tuple[Outcome | None, int]:
        """Run the launcher; (TIMED_OUT, -1) past the wall clock, else (None, its exit status)."""
        limits = self.limits
        if _POSIX:
            config = {"workdir": workdir, "python": _python(), "env": _clean_env(workdir), "read_roots": _read_roots(),
                      "cgroup": str(cgroup.path or ""), "cpu_s": limits.cpu_s, "memory_bytes": limits.memory_mb << 20,
                      "file_size_bytes": limits.file_size_mb << 20, "open_files": limits.open_files,
                      "processes": limits.processes}
            command = [_python(), "-I", "-S", "-B", str(LAUNCHER), json.dumps(config)]
        else:  # Windows: no launcher, the program itself under the wall clock
            command = [_python(), "-I", "-S", "-B", "candidate.py"]
        process = subprocess.Popen(command, cwd=workdir, env=_clean_env(workdir), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=err, close_fds=True,
                                   start_new_session=_POSIX)
        try:
            code = process.wait(timeout=limits.time_s)
            return None, code
        except subprocess.TimeoutExpired:
            return Outcome.TIMED_OUT, -1
        finally:
            _kill_group(process)
            cgroup.kill_all()


def _kill_group(process: subprocess.Popen) -> None:
    """The launcher's whole process group (its namespace's first process dies with it, and with
    that every process of the namespace)."""
    if _POSIX:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    else:
        process.kill()
    process.wait()


def _judge(outcome: Outcome | None, code: int, tail: str, limits: SandboxLimits) -> tuple[Outcome, str]:
    """The launcher's exit status (see sandbox_launch) and the end of stderr, as an outcome and a reason."""
    last = next((line.strip() for line in reversed(tail.splitlines()) if line.strip()), "")
    if outcome is Outcome.TIMED_OUT:
        return outcome, translate("core", "ran past the {seconds:g} s time limit").format(seconds=limits.time_s)
    if code == 0:
        return Outcome.PASSED, ""
    if code == 1 or (not _POSIX and code > 0):
        if last.startswith("MemoryError"):
            return Outcome.CRASHED, translate("core", "ran out of its {mb} MB memory limit").format(mb=limits.memory_mb)
        return Outcome.FAILED, last[:500]
    if code in (97, 98):
        return Outcome.ERROR, last[:500]
    signum = code - 100 if code > 100 else -code
    if signum == getattr(signal, "SIGXCPU", -1):
        return Outcome.TIMED_OUT, translate("core", "used up its {seconds} s of CPU time").format(seconds=limits.cpu_s)
    if signum == getattr(signal, "SIGXFSZ", -1):
        return Outcome.CRASHED, translate("core", "wrote a file past the {mb} MB limit").format(mb=limits.file_size_mb)
    try:
        name = signal.Signals(signum).name
    except ValueError:
        name = str(code)
    return Outcome.CRASHED, translate("core", "killed by {signal}").format(signal=name)


@functools.lru_cache(maxsize=1)
def probe() -> frozenset[str]:
    """What the launcher could apply on this machine (namespaces, Landlock, limits, cgroup)."""
    if not _POSIX:
        return frozenset()
    workdir = tempfile.mkdtemp(prefix="codellama-measure-probe-")
    cgroup = _PidsCgroup(SandboxLimits().processes)
    try:
        limits = SandboxLimits()
        config = {"workdir": workdir, "python": _python(), "env": {}, "read_roots": _read_roots(), "probe": True,
                  "cgroup": str(cgroup.path or ""), "cpu_s": limits.cpu_s, "memory_bytes": limits.memory_mb << 20,
                  "file_size_bytes": limits.file_size_mb << 20, "open_files": limits.open_files,
                  "processes": limits.processes}
        done = subprocess.run([_python(), "-I", "-S", "-B", str(LAUNCHER), json.dumps(config)], cwd=workdir,
                              env=_clean_env(workdir), capture_output=True, text=True, timeout=30)
        found = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}
        applied = set(found.get("applied", ()))
        if found.get("root"):
            applied.add("root")
        return frozenset(applied)
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        log.warning("sandbox probe failed: %s", exc)
        return frozenset()
    finally:
        cgroup.close()
        _remove_tree(workdir)


def describe_sandbox(limits: SandboxLimits | None = None) -> SandboxReport:
    """What the sandbox does and does not protect against here, in words for the consent question."""
    limits = limits or SandboxLimits()
    applied = probe()
    yes: list[str] = [
        translate("core", "Each program runs in its own process, stopped after {seconds:g} s").format(seconds=limits.time_s),
        translate("core", "A fresh temporary folder, deleted afterwards"),
        translate("core", "A clean environment: none of this app's variables (API keys, tokens) reach it"),
    ]
    no: list[str] = [translate("core", "It is not a virtual machine: a flaw in the operating system could let code out")]
    if "RLIMIT_AS" in applied:
        yes.append(translate("core", "Limits: {cpu} s of CPU, {mb} MB of memory, {file} MB per file, {files} open files")
                   .format(cpu=limits.cpu_s, mb=limits.memory_mb, file=limits.file_size_mb, files=limits.open_files))
    else:
        no.append(translate("core", "No CPU, memory or file-size limits on this platform"))
    if "net-ns" in applied or "landlock-net" in applied:
        yes.append(translate("core", "No network: its own network namespace, whose only interface (loopback) is down")
                   if "net-ns" in applied else translate("core", "No TCP connections or listening (Landlock)"))
    else:
        no.append(translate("core", "The program can reach the network"))
    if "landlock-fs" in applied:
        yes.append(translate("core", "No writing outside its folder; reading only Python's and the system libraries' "
                                     "files (Landlock)"))
    else:
        no.append(translate("core", "The program can read and write the files your user account can"))
    if "pid-ns" in applied:
        yes.append(translate("core", "Every process it starts ends with it (its own process namespace)"))
    if "pids-cgroup" in applied or ("RLIMIT_NPROC" in applied and "root" not in applied):
        yes.append(translate("core", "At most {n} processes: a fork bomb stops there").format(n=limits.processes))
    else:
        no.append(translate("core", "The number of processes it starts is not limited until it is stopped"))
    no.append(translate("core", "While it runs it can use the CPU and memory up to its limits, slowing this machine"))
    return SandboxReport(tuple(yes), tuple(no))
