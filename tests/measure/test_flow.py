"""The whole measure flow on real models: run_measure on a ModelThread (the embedded SmolLM2 for
chat and instruction fill, the generated tiny Code Llama for true infill tokens and a base
model's completion), interrupted and resumed, cancelled mid-generation."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path

import pytest

from app.core.engine import LoadOptions, LocalEngine
from app.core.measure.results import ResultStore, RunState
from app.core.measure.runner import MeasurePlan, Progress, model_key_for, run_measure
from app.core.measure.sandbox import Sandbox
from app.core.measure.suites import Suite
from app.core.model_runner import ModelThread

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def smollm2_thread(smollm2_path: Path):
    thread = ModelThread(lambda: LocalEngine(smollm2_path, chat_format="template", name="SmolLM2",
                                             options=LoadOptions(context_limit=2048)))
    thread.start().result()
    yield thread
    thread.close()


def _measure(runner, plan: MeasurePlan, store: ResultStore, cancel: threading.Event | None = None,
             on_progress=None):
    key, label, size = model_key_for(runner.info())
    seen: list[Progress] = []

    def progress(p: Progress) -> None:
        seen.append(p)
        if on_progress is not None:
            on_progress(p)

    summary = run_measure(runner, plan, store, Sandbox(), model_key=key, model_label=label, size_bytes=size,
                          on_progress=progress, cancel=cancel or threading.Event())
    return summary, seen


@pytest.mark.parametrize("suite", [Suite.HUMANEVAL, Suite.INFILL_SINGLE, Suite.INFILL_MULTI])
def test_three_tasks_of_each_code_suite_on_the_embedded_model(smollm2_thread, tmp_path: Path, suite: Suite) -> None:
    store = ResultStore(tmp_path / "m.sqlite3")
    summary, seen = _measure(smollm2_thread, MeasurePlan(suite, limit=3, max_tokens=192), store)
    assert (summary.state, summary.done, summary.total) == (RunState.FINISHED, 3, 3)
    assert [p.done for p in seen] == [0, 1, 2, 3] and seen[-1].task_id == "HumanEval/2"
    assert seen[1].eta_s is not None and seen[-1].eta_s == 0
    items = store.items(summary.run_id)
    assert [i.task_id for i in items] == ["HumanEval/0", "HumanEval/1", "HumanEval/2"]
    assert all(i.answer.strip() and i.tokens > 0 for i in items)  # the model wrote something for each
    assert all(i.outcome.value in ("passed", "failed", "timed out", "crashed") for i in items)
    [row] = store.table()
    assert row.score == summary.score == sum(i.outcome.value == "passed" for i in items) / 3
    expected = "prompt=chat" if suite is Suite.HUMANEVAL else "fill=instruction fill"  # SmolLM2 has no infill tokens
    assert expected in row.settings_key


def test_the_speed_suite(smollm2_thread, tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "m.sqlite3")
    summary, seen = _measure(smollm2_thread, MeasurePlan(Suite.SPEED), store)
    assert summary.state is RunState.FINISHED and summary.score is None
    metrics = summary.metrics
    assert all(metrics[k] > 0 for k in ("prompt_tps_512", "prompt_tps_4k", "gen_tps", "ttft_s", "peak_rss_mb"))
    assert metrics["prompt_tokens_4k"] == 2048 - 64  # 4k capped at this load's context
    assert [p.task_id for p in seen[1:]] == ["prompt-512", "prompt-4096", "generation"]
    assert store.table()[0].metrics == metrics


def test_an_interrupted_run_resumes_where_it_stopped(smollm2_thread, tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "m.sqlite3")
    cancel = threading.Event()
    plan = MeasurePlan(Suite.HUMANEVAL, limit=3, max_tokens=96)
    first, _ = _measure(smollm2_thread, plan, store, cancel, lambda p: p.done == 1 and cancel.set())
    assert (first.state, first.done, first.total) == (RunState.INTERRUPTED, 1, 3)
    [waiting] = store.interrupted()
    assert waiting.done_ids == {"HumanEval/0"}
    answer = store.items(first.run_id)[0].answer

    second, seen = _measure(smollm2_thread, plan, store)
    assert (second.run_id, second.state, second.done) == (first.run_id, RunState.FINISHED, 3)
    assert seen[0].done == 1  # resumed: the first task counts and is not asked again
    assert [p.task_id for p in seen[1:]] == ["HumanEval/1", "HumanEval/2"]
    assert store.items(first.run_id)[0].answer == answer
    assert store.interrupted() == []


class _CancelOnStart:
    """The real model thread, with the cancel pressed the moment a generation begins on it."""

    def __init__(self, runner: ModelThread, cancel: threading.Event) -> None:
        self.runner, self.cancel = runner, cancel

    def info(self):
        return self.runner.info()

    def submit(self, work) -> Future:
        def pressed(engine):
            self.cancel.set()
            return work(engine)

        return self.runner.submit(pressed)


def test_a_cancel_during_a_generation_records_nothing_for_it(smollm2_thread, tmp_path: Path) -> None:
    store = ResultStore(tmp_path / "m.sqlite3")
    cancel = threading.Event()
    summary, _ = _measure(_CancelOnStart(smollm2_thread, cancel), MeasurePlan(Suite.HUMANEVAL, limit=3), store,
                          cancel)
    assert (summary.state, summary.done) == (RunState.INTERRUPTED, 0)
    assert store.items(summary.run_id) == []
    assert smollm2_thread.submit(lambda engine: engine.count_tokens("still working")).result() > 0


def test_a_model_with_infill_tokens_fills_with_them(tiny_codellama: Path, tmp_path: Path) -> None:
    runner = ModelThread(lambda: LocalEngine(tiny_codellama, chat_format="none", name="tiny-codellama",
                                             options=LoadOptions(context_limit=2048)))
    runner.start().result()
    try:
        store = ResultStore(tmp_path / "m.sqlite3")
        infill, _ = _measure(runner, MeasurePlan(Suite.INFILL_SINGLE, limit=2, max_tokens=16), store)
        completion, _ = _measure(runner, MeasurePlan(Suite.HUMANEVAL, limit=2, max_tokens=16), store)
    finally:
        runner.close()
    assert infill.state is RunState.FINISHED and completion.state is RunState.FINISHED
    keys = {row.suite: row.settings_key for row in store.table()}
    assert "fill=infill" in keys[Suite.INFILL_SINGLE]  # true infill, reported apart from instruction fill
    assert "prompt=completion" in keys[Suite.HUMANEVAL]  # a base model continues the raw prompt
    assert all(i.outcome.value != "error" for i in store.items(infill.run_id) + store.items(completion.run_id))


def test_a_remote_model_is_measured_through_its_server(llama_cpp_server: str, tmp_path: Path) -> None:
    from app.core.remote.engine import RemoteConfig, RemoteEngine

    runner = ModelThread(lambda: RemoteEngine(RemoteConfig(llama_cpp_server)))
    info = runner.start().result()
    try:
        key, _label, size = model_key_for(info)
        assert key.startswith("remote:") and llama_cpp_server.rstrip("/") in key and size == 0
        store = ResultStore(tmp_path / "m.sqlite3")
        scored, _ = _measure(runner, MeasurePlan(Suite.HUMANEVAL, limit=2, max_tokens=128), store)
        timed, _ = _measure(runner, MeasurePlan(Suite.SPEED), store)
    finally:
        runner.close()
    assert (scored.state, scored.done) == (RunState.FINISHED, 2)
    assert all(i.answer.strip() for i in store.items(scored.run_id))
    assert timed.state is RunState.FINISHED
    assert timed.metrics["gen_tps"] > 0 and timed.metrics["prompt_tps_512"] > 0
    assert timed.metrics["peak_rss_mb"] is None  # another machine's memory is not this process's
