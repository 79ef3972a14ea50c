"""`codellama-desktop serve` end to end, as a user runs it: a subprocess, a request, Ctrl+C (or SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from tests.server.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def serve(*args: str, home: Path) -> subprocess.Popen:
    env = {**os.environ, "CODELLAMA_DESKTOP_HOME": str(home)}
    env.pop("CODELLAMA_SERVER_KEY", None)
    return subprocess.Popen([sys.executable, "-m", "app", "serve", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_serve_prints_the_address_answers_logs_and_stops_cleanly(smollm2_path, tmp_path, stop_signal):
    port = free_port()
    proc = serve("-m", str(smollm2_path), "--port", str(port), "--api-key", "k1", home=tmp_path)
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in proc.stderr:
            lines.append(line)
            if "Ctrl+C" in line:
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(180), "".join(lines)
        address = f"http://127.0.0.1:{port}"
        text = "".join(lines)
        assert f"at {address}" in text and "from openai import OpenAI" in text and "Bearer k1" in text
        reply = requests.post(address + "/v1/chat/completions", timeout=120, headers={"Authorization": "Bearer k1"},
                              json={"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 3})
        assert reply.status_code == 200 and reply.json()["choices"][0]["message"]["content"]
        # Pressed three times, as an impatient user does: each only asks to stop again, and the
        # stop stays clean (an interrupt inside the wait once broke its lock).
        for _ in range(3):
            proc.send_signal(stop_signal)
        assert proc.wait(60) == 0, "".join(lines[-5:])
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(10)
    assert proc.stdout.read() == ""  # stdout stays free for scripts
    assert any("POST /v1/chat/completions 200" in line for line in lines), "".join(lines)
    assert "stopping" in [line.strip() for line in lines], "".join(lines[-5:])


def test_serve_on_another_address_without_a_key_is_refused(smollm2_path, tmp_path):
    proc = serve("-m", str(smollm2_path), "--host", "0.0.0.0", "--port", str(free_port()), home=tmp_path)
    _, err = proc.communicate(timeout=180)
    assert proc.returncode != 0 and "API key" in err.strip().splitlines()[-1], err
