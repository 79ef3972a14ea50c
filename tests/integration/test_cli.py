"""The CLI as a person runs it: a real process, the real model, stdout holding only the answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, home: Path, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "CODELLAMA_DESKTOP_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def test_chat_prints_only_the_answer(app_home: Path) -> None:
    result = cli("chat", "Write a Python function that reverses a string", "--seed", "1", "-t", "0", home=app_home)
    assert result.returncode == 0, result.stderr
    assert "def " in result.stdout or "[::-1]" in result.stdout
    assert "llama" not in result.stdout.lower().split("def")[0]  # no log lines before the answer
    assert "Traceback" not in result.stderr
    assert (app_home / "logs" / "codellama-desktop.log").read_text().count("loaded") >= 1


def test_chat_reads_stdin_and_options(app_home: Path) -> None:
    result = cli("chat", "-", "--max-tokens", "5", "--system", "", home=app_home, stdin="Say hello")
    assert result.returncode == 0, result.stderr
    assert 0 < len(result.stdout.strip().split()) <= 8


def test_chat_with_gguf_path(app_home: Path, smollm2_path: Path) -> None:
    result = cli("chat", "hi", "--model", str(smollm2_path), "-n", "4", home=app_home)
    assert result.returncode == 0, result.stderr


def one_line_error(result: subprocess.CompletedProcess, code: int, text: str) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and text in lines[0], result.stderr


def test_unknown_model(app_home: Path) -> None:
    one_line_error(cli("chat", "hi", "--model", "no-such-model", home=app_home), 2, "unknown model")


def test_missing_model_file(app_home: Path, tmp_path: Path) -> None:
    one_line_error(cli("chat", "hi", "--model", str(tmp_path / "gone.gguf"), home=app_home), 2, "not found")


def test_not_downloaded_manifest_model(app_home: Path) -> None:
    one_line_error(cli("chat", "hi", "-m", "codellama-7b-instruct-q4_k_m", home=app_home), 2, "not downloaded")


def test_corrupt_and_truncated_model(app_home: Path, tmp_path: Path, smollm2_path: Path) -> None:
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(os.urandom(4096))
    one_line_error(cli("chat", "hi", "-m", str(junk), home=app_home), 3, "not a GGUF")
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(smollm2_path.read_bytes()[:20_000_000])
    one_line_error(cli("chat", "hi", "-m", str(cut), home=app_home), 3, "truncated")


def test_not_enough_memory(app_home: Path) -> None:
    (app_home / "config").mkdir(parents=True)
    (app_home / "config" / "settings.json").write_text(json.dumps({"memory_limit_mb": 40}))
    one_line_error(cli("chat", "hi", home=app_home), 4, "GiB")


def test_empty_question(app_home: Path) -> None:
    one_line_error(cli("chat", "   ", home=app_home), 1, "empty")
    one_line_error(cli("chat", "-", home=app_home, stdin=""), 1, "empty")


def test_doctor_and_models_list(app_home: Path) -> None:
    doctor = cli("doctor", home=app_home)
    assert doctor.returncode == 0, doctor.stderr
    for needle in ("llama-cpp-python 0.3.36", "backend: CPU", "ram:", f"data dir: {app_home}", "SmolLM2"):
        assert needle in doctor.stdout
    models = cli("models", "list", home=app_home)
    assert models.returncode == 0
    assert "smollm2-135m-instruct" in models.stdout and "embedded" in models.stdout
    assert "codellama-7b-instruct-q4_k_m" in models.stdout


def test_prompt_longer_than_context(app_home: Path) -> None:
    one_line_error(cli("chat", "-", home=app_home, stdin="word " * 9000), 5, "too long")


def test_code_llama_markers_refused(app_home: Path, tiny_codellama: Path) -> None:
    result = cli("chat", "explain [INST] please", "-m", str(tiny_codellama), home=app_home)
    one_line_error(result, 5, "[INST]")


def test_models_commands_against_a_local_hub(app_home: Path, smollm2_path: Path, tmp_path: Path) -> None:
    from tests.fixtures.fake_hub import FakeHub

    (app_home / "config").mkdir(parents=True, exist_ok=True)
    (app_home / "config" / "models_manifest.toml").write_text(
        'version = 1\n\n[[models]]\nid = "test-smol"\nname = "Test Smol"\nfamily = "SmolLM2"\nparameters = "135M"\n'
        'repo = "Test/Smol"\nfiles = ["smol.gguf"]\nroles = ["chat"]\nchat_format = "template"\n')
    with FakeHub() as hub:
        hub.add_file("Test/Smol", "smol.gguf", smollm2_path)
        listed = cli("models", "list", home=app_home)
        assert listed.returncode == 0 and "test-smol" in listed.stdout and "available" in listed.stdout
        info = cli("models", "info", "test-smol", "--remote", "--endpoint", hub.url, home=app_home)
        assert info.returncode == 0, info.stderr
        assert "architecture llama" in info.stdout and "can run llama" in info.stdout
        hub.drop_after, hub.drop_times = 20_000_000, 2
        download = cli("models", "download", "test-smol", "--endpoint", hub.url, home=app_home)
        assert download.returncode == 0, download.stderr
        assert "retrying" in download.stderr and "verified" in download.stderr and download.stdout == ""
        assert "installed" in cli("models", "list", home=app_home).stdout
        answer = cli("chat", "Say hi", "-m", "test-smol", "-n", "8", home=app_home)
        assert answer.returncode == 0 and answer.stdout.strip()
        removed = cli("models", "remove", "test-smol", home=app_home)
        assert removed.returncode == 0 and "freed" in removed.stderr
        one_line_error(cli("models", "download", "nope", home=app_home), 2, "unknown model")
    copy = tmp_path / "mine.gguf"
    copy.write_bytes(smollm2_path.read_bytes())
    imported = cli("models", "import", str(copy), home=app_home)
    assert imported.returncode == 0 and imported.stdout.strip() == "local-mine"
    assert cli("chat", "hi", "-m", "local-mine", "-n", "4", home=app_home).returncode == 0
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"junk")
    one_line_error(cli("models", "import", str(junk), home=app_home), 3, "not a GGUF")


def test_models_list_marks_the_best_quantization(app_home: Path) -> None:
    listed = cli("models", "list", home=app_home)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["id", "params", "quant", "size", "roles", "fit", "state", "best"]
    seven_b = [line.split() for line in lines if line.startswith("codellama-7b-instruct-")]
    assert len(seven_b) == 3 and [cells[-1] for cells in seven_b].count("yes") == 1  # the same mark as the window's
    assert not lines[1].endswith("yes")  # the embedded model comes in one quantization: nothing to choose


def test_models_info_remote_reports_infill_tokens(app_home: Path, tiny_codellama: Path) -> None:
    from tests.fixtures.fake_hub import FakeHub

    (app_home / "config").mkdir(parents=True, exist_ok=True)
    (app_home / "config" / "models_manifest.toml").write_text(
        'version = 1\n\n[[models]]\nid = "tiny"\nname = "Tiny"\nfamily = "Code Llama"\nparameters = "7B"\n'
        'repo = "Test/Tiny"\nfiles = ["tiny.gguf"]\nroles = ["chat", "infill"]\ninfill_format = "codellama"\n'
        '\n[[models]]\nid = "ghost"\nname = "Ghost"\nfamily = "x"\nparameters = "1B"\n'
        'repo = "Nobody/Ghost"\nfiles = ["ghost.gguf"]\nroles = ["chat"]\n')
    with FakeHub() as hub:
        hub.add_file("Test/Tiny", "tiny.gguf", tiny_codellama)
        info = cli("models", "info", "tiny", "--remote", "--endpoint", hub.url, home=app_home)
        assert info.returncode == 0, info.stderr
        assert "infill tokens yes (Code Llama)" in info.stdout and "chat template no" in info.stdout
        assert "fit from the file's header:" in info.stdout
        # The hub's error, typed as in a download: one line, nothing half-printed on stdout.
        one_line_error(cli("models", "info", "ghost", "--remote", "--endpoint", hub.url, home=app_home), 8, "not found")


def test_download_errors_are_one_line(app_home: Path) -> None:
    from tests.fixtures.fake_hub import FakeHub

    (app_home / "config").mkdir(parents=True, exist_ok=True)
    (app_home / "config" / "models_manifest.toml").write_text(
        'version = 1\n\n[[models]]\nid = "ghost"\nname = "Ghost"\nfamily = "x"\nparameters = "1B"\n'
        'repo = "Nobody/Ghost"\nfiles = ["ghost.gguf"]\nroles = ["chat"]\n')
    with FakeHub() as hub:
        one_line_error(cli("models", "download", "ghost", "--endpoint", hub.url, home=app_home), 8, "not found")


def test_context_json_and_ask_on_a_repository(app_home: Path, tmp_path: Path) -> None:
    import json as jsonlib

    from tests.core.repo.test_index_pack import FILES
    from tests.core.repo.test_scan import make

    repo = make(tmp_path / "demo", FILES)
    result = cli("context", "--repo", str(repo), "--budget", "600", "--json",
                 "Where is RetryPolicy defined?", home=app_home)
    assert result.returncode == 0, result.stderr
    data = jsonlib.loads(result.stdout)
    assert data["version"] == 1 and data["tokenizer"] == "smollm2-135m-instruct"
    assert data["chunks"][0]["path"] == "src/net/retry.py" and data["used_tokens"] <= 600
    stdin = cli("context", "--repo", str(repo), "--budget", "600", "-", home=app_home, stdin="RetryPolicy")
    assert stdin.returncode == 0 and "### src/net/retry.py:" in stdin.stdout
    answer = cli("ask", "--repo", str(repo), "-n", "24", "How many attempts does RetryPolicy make?", home=app_home)
    assert answer.returncode == 0, answer.stderr
    assert "Context sent" in answer.stdout and "src/net/retry.py:" in answer.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    one_line_error(cli("context", "--repo", str(empty), "--budget", "100", "x", home=app_home), 1, "no source files")
    one_line_error(cli("context", "--repo", str(tmp_path / "nope"), "--budget", "100", "x", home=app_home), 1,
                   "cannot open")
