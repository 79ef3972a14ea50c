"""The fill use case on real models: true infill or instruction fill, repository context, the mode in words."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from app.core.engine import LocalEngine
from app.core.infill.fill import FillMode, describe_fill, fill_mode, language_of, start_fill, with_repository
from app.core.infill.prompt import InfillRequest
from app.core.repo.assistant import RepoAssistant
from app.core.repo.scan import ScanRules
from app.core.settings import SamplingSettings
from tests.core.repo.test_index_pack import FILES
from tests.core.repo.test_scan import make

GREEDY = SamplingSettings(temperature=0.0, max_tokens=16, repeat_penalty=1.0)
CODE_BEFORE, CODE_AFTER = "def area(width, height):\n    ", "\n\nprint(area(2, 3))\n"
CALL = "from src.net.retry import RetryPolicy\n\ndef download(url):\n    policy = RetryPolicy("


@pytest.fixture(scope="module")
def codellama(tiny_codellama: Path):
    engine = LocalEngine(tiny_codellama)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def qwen(tiny_bpe):
    engine = LocalEngine(tiny_bpe("qwen"))
    yield engine
    engine.close()


@pytest.fixture
def assistant(tmp_path: Path):
    made = RepoAssistant.in_cache(tmp_path / "cache")
    made.open(make(tmp_path / "demo", FILES), ScanRules())
    yield made
    made.close()


def test_a_model_with_infill_tokens_gets_a_true_infill(codellama: LocalEngine) -> None:
    assert fill_mode(codellama.info) is FillMode.INFILL
    request = InfillRequest(CODE_BEFORE, CODE_AFTER, path="shapes.py", suffix_first=True)
    middle = start_fill(codellama, request, GREEDY, context_tokens=512).text()
    # Exactly the engine's own infill of the same request: its tokens, its suffix-first order.
    assert middle == codellama.infill_text(request, GREEDY, context_tokens=512).text() and middle
    single = start_fill(codellama, request, GREEDY, single_line=True).text()
    assert "\n" not in single.lstrip("\n")


def test_a_chat_model_gets_an_instruction_fill_fenced_in_the_files_language(smollm2_engine: LocalEngine) -> None:
    assert fill_mode(smollm2_engine.info) is FillMode.INSTRUCTION
    request = InfillRequest("def add(a, b):\n", "\n\nprint(add(1, 2))\n", path="maths.py")
    sampling = SamplingSettings(temperature=0.0, max_tokens=40, seed=7)
    middle = start_fill(smollm2_engine, request, sampling).text()
    assert middle == smollm2_engine.instruction_fill(request.prefix, request.suffix, "Python", sampling).text()
    assert "return" in middle and "```" not in middle
    # A language named by the caller (the pane's choice) wins over the file's name.
    named = start_fill(smollm2_engine, request, sampling, language="Python").text()
    assert named == middle


def test_a_fill_stopped_before_it_starts_generates_nothing(codellama: LocalEngine) -> None:
    cancel = threading.Event()
    cancel.set()
    generation = start_fill(codellama, InfillRequest(CODE_BEFORE, CODE_AFTER), GREEDY, cancel)
    assert generation.text() == "" and generation.stats.generated_tokens == 0


def test_the_mode_in_words(codellama: LocalEngine, qwen: LocalEngine, smollm2_engine: LocalEngine) -> None:
    nothing = describe_fill(None)
    assert nothing.mode is FillMode.NO_MODEL and "No model" in nothing.text and not nothing.suffix_first

    code_llama = describe_fill(codellama.info)
    assert code_llama.mode is FillMode.INFILL and code_llama.uses_repository
    assert "Code Llama infill tokens" in code_llama.headline and code_llama.suffix_first
    assert not code_llama.detail and not code_llama.advice

    qwen_coder = describe_fill(qwen.info)
    assert "Qwen2.5-Coder infill tokens" in qwen_coder.text and not qwen_coder.suffix_first

    chat = describe_fill(smollm2_engine.info)
    assert chat.mode is FillMode.INSTRUCTION and not chat.uses_repository and not chat.suffix_first
    assert chat.headline == f"{smollm2_engine.info.model_name} has no infill tokens."
    assert "instruction fill" in chat.detail and "less exact" in chat.detail
    assert "Code Llama" in chat.advice and chat.text == f"{chat.headline} {chat.detail} {chat.advice}"


def test_repository_definitions_and_the_path_in_the_repository(assistant: RepoAssistant, qwen: LocalEngine,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root = assistant.root
    assert root is not None
    request = InfillRequest(CALL, ")\n", path="download.py")
    found = assistant.infill_snippets(CALL, ")\n", root / "src" / "download.py")
    filled = with_repository(request, found)
    assert filled.path == "src/download.py" and filled.repo_name == "demo"
    assert [s.path for s in filled.snippets] == ["src/net/retry.py"]
    assert request.path == "download.py" and not request.snippets  # the caller's request is left as it was
    # A path relative to the working folder (as typed on a command line) lands on the same place.
    monkeypatch.chdir(root / "src")
    assert with_repository(request, assistant.infill_snippets(CALL, ")\n", Path("download.py"))) == filled
    # The definitions reach the repository-level prompt, under the file's path in the repository.
    prompt = qwen.infill_prompt(filled, GREEDY.max_tokens)
    assert prompt.snippets == filled.snippets
    assert "src/download.py\n" in qwen.tokenizer.decode(prompt.tokens)
    assert isinstance(start_fill(qwen, filled, GREEDY).text(), str)  # the real model runs on it


def test_a_file_from_elsewhere_keeps_its_name_and_no_repository_changes_nothing(assistant: RepoAssistant,
                                                                                tmp_path: Path) -> None:
    request = InfillRequest(CALL, ")\n", path="x.py")
    outside = with_repository(request, assistant.infill_snippets(CALL, ")\n", tmp_path / "elsewhere" / "x.py"))
    assert outside.path == "x.py" and outside.repo_name == "demo" and outside.snippets
    assert with_repository(request, None) is request


def test_the_language_of_a_file() -> None:
    assert language_of("src/tools.py") == "Python" and language_of("main.rs") == "Rust"
    assert language_of("") == "" and language_of("README") == ""
