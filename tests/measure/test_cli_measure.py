"""`codellama-desktop measure` as a person runs it: a real process on the embedded model, the
question before model-written code runs, progress on stderr, the table on stdout, Ctrl+C and
resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.model


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "CODELLAMA_DESKTOP_HOME": str(home)}


def measure(*args: str, home: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", "measure", *args], cwd=ROOT, env=_env(home),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)


def _progress(stderr: str, suite: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(suite + " ")]


@pytest.mark.parametrize("suite", ["humaneval", "infill-single", "infill-multi"])
def test_three_tasks_of_a_code_suite(app_home: Path, suite: str, tmp_path: Path) -> None:
    exported = tmp_path / "table.csv"
    result = measure("--suite", suite, "--limit", "3", "--max-tokens", "160", "--yes", "--export", str(exported),
                     home=app_home)
    assert result.returncode == 0, result.stderr
    lines = _progress(result.stderr, suite)
    assert lines[0].startswith(f"{suite} 0/3") and lines[-1].startswith(f"{suite} 3/3")
    assert "ETA" in lines[1]
    assert "pass@1" in result.stderr.splitlines()[-1]
    assert "## Measured on this machine" in result.stdout and "| 3/3 | finished |" in result.stdout
    assert "## Published, not measured here" in result.stdout
    assert f",{suite}," in exported.read_text() and "published" in exported.read_text()
    assert (app_home / "data" / "measure.sqlite3").is_file()


def test_the_speed_suite(app_home: Path) -> None:
    result = measure("--suite", "speed", home=app_home)  # runs no model-written code: nothing to agree to
    assert result.returncode == 0, result.stderr
    assert [line.split(" ")[1] for line in _progress(result.stderr, "speed")] == ["0/3", "1/3", "2/3", "3/3"]
    assert "| Prompt tok/s (512) | Prompt tok/s (4k) | Generation tok/s |" in result.stdout
    [row] = [line for line in result.stdout.splitlines() if "| finished |" in line]
    figures = [cell.strip() for cell in row.strip("|").split("|")][2:7]
    assert all(float(f) > 0 for f in figures), row


def test_without_a_terminal_or_yes_it_refuses_before_loading(app_home: Path) -> None:
    result = measure("--limit", "1", home=app_home)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: the humaneval suite runs code the model writes; standard input is not a terminal to ask on, so pass "
        "--yes to agree"]


def test_on_a_terminal_it_asks_once_and_says_what_the_sandbox_does(app_home: Path) -> None:
    primary, secondary = os.openpty()
    try:
        process = subprocess.Popen([sys.executable, "-m", "app", "measure", "--limit", "1"], cwd=ROOT,
                                   env=_env(app_home), stdin=secondary, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        os.write(primary, b"n\n")
        out, err = process.communicate(timeout=120)
    finally:
        os.close(primary)
        os.close(secondary)
    assert process.returncode == 2
    assert "It protects against:" in err and "It does not protect against:" in err
    assert "Run the model-written code? [y/N]" in err
    assert err.count("[y/N]") == 1
    assert "not run: the model-written code needs your agreement" in err
    assert out == ""


def test_ctrl_c_interrupts_and_the_same_command_resumes(app_home: Path) -> None:
    args = [sys.executable, "-m", "app", "measure", "--limit", "3", "--max-tokens", "128", "--yes"]
    process = subprocess.Popen(args, cwd=ROOT, env=_env(app_home), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    seen = []
    for line in process.stderr:
        seen.append(line)
        if line.startswith("humaneval 1/3"):
            process.send_signal(signal.SIGINT)
            break
    out, rest = process.communicate(timeout=300)
    err = "".join(seen) + rest
    assert process.returncode == 130, err
    [stopped] = [line for line in err.splitlines() if line.startswith("interrupted: ")]
    done = int(stopped.split()[1])
    assert 1 <= done < 3 and stopped.endswith("run the same command again to resume (--fresh starts over)")
    assert f"| {done}/3 | interrupted |" in out
    assert "Traceback" not in err

    again = measure("--limit", "3", "--max-tokens", "128", "--yes", home=app_home)
    assert again.returncode == 0, again.stderr
    lines = _progress(again.stderr, "humaneval")
    assert lines[0].startswith(f"humaneval {done}/3") and lines[-1].startswith("humaneval 3/3")
    assert len(lines) == 1 + 3 - done  # only the tasks left were run
    assert "| 3/3 | finished |" in again.stdout
