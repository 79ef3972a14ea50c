"""The measure use case: run a suite on the loaded model, task by task, resumable.

`run_measure` runs on a worker thread that is not the model's: each task's generation is
submitted to the ModelRunner on its own (so a chat or a server request can interleave), the
candidate is judged in the sandbox on the calling thread, and each outcome is written to the
ResultStore at once. A cancel stops between tasks (and aborts the generation in flight) and
leaves the run INTERRUPTED, to be resumed by the next run with the same key.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

from app.core.measure.results import ResultStore, RunState
from app.core.measure.suites import Suite
from app.core.model_runner import ModelRunner


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


def run_measure(runner: ModelRunner, plan: MeasurePlan, store: ResultStore, sandbox, *, model_key: str,
                model_label: str, size_bytes: int, on_progress: Callable[[Progress], None],
                cancel: threading.Event) -> RunSummary:
    raise NotImplementedError  # landing next: the interface first, for the Measure window
