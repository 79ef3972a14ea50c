"""A bad model file is one clear line: from a load, an import and the CLI, never a traceback or a crash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from gguf import GGUFValueType

from app.core.engine import LoadOptions, LocalEngine, VocabCounter
from app.core.errors import ModelFileError
from app.core.manifest import load_all
from app.core.models import import_entry
from tests.fixtures.tiny_gguf import with_metadata

ROOT = Path(__file__).resolve().parents[2]

REPRODUCTIONS = {
    "huge-context": ({"llama.context_length": (GGUFValueType.UINT32, 4294967295)},
                     "llama.context_length = 4294967295"),
    "nan-epsilon": ({"llama.attention.layer_norm_rms_epsilon": (GGUFValueType.FLOAT32, float("nan"))},
                    "llama.attention.layer_norm_rms_epsilon = nan"),
}


@pytest.fixture(params=sorted(REPRODUCTIONS))
def bad_model(request: pytest.FixtureRequest, tiny_codellama: Path, tmp_path: Path) -> tuple[Path, str]:
    changes, text = REPRODUCTIONS[request.param]
    return with_metadata(tiny_codellama, tmp_path / f"{request.param}.gguf", changes), text


def test_load_refuses(bad_model: tuple[Path, str]) -> None:
    path, text = bad_model
    with pytest.raises(ModelFileError, match=text.replace(".", r"\.")):
        LocalEngine(path, options=LoadOptions(context_limit=512))
    with pytest.raises(ModelFileError, match="bad GGUF metadata"):
        VocabCounter(path)


def test_import_refuses(bad_model: tuple[Path, str]) -> None:
    path, text = bad_model
    with pytest.raises(ModelFileError) as caught:
        import_entry(path, load_all(None))
    assert text in caught.value.message


def cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "CODELLAMA_DESKTOP_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def assert_one_line(result: subprocess.CompletedProcess, text: str) -> None:
    assert result.returncode != 0, result
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and text in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_cli_import_and_chat_refuse(bad_model: tuple[Path, str], app_home: Path) -> None:
    path, text = bad_model
    assert_one_line(cli("models", "import", str(path), home=app_home), text)
    assert_one_line(cli("chat", "hi", "--model", str(path), "-n", "2", home=app_home), text)


# The last line of defence, for a file that passes the checks and still fails inside llama.cpp:
# ggml's abort becomes one line on stderr and a clean exit, and native output never reaches stdout.

_ABORT = """
from app.core import llama_log
llama_log.install()
from llama_cpp._ggml import libggml
print("answer", flush=True)
libggml.ggml_abort(b"ops.cpp", 1, b"GGML_ASSERT(eps >= 0.0f) failed")
"""


def test_native_abort_is_one_line(app_home: Path) -> None:
    result = subprocess.run([sys.executable, "-c", _ABORT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 7, result
    assert result.stdout == "answer\n"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "GGML_ASSERT(eps >= 0.0f) failed" in lines[0], result.stderr
    assert "gdb" not in result.stderr and "Traceback" not in result.stderr


_NATIVE_PRINT = """
import ctypes, sys
from app.core import llama_log
llama_log.keep_native_output_off_stdout()
libc = ctypes.CDLL(None)
libc.printf(b"native chatter\\n")
libc.fflush(None)
sys.stdout.write("the answer\\n")
"""


def test_native_stdout_goes_to_stderr() -> None:
    result = subprocess.run([sys.executable, "-c", _NATIVE_PRINT], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "the answer\n"
    assert "native chatter" in result.stderr


_UNCHECKED_NAN = """
import sys
from app.core import llama_log
llama_log.install()
import llama_cpp
llm = llama_cpp.Llama(model_path=sys.argv[1], n_ctx=64, verbose=False)
llm.eval([1, 2])
print("evaluated", flush=True)
"""


def test_unchecked_nan_epsilon_ends_cleanly(tiny_codellama: Path, tmp_path: Path) -> None:
    """The reproduction loaded past the checks: llama.cpp aborts, the app exits with one line."""
    changes, _ = REPRODUCTIONS["nan-epsilon"]
    path = with_metadata(tiny_codellama, tmp_path / "nan.gguf", changes)
    result = subprocess.run([sys.executable, "-c", _UNCHECKED_NAN, str(path)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.stdout in ("", "evaluated\n")
    if result.returncode != 0:
        assert result.returncode == 7, result
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: llama.cpp stopped"), result.stderr


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_cli_refuses_pipes_and_devices(kind: str, app_home: Path, tmp_path: Path) -> None:
    """A FIFO given as the model used to hang every command; /dev/zero was called empty."""
    if kind == "fifo":
        model = tmp_path / "m.gguf"
        os.mkfifo(model)
    else:
        model = Path("/dev/zero")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("x = 1\n")
    text = f"{model} is not a regular file (a pipe, socket or device)"
    assert_one_line(cli("chat", "hi", "--model", str(model), home=app_home), text)
    assert_one_line(cli("models", "import", str(model), home=app_home), text)
    assert_one_line(cli("context", "q", "--repo", str(repo), "--budget", "100", "--model", str(model),
                        home=app_home), text)


def test_cli_refuses_a_hostile_chat_template(tiny_codellama: Path, app_home: Path, tmp_path: Path) -> None:
    path = with_metadata(tiny_codellama, tmp_path / "loops.gguf", {"tokenizer.chat_template": (
        GGUFValueType.STRING, "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")})
    assert_one_line(cli("chat", "hi", "--model", str(path), "-n", "2", home=app_home),
                    "loops.gguf: the model's chat template was stopped: it runs more than 1,000,000 loop iterations")
