"""The engine on the real llama.cpp with the embedded SmolLM2 model."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from app.core.engine import LoadOptions, LocalEngine, plan_context
from app.core.errors import EngineError, ModelFileError, ModelTooLargeError, PromptError
from app.core.gguf_info import read_gguf_info
from app.core.prompts.chat import ChatMessage
from app.core.settings import SamplingSettings

GREEDY = SamplingSettings(temperature=0.0, max_tokens=48, seed=1)


def ask(text: str) -> list[ChatMessage]:
    return [ChatMessage("system", "You are a helpful coding assistant."), ChatMessage("user", text)]


def test_reports_backend_threads_and_context(smollm2_engine: LocalEngine) -> None:
    info = smollm2_engine.info
    assert info.backend == "CPU"  # this build has no GPU offload
    assert info.n_ctx == 2048 and info.n_ctx_train == 8192  # capped by the context_limit option
    assert info.threads >= 1 and info.threads_batch >= info.threads


def test_streams_an_answer(smollm2_engine: LocalEngine) -> None:
    generation = smollm2_engine.chat(ask("Write a Python function that reverses a string"), GREEDY)
    pieces = list(generation)
    assert len(pieces) > 5
    text = "".join(pieces)
    assert "def " in text or "[::-1]" in text
    assert generation.stats.generated_tokens >= len(pieces) - 1
    assert generation.stats.stop_reason in ("end", "length")


def test_cancel_between_tokens(smollm2_engine: LocalEngine) -> None:
    cancel = threading.Event()
    generation = smollm2_engine.chat(ask("Count from 1 to 100"), SamplingSettings(max_tokens=200), cancel)
    received = 0
    for _ in generation:
        received += 1
        if received == 3:
            cancel.set()
    assert generation.stats.stop_reason == "cancelled"
    assert generation.stats.generated_tokens <= 4


def test_follow_up_reuses_kv_cache(smollm2_engine: LocalEngine) -> None:
    messages = ask("What is a Python list?")
    first = smollm2_engine.chat(messages, GREEDY)
    answer = first.text()
    messages += [ChatMessage("assistant", answer), ChatMessage("user", "And a tuple?")]
    second = smollm2_engine.chat(messages, GREEDY)
    second.text()
    # Everything up to the previous answer is served from the cache; only the new turn is evaluated.
    assert second.stats.reused_tokens >= first.stats.prompt_tokens
    assert second.stats.prompt_tokens - second.stats.reused_tokens < 40


def test_counts_tokens(smollm2_engine: LocalEngine) -> None:
    assert smollm2_engine.count_tokens("") == 0
    assert 1 <= smollm2_engine.count_tokens("hello world") <= 4
    assert smollm2_engine.prompt_tokens(ask("hi")) > smollm2_engine.count_tokens("hi")


def test_prompt_longer_than_context(smollm2_engine: LocalEngine) -> None:
    with pytest.raises(PromptError, match="too long"):
        smollm2_engine.chat(ask("word " * 5000), GREEDY)


def test_old_history_dropped_to_fit(smollm2_engine: LocalEngine) -> None:
    history: list[ChatMessage] = [ChatMessage("system", "Be brief.")]
    for i in range(30):
        history += [ChatMessage("user", f"question {i} " + "filler " * 60), ChatMessage("assistant", "answer " * 60)]
    history.append(ChatMessage("user", "last question"))
    prompt, dropped = smollm2_engine.fit_history(history)
    assert dropped > 0 and dropped % 2 == 0
    assert len(prompt.tokens) <= smollm2_engine.info.n_ctx


def test_empty_prompt(smollm2_engine: LocalEngine) -> None:
    with pytest.raises(PromptError, match="empty"):
        smollm2_engine.chat([ChatMessage("user", "")], GREEDY)


def test_native_log_goes_to_python_logging(smollm2_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="llama.cpp")
    engine = LocalEngine(smollm2_path, options=LoadOptions(context_limit=512))
    engine.close()
    assert any(r.name == "llama.cpp" and "n_ctx" in r.getMessage() for r in caplog.records)


def test_unload_then_use(smollm2_path: Path) -> None:
    engine = LocalEngine(smollm2_path, options=LoadOptions(context_limit=512))
    engine.close()
    engine.close()  # twice is harmless
    with pytest.raises(EngineError, match="unloaded"):
        engine.chat(ask("hi"), GREEDY)


def test_model_too_large_for_memory(smollm2_path: Path) -> None:
    with pytest.raises(ModelTooLargeError, match="GiB"):
        LocalEngine(smollm2_path, options=LoadOptions(memory_limit_mb=50))


def test_context_shrinks_to_fit_memory(smollm2_path: Path) -> None:
    info = read_gguf_info(smollm2_path)
    size = smollm2_path.stat().st_size
    n_ctx, reduced = plan_context(info, size, LoadOptions(context_limit=8192, memory_limit_mb=400))
    assert reduced and 512 <= n_ctx < 8192
    n_ctx, reduced = plan_context(info, size, LoadOptions(context_limit=8192))
    assert (n_ctx, reduced) == (8192, False)


def test_bad_files_get_clear_errors(tmp_path: Path, smollm2_path: Path) -> None:
    junk = tmp_path / "junk.gguf"
    junk.write_text("this is not a model")
    with pytest.raises(ModelFileError, match="not a GGUF"):
        LocalEngine(junk)
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(smollm2_path.read_bytes()[:30_000_000])
    with pytest.raises(ModelFileError, match="truncated"):
        LocalEngine(cut)


def test_stop_interrupts_prompt_evaluation(smollm2_engine: LocalEngine) -> None:
    """Cancel during a long prompt evaluation ends it before any token is produced."""
    cancel = threading.Event()
    long_question = "Summarize this: " + "the quick brown fox jumps over the lazy dog " * 170
    timer = threading.Timer(0.3, cancel.set)
    timer.start()
    generation = smollm2_engine.chat(ask(long_question), GREEDY, cancel)
    assert generation.text() == ""
    assert generation.stats.stop_reason == "cancelled" and generation.stats.generated_tokens == 0
    # The engine is still usable afterwards.
    assert smollm2_engine.chat(ask("Say hi"), SamplingSettings(max_tokens=5)).text()


def test_pinned_leading_messages_survive_trimming(smollm2_engine: LocalEngine) -> None:
    """A repository question keeps its packed-code message; old follow-ups make room instead."""
    code = ChatMessage("user", "CODE-CONTEXT " + "def f(): pass\n" * 150)
    history: list[ChatMessage] = [ChatMessage("system", "Be brief."), code, ChatMessage("assistant", "ok")]
    for i in range(20):
        history += [ChatMessage("user", f"follow-up {i} " + "more " * 40), ChatMessage("assistant", "answer " * 40)]
    history.append(ChatMessage("user", "last"))
    prompt, dropped = smollm2_engine.fit_history(history, keep_leading=3)
    assert dropped > 0
    text = smollm2_engine.tokenizer.decode(prompt.tokens)
    assert "CODE-CONTEXT" in text and "follow-up 0 " not in text and "last" in text


def test_context_beyond_training_only_where_the_model_allows(tiny_codellama: Path) -> None:
    info = read_gguf_info(tiny_codellama)  # trained for 16,384 tokens
    size = tiny_codellama.stat().st_size
    assert plan_context(info, size, LoadOptions(context_limit=65536)) == (16384, False)
    assert plan_context(info, size, LoadOptions(context_limit=65536, max_context=100000)) == (65536, False)
    assert plan_context(info, size, LoadOptions(context_limit=200000, max_context=100000))[0] == 100000


def test_switch_refuses_a_model_that_does_not_fit_before_closing_the_loaded_one(
        smollm2_engine: LocalEngine, smollm2_path: Path) -> None:
    from app.core.engine_switch import Kept, LoadedModel, ModelSwitchError, switch_model
    from app.core.models import ResolvedModel

    current = LoadedModel(ResolvedModel(smollm2_path, None), smollm2_engine)
    opened: list[object] = []
    started: list[str] = []
    with pytest.raises(ModelSwitchError) as caught:
        switch_model(current, lambda: ResolvedModel(smollm2_path, None), opened.append,
                     lambda _model: LoadOptions(memory_limit_mb=50), started.append)  # the file alone is 94 MiB
    error = caught.value
    assert error.kept is Kept.UNTOUCHED and error.current is current and error.info is smollm2_engine.info
    assert error.message.startswith(f"Could not load {smollm2_path.name}: The model needs about ")
    assert error.message.endswith(f"Still using {smollm2_path.name}.")
    assert isinstance(error.cause, ModelTooLargeError) and error.exit_code == ModelTooLargeError.exit_code
    assert opened == [] and started == []  # nothing was opened, nothing announced
    assert smollm2_engine.chat(ask("Say hi"), GREEDY).text()  # the loaded engine was not closed


def test_switch_keeps_the_loaded_model_when_checking_the_new_one_fails_unexpectedly(
        smollm2_engine: LocalEngine, smollm2_path: Path, tmp_path: Path) -> None:
    from app.core.engine_switch import Kept, LoadedModel, ModelSwitchError, switch_model
    from app.core.models import ResolvedModel

    current = LoadedModel(ResolvedModel(smollm2_path, None), smollm2_engine)

    def resolve_fails() -> ResolvedModel:
        raise OSError("the models folder is gone")

    for resolve in (resolve_fails, lambda: ResolvedModel(tmp_path / "vanished.gguf", None)):  # stat() fails
        with pytest.raises(ModelSwitchError) as caught:
            switch_model(current, resolve, lambda _m: pytest.fail("opened"), lambda _m: LoadOptions())
        assert caught.value.kept is Kept.UNTOUCHED and caught.value.current is current
        assert caught.value.message.endswith(f"Still using {smollm2_path.name}.")
    assert smollm2_engine.chat(ask("Say hi"), GREEDY).text()


def _abort_lines(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    return [r for r in records if r.name == "llama.cpp" and ("graph_compute" in r.getMessage()
                                                             or "failed to decode" in r.getMessage())]


def test_stop_mid_prompt_logs_no_error(smollm2_engine: LocalEngine, caplog, capfd) -> None:
    caplog.set_level(logging.DEBUG, logger="llama.cpp")
    cancel = threading.Event()
    code = " ".join(f"value_{i} = {i}" for i in range(120))
    generation = smollm2_engine.chat(ask(code), SamplingSettings(max_tokens=50), cancel)
    # Stop once the batches are read: the decode of the prompt's last token is aborted by llama.cpp.
    generation.on_prompt = lambda done, total: cancel.set() if done == total else None
    assert generation.text() == ""
    assert generation.stats.stop_reason == "cancelled"
    aborted = _abort_lines(caplog.records)
    assert aborted, "the decode was not aborted: the test did not reach what it checks"
    assert all(r.levelno == logging.DEBUG for r in aborted)
    assert not [r for r in caplog.records if r.name == "llama.cpp" and r.levelno >= logging.WARNING]
    assert "graph_compute" not in capfd.readouterr().err
    # A real failure afterwards is an error again.
    from app.core import llama_log

    llama_log._emit(4, "llama_decode: failed to decode, ret = 2\n")
    assert caplog.records[-1].levelno == logging.ERROR


def test_stop_mid_answer_logs_no_error(smollm2_engine: LocalEngine, caplog, capfd) -> None:
    """Stop from another thread while the model runs, as the GUI does, until one lands inside a decode."""
    caplog.set_level(logging.DEBUG, logger="llama.cpp")
    for _attempt in range(8):
        cancel, first = threading.Event(), threading.Event()
        generation = smollm2_engine.chat(ask("Count from 1 to 300, one number per line."),
                                         SamplingSettings(max_tokens=400, temperature=0.0), cancel)

        def consume() -> None:
            for _piece in generation:
                first.set()

        thread = threading.Thread(target=consume)
        thread.start()
        assert first.wait(60)
        cancel.set()  # while the next token is being decoded, most of the time
        thread.join(60)
        assert generation.stats.stop_reason == "cancelled" and generation.stats.generated_tokens > 0
        if _abort_lines(caplog.records):
            break
    aborted = _abort_lines(caplog.records)
    assert aborted, "no Stop landed inside a decode in 8 attempts"
    assert all(r.levelno == logging.DEBUG for r in aborted)
    assert not [r for r in caplog.records if r.name == "llama.cpp" and r.levelno >= logging.WARNING]
    assert "graph_compute" not in capfd.readouterr().err


def test_memory_the_loaded_model_frees_counts_but_never_past_the_limit(smollm2_path: Path) -> None:
    info, size = read_gguf_info(smollm2_path), smollm2_path.stat().st_size
    # What closing the loaded model gives back is counted (a switch checks before it closes it)...
    assert plan_context(info, size, LoadOptions(context_limit=4096), freed_bytes=2**50) == (4096, False)
    # ...but the user's memory limit still caps the plan.
    with pytest.raises(ModelTooLargeError):
        plan_context(info, size, LoadOptions(context_limit=4096, memory_limit_mb=50), freed_bytes=2**50)
