"""Prompt progress and the answer's figures on the CLI's stderr: real processes on the real SmolLM2."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_cli import cli

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[2]
PERCENT = re.compile(r"Reading (the prompt|the context|the code)… (\d+)%")
LONG = "\n".join(f"value_{i} = {i}" for i in range(150)) + "\nWhat is value_7?"  # ~1400 tokens: 3 batches


def percents(text: str) -> list[int]:
    return [int(m.group(2)) for m in PERCENT.finditer(text)]


def test_chat_long_prompt_plain_lines_on_stderr(app_home: Path) -> None:
    result = cli("chat", "-", "-n", "4", "-t", "0", home=app_home, stdin=LONG)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if PERCENT.fullmatch(line)]
    assert lines == [line for line in result.stderr.splitlines() if "Reading" in line]  # whole lines, nothing else
    shown = percents(result.stderr)
    assert len(shown) >= 2 and shown == sorted(shown) and shown[-1] == 100 and shown[0] < 100
    assert all(line.startswith("Reading the prompt… ") for line in lines)
    assert "Reading" not in result.stdout and "\r" not in result.stderr
    assert "to first token" not in result.stderr  # figures only on a terminal or with --verbose


def test_short_chat_keeps_stderr_clean(app_home: Path) -> None:
    result = cli("chat", "Say hi", "-n", "4", "-t", "0", home=app_home)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # one batch: over before a line would help


def test_verbose_prints_the_figures(app_home: Path) -> None:
    result = cli("--verbose", "chat", "Say hi", "-n", "6", "-t", "0", home=app_home)
    assert result.returncode == 0, result.stderr
    figures = [line for line in result.stderr.splitlines() if "to first token" in line]
    assert len(figures) == 1 and re.fullmatch(r"\d+\.\d s to first token( · [\d.]+ tokens/s)? · \d+ tokens?",
                                              figures[0]), figures
    assert "to first token" not in result.stdout


def test_ask_reports_reading_the_context(app_home: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    for n in range(30):
        (repo / f"mod{n}.py").write_text(f"def retry_{n}(x):\n    return x + {n}\n" * 20)
    result = cli("ask", "--repo", str(repo), "--budget", "1500", "-n", "8", "What does retry_3 return?",
                 home=app_home)
    assert result.returncode == 0, result.stderr
    shown = percents(result.stderr)
    assert len(shown) >= 2 and shown[-1] == 100 and "Reading the context… " in result.stderr
    assert "Reading" not in result.stdout and "Context sent" in result.stdout


def test_infill_reports_reading_the_code(app_home: Path, tmp_path: Path) -> None:
    source = tmp_path / "big.py"
    source.write_text("\n".join(f"def f{i}(x):\n    return x * {i}\n" for i in range(120)) + "\ndef square(x):\n    ")
    lines = source.read_text().splitlines()
    result = cli("infill", str(source), "--line", str(len(lines)), "--column", str(len(lines[-1]) + 1),
                 "-n", "8", "-t", "0", home=app_home)
    assert result.returncode == 0, result.stderr
    assert percents(result.stderr) and percents(result.stderr)[-1] == 100
    assert "Reading the code… " in result.stderr and "Reading" not in result.stdout


def test_on_a_terminal_one_line_is_rewritten_then_erased(app_home: Path) -> None:
    """stderr on a pseudo-terminal: the line is rewritten in place, erased before the answer, figures after."""
    main, secondary = pty.openpty()
    env = {**os.environ, "CODELLAMA_DESKTOP_HOME": str(app_home)}
    proc = subprocess.Popen([sys.executable, "-m", "app", "chat", "-", "-n", "4", "-t", "0"], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=secondary)
    os.close(secondary)
    out, _ = proc.communicate(LONG.encode(), timeout=120)
    terminal = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the process closed its end
            break
        if not chunk:
            break
        terminal += chunk
    os.close(main)
    assert proc.returncode == 0, terminal
    text = terminal.decode()
    updates = text.split("\r\x1b[K")
    shown = [u for u in updates if u.startswith("Reading the prompt… ")]
    assert len(shown) >= 2 and "\n" not in "".join(shown)  # one line, rewritten in place
    after = text[text.rindex("\r\x1b[K") + 4:]  # the line is erased once the prompt is read
    assert "Reading" not in after and re.search(r"to first token", after)
    assert b"Reading" not in out and out.strip()
