"""The measure use case: run a suite on the loaded model, task by task, resumable.

`run_measure` runs on a worker thread that is not the model's: each task's generation is
submitted to the ModelRunner on its own (so a chat or a server request can interleave), the
candidate is judged in the sandbox on the calling thread, and each outcome is written to the
ResultStore at once. A cancel stops between tasks (and aborts the generation in flight) and
leaves the run INTERRUPTED, to be resumed by the next run with the same key.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from app.core.engine_types import EngineInfo
from app.core.errors import ModelNotLoadedError
from app.core.infill.fill import fill_mode, start_fill
from app.core.infill.prompt import InfillRequest
from app.core.measure import speed
from app.core.measure.completion import candidate_program, generate, greedy, style_for
from app.core.measure.humaneval import load_problems
from app.core.measure.infill_tasks import InfillTask, infill_task
from app.core.measure.results import ItemResult, ResultStore, RunKey, RunState
from app.core.measure.sandbox import Sandbox
from app.core.measure.suites import Suite
from app.core.measure.verdict import Outcome
from app.core.model_runner import ModelRunner
from app.core.remote import is_remote

HASHED_BYTES = 1 << 20  # the model file's first MiB (its GGUF header and more) identifies it with name and size


@dataclass(frozen=True)
class MeasurePlan:
    suite: Suite
    limit: int | None = None  # the first N tasks only (None: all 164)
    max_tokens: int = 512
    fresh: bool = False  # start over instead of resuming an interrupted run with the same key


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    passed: int
    eta_s: float | None  # None until one task of this session has been timed
    task_id: str


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    suite: Suite
    score: float | None  # passed / done; None for the speed suite
    done: int
    total: int
    state: RunState
    metrics: dict


def model_key_for(info: EngineInfo) -> tuple[str, str, int]:
    """(key, label, size in bytes) of the loaded model: results belong to the model FILE (a
    re-download or another quantization is another key), or to a remote server's URL and model."""
    if is_remote(info):
        return info.model_id, info.model_name, 0
    path = Path(info.model_path)
    size = path.stat().st_size
    with path.open("rb") as file:
        digest = hashlib.sha256(file.read(HASHED_BYTES)).hexdigest()[:16]
    return f"{path.name}:{size}:{digest}", info.model_name, size


def settings_for(info: EngineInfo, plan: MeasurePlan) -> dict:
    """What changes a suite's score, stored with the run and part of its key."""
    if plan.suite is Suite.SPEED:
        return {"prompt_sizes": list(speed.PROMPT_SIZES), "generated": speed.GENERATED_TOKENS}
    if plan.suite is Suite.HUMANEVAL:
        return {"prompt": style_for(info).value, "max_tokens": plan.max_tokens}
    return {"fill": fill_mode(info).value, "max_tokens": plan.max_tokens}  # infill: true or instruction fill


def settings_key(settings: dict) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(settings.items()))


