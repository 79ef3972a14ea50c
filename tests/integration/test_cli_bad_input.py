"""Bad input to the CLI as a person or a script gives it: one clear line, never a traceback or a hang,
and nothing half-written left behind."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from tests.integration.test_cli import ROOT, cli, one_line_error


def run_bytes(args: list[bytes | str], home: Path, stdin: bytes = b"", timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "CODELLAMA_DESKTOP_HOME": str(home)}
    argv = [os.fsencode(a) if isinstance(a, str) else a for a in args]
    result = subprocess.run([os.fsencode(sys.executable), b"-m", b"app", *argv], cwd=ROOT, env=env, input=stdin,
                            capture_output=True, timeout=timeout)
    return subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode(errors="replace"),
                                       result.stderr.decode(errors="replace"))


@pytest.mark.parametrize("args, text", [
    (["chat", "hi", "-n", "-5"], "--max-tokens must be at least 1"),
    (["chat", "hi", "-n", "0"], "--max-tokens must be at least 1"),
    (["chat", "hi", "-n", "many"], "whole number"),
    (["chat", "hi", "-t", "nan"], "--temperature must be between"),
    (["chat", "hi", "-t", "-1"], "--temperature must be between"),
    (["chat", "hi", "-t", "inf"], "--temperature must be between"),
    (["ask", "q", "--repo", ".", "--budget", "-5"], "--budget must be at least 1"),
    (["context", "q", "--repo", ".", "--budget", "0"], "--budget must be at least 1"),
    (["context", "q", "--repo", "", "--budget", "100"], "--repo is empty"),
    (["ask", "q", "--repo", "  "], "--repo is empty"),
    (["infill", "f.py", "--line", "0", "--column", "1"], "--line must be at least 1"),
    (["infill", "f.py", "-l", "1", "-c", "1", "--context", "3"], "--context must be at least 16"),
    (["chat"], "required"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_arguments_are_one_line(app_home: Path, args: list[str], text: str) -> None:
    one_line_error(cli(*args, home=app_home, timeout=60), 2, text)


def test_invalid_utf8_on_stdin_and_in_arguments(app_home: Path, tmp_path: Path) -> None:
    one_line_error(run_bytes(["chat", "-"], app_home, stdin=b"explain \xff\xfe this"), 1, "standard input is not UTF-8")
    one_line_error(run_bytes(["chat", b"caf\xe9"], app_home), 2, "not valid UTF-8")
    bad_name = os.fsencode(str(tmp_path)) + b"/mod\xe8le.gguf"
    with open(bad_name, "wb") as fh:
        fh.write(b"GGUF")
    one_line_error(run_bytes(["models", "import", bad_name], app_home), 2, "not valid UTF-8")


def test_infill_on_a_fifo_is_refused_at_once(app_home: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "code.py"
    os.mkfifo(fifo)
    one_line_error(cli("infill", str(fifo), "--line", "1", "--column", "1", home=app_home, timeout=60), 1,
                   "not a regular file")
    one_line_error(cli("infill", "--prefix-file", str(fifo), home=app_home, timeout=60), 1, "not a regular file")


# ---------------------------------------------------------------------------------- a read-only or full home

needs_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("mount"),
                                reason="a small or read-only file system is mounted as root")


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def fill(folder: Path) -> None:
    """Use up every free byte of the file system holding `folder`."""
    for name, block in (("filler", 65536), ("filler-small", 1)):
        fd = os.open(folder / name, os.O_WRONLY | os.O_CREAT)
        try:
            while True:
                os.write(fd, b"\0" * block)
        except OSError:
            pass
        finally:
            os.close(fd)


def no_noise(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr and "Logging error" not in result.stderr, result.stderr


@needs_root
def test_read_only_home(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "16m") as home:
        assert cli("doctor", home=home).returncode == 0  # folders and the log file exist
        subprocess.run(["mount", "-o", "remount,ro", str(home)], check=True)
        doctor = cli("doctor", home=home)
        assert doctor.returncode == 0 and "llama.cpp backend" in doctor.stdout
        assert doctor.stderr == "", doctor.stderr
        chat = cli("chat", "Say hi", "-n", "4", "--seed", "1", home=home)
        assert chat.returncode == 0 and chat.stdout.strip(), chat.stderr
        no_noise(chat)
        listing = cli("models", "list", home=home)
        assert listing.returncode == 0, listing.stderr
        no_noise(listing)


@needs_root
def test_read_only_home_never_created(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "1m") as mount:
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        doctor = cli("doctor", home=mount / "home")
        assert doctor.returncode == 0, doctor.stderr
        no_noise(doctor)


@needs_root
def test_full_disk_keeps_answers_clean_and_leaves_nothing_half_written(tmp_path: Path, smollm2_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    for n in range(30):
        (repo / f"mod{n}.py").write_text(f"def retry_{n}(x):\n    return x + {n}\n" * 20)
    with tmpfs(tmp_path / "full", "24m") as home:
        assert cli("doctor", home=home).returncode == 0
        fill(home)
        chat = cli("chat", "Say hi", "-n", "8", "--seed", "1", "-t", "0", home=home)
        assert chat.returncode == 0 and chat.stdout.strip(), chat.stderr
        no_noise(chat)
        assert len(chat.stderr.splitlines()) <= 1, chat.stderr
        before = {p: p.stat().st_size for p in home.rglob("*") if p.is_file()}
        imported = cli("models", "import", str(smollm2_path), home=home)
        one_line_error(imported, 1, "disk")
        context = cli("context", "--repo", str(repo), "--budget", "300", "retry", "--json", home=home)
        no_noise(context)
        assert context.returncode != 0 and len(context.stderr.strip().splitlines()) == 1, context.stderr
        assert "disk is full" in context.stderr
        after = {p: p.stat().st_size for p in home.rglob("*") if p.is_file()}
        new = {p: size for p, size in after.items() if p not in before}
        assert not [p for p, size in new.items() if size == 0 and p.suffix != ".lock"], new


# ------------------------------------------------------------------- the app's own files, damaged or hostile

def _home_with(app_home: Path) -> Path:
    assert cli("doctor", home=app_home).returncode == 0  # folders made
    return app_home


def test_settings_and_log_file_that_are_fifos_do_not_block(app_home: Path) -> None:
    home = _home_with(app_home)
    (home / "config" / "settings.json").unlink(missing_ok=True)
    os.mkfifo(home / "config" / "settings.json")
    (home / "logs" / "codellama-desktop.log").unlink()
    os.mkfifo(home / "logs" / "codellama-desktop.log")
    result = cli("doctor", home=home, timeout=60)
    assert result.returncode == 0 and "llama.cpp backend" in result.stdout
    no_noise(result)


@pytest.mark.parametrize("content", [b"[" * 100_000 + b"]" * 100_000, b"\xff\xfe\x00", b"{\"context_limit\": 1e999}"])
def test_damaged_settings_fall_back_to_defaults(app_home: Path, content: bytes) -> None:
    home = _home_with(app_home)
    (home / "config" / "settings.json").write_bytes(content)
    result = cli("doctor", home=home)
    assert result.returncode == 0, result.stderr
    no_noise(result)
    assert len(result.stderr.strip().splitlines()) <= 1


@pytest.mark.parametrize("content", [b"\xff\xfe\x00", b"a = " + b"[" * 50_000 + b"]" * 50_000, b"[[models]\n"])
def test_a_broken_user_manifest_is_named_once_and_the_app_still_works(app_home: Path, tmp_path: Path,
                                                                      content: bytes) -> None:
    home = _home_with(app_home)
    manifest = home / "config" / "models_manifest.toml"
    manifest.write_bytes(content)
    listing = cli("models", "list", home=home)
    assert listing.returncode == 0 and "smollm2" in listing.stdout, listing.stderr
    no_noise(listing)
    lines = listing.stderr.strip().splitlines()
    named = [line for line in lines if "models_manifest.toml" in line]
    assert len(named) == 1, listing.stderr
    assert all(line in named or line.startswith("recommended here:") for line in lines), listing.stderr
    # Importing refuses to write over a manifest it cannot read, and leaves it as it was.
    imported = cli("models", "import", str(tmp_path / "none.gguf"), home=home)
    assert imported.returncode != 0
    no_noise(imported)
    assert manifest.read_bytes() == content


def test_a_user_manifest_that_is_a_fifo_does_not_block(app_home: Path, tiny_codellama: Path) -> None:
    home = _home_with(app_home)
    os.mkfifo(home / "config" / "models_manifest.toml")
    imported = cli("models", "import", str(tiny_codellama), home=home, timeout=60)
    assert imported.returncode != 0 and "not a regular file" in imported.stderr
    no_noise(imported)


def test_endless_standard_input_is_bounded(app_home: Path) -> None:
    with open("/dev/zero", "rb") as zero:
        result = subprocess.run([sys.executable, "-m", "app", "chat", "-"], cwd=ROOT, stdin=zero,
                                env={**os.environ, "CODELLAMA_DESKTOP_HOME": str(app_home)},
                                capture_output=True, text=True, timeout=60)
    one_line_error(result, 1, "standard input is larger than")


def test_a_reader_that_goes_away_ends_the_command_quietly(app_home: Path) -> None:
    env = {**os.environ, "CODELLAMA_DESKTOP_HOME": str(app_home)}
    proc = subprocess.Popen([sys.executable, "-m", "app", "chat", "Write a long story about a robot.", "-n", "64",
                             "--seed", "1"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.read(1)
    proc.stdout.close()  # like `| head -c1`
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert stderr == "", stderr


def test_output_that_cannot_be_written_is_one_line(app_home: Path) -> None:
    env = {**os.environ, "CODELLAMA_DESKTOP_HOME": str(app_home)}
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "app", "doctor"], cwd=ROOT, env=env, stdout=full,
                                stderr=subprocess.PIPE, text=True, timeout=60)
    assert result.returncode == 1 and result.stderr.strip() == "error: cannot write the output: the disk is full"
    closed = subprocess.run(f"exec {sys.executable} -m app chat hi -n 2 >&-", shell=True, cwd=ROOT, env=env,
                            stderr=subprocess.PIPE, text=True, timeout=60)
    assert closed.returncode == 2 and closed.stderr.strip().startswith("error: standard output is closed")


def test_names_from_a_model_file_cannot_drive_the_terminal(app_home: Path, tmp_path: Path) -> None:
    from gguf import GGUFValueType

    from tests.fixtures.tiny_gguf import with_metadata, write_tiny_llama

    evil = with_metadata(write_tiny_llama(tmp_path / "base.gguf"), tmp_path / "evil.gguf",
                         {"general.name": (GGUFValueType.STRING, "\x1b[31mRED\x1b[0m\nsecond line")})
    imported = cli("models", "import", str(evil), home=app_home)
    assert imported.returncode == 0, imported.stderr
    model_id = imported.stdout.strip()
    for args in (("models", "info", model_id), ("models", "list")):
        result = cli(*args, home=app_home)
        assert result.returncode == 0, result.stderr
        assert "\x1b" not in result.stdout
        assert not any(line.startswith("second line") for line in result.stdout.split("\n"))
    info = cli("models", "info", model_id, home=app_home)
    assert info.stdout.startswith("\\x1b[31mRED\\x1b[0m\\nsecond line")