class _Eta:
    """Time left from this session's tasks (a resumed run's earlier tasks were timed elsewhere)."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def add(self, seconds: float) -> None:
        self.times.append(seconds)

    def left(self, remaining: int) -> float | None:
        return sum(self.times) / len(self.times) * remaining if self.times else None


def run_measure(runner: ModelRunner, plan: MeasurePlan, store: ResultStore, sandbox: Sandbox, *, model_key: str,
                model_label: str, size_bytes: int, on_progress: Callable[[Progress], None],
                cancel: threading.Event) -> RunSummary:
    info = runner.info()
    if info is None:
        raise ModelNotLoadedError()
    settings = settings_for(info, plan)
    key = RunKey(model_key, plan.suite, settings_key(settings))
    if plan.suite is Suite.SPEED:
        return _run_speed(runner, key, store, model_label, size_bytes, settings, on_progress, cancel)
    problems = load_problems()[:plan.limit] if plan.limit else load_problems()
    record = store.open_run(key, model_label, size_bytes, settings, total=len(problems), fresh=plan.fresh)
    wanted = {p.task_id for p in problems}
    earlier = [item for item in store.items(record.run_id) if item.task_id in wanted]
    done, passed = len(earlier), sum(item.outcome is Outcome.PASSED for item in earlier)
    eta = _Eta()
    on_progress(Progress(done, len(problems), passed, None, ""))
    style = style_for(info)
    try:
        for problem in problems:
            if problem.task_id in record.done_ids:
                continue
            if cancel.is_set():
                break
            started = time.perf_counter()
            if plan.suite is Suite.HUMANEVAL:
                answer = _wait(runner.submit(lambda engine, p=problem: generate(engine, p, style, plan.max_tokens,
                                                                                 cancel)), cancel)
                if answer is None or cancel.is_set():
                    break  # the answer was cut short: not a result, the task stays to do
                text, tokens = answer.text, answer.tokens
                program = candidate_program(problem, style, text)
            else:
                task = infill_task(problem, multi_line=plan.suite is Suite.INFILL_MULTI)
                middle = _wait(runner.submit(lambda engine, t=task: _fill(engine, t, plan, cancel)), cancel)
                if middle is None or cancel.is_set():
                    break
                text, tokens = middle
                program = task.program(text)
            verdict = sandbox.run(program)
            store.record(record.run_id, ItemResult(problem.task_id, verdict.outcome, verdict.detail, verdict.seconds,
                                                   tokens, text))
            done += 1
            passed += verdict.passed
            eta.add(time.perf_counter() - started)
            on_progress(Progress(done, len(problems), passed, eta.left(len(problems) - done), problem.task_id))
    except BaseException:
        store.interrupt(record.run_id)  # a failure or Ctrl+C: what was done is kept for a resume
        raise
    if done < len(problems):
        store.interrupt(record.run_id)
        state = RunState.INTERRUPTED
    else:
        store.finish(record.run_id, {"passed": passed})
        state = RunState.FINISHED
    return RunSummary(record.run_id, plan.suite, passed / done if done else None, done, len(problems), state,
                      {"passed": passed})


def _fill(engine, task: InfillTask, plan: MeasurePlan, cancel: threading.Event) -> tuple[str, int]:
    """The middle through the app's own fill (model thread): true infill or instruction fill."""
    request = InfillRequest(task.prefix, task.suffix, path="solution.py")
    generation = start_fill(engine, request, greedy(plan.max_tokens), cancel,
                            single_line=plan.suite is Suite.INFILL_SINGLE)
    text = "".join(generation.pieces)
    return text, generation.stats.generated_tokens


def _wait(future: concurrent.futures.Future, cancel: threading.Event):
    """The work's result; None when cancelled before its turn came. A generation already running
    sees the same cancel event and ends within a token."""
    while True:
        try:
            return future.result(timeout=0.2)
        except concurrent.futures.TimeoutError:
            if cancel.is_set() and future.cancel():
                return None


def _run_speed(runner: ModelRunner, key: RunKey, store: ResultStore, model_label: str, size_bytes: int,
               settings: dict, on_progress: Callable[[Progress], None], cancel: threading.Event) -> RunSummary:
    steps = speed.steps(cancel)
    # Figures from another session's load and machine state do not mix: speed always starts over.
    record = store.open_run(key, model_label, size_bytes, settings, total=len(steps), fresh=True)
    figures: dict[str, speed.StepFigures] = {}
    eta = _Eta()
    on_progress(Progress(0, len(steps), 0, None, ""))
    try:
        for step in steps:
            if cancel.is_set():
                break
            started = time.perf_counter()
            found = _wait(runner.submit(step.work), cancel)
            if found is None or cancel.is_set():
                break
            figures[step.task_id] = found
            store.record(record.run_id, ItemResult(step.task_id, Outcome.PASSED, "", time.perf_counter() - started,
                                                   found.prompt_tokens + found.generated_tokens))
            eta.add(time.perf_counter() - started)
            on_progress(Progress(len(figures), len(steps), len(figures), eta.left(len(steps) - len(figures)),
                                 step.task_id))
    except BaseException:
        store.interrupt(record.run_id)
        raise
    metrics = speed.metrics(figures)
    if len(figures) < len(steps):
        store.interrupt(record.run_id)
        state = RunState.INTERRUPTED
    else:
        store.finish(record.run_id, metrics)
        state = RunState.FINISHED
    return RunSummary(record.run_id, Suite.SPEED, None, len(figures), len(steps), state, metrics)
