"""The one thread that owns the model: a `Worker` named "inference".

The GUI submits jobs and never waits: results come back as signals of `InferenceService`, on the
GUI thread. The engine is created, used and closed only by jobs on that thread. Cancelling sets a
threading.Event that the engine checks between tokens, so it works while the thread is busy.
Streamed text is batched so the GUI gets a signal every ~25 ms, not one per token. Failures
arrive as `UserError` objects (see app.workers.worker), not strings.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Callable, TypeVar

from PySide6.QtCore import QObject, Signal

from app.context import AppContext
from app.core.engine import EngineInfo, Generation, GenerationStats, LocalEngine
from app.core.engine_switch import Kept, LoadedModel, ModelSwitchError, switch_model
from app.core.errors import ModelNotLoadedError, UserError
from app.core.i18n import translate
from app.core.infill.fill import start_fill
from app.core.infill.prompt import InfillRequest
from app.core.model_runner import EngineWork, run_into
from app.core.prompts.chat import ChatMessage
from app.core.remote.engine import RemoteConfig, RemoteEngine
from app.core.settings import SamplingSettings
from app.workers.worker import Report, Worker

log = logging.getLogger(__name__)

EMIT_INTERVAL_S = 0.025
_job_ids = itertools.count(1)
T = TypeVar("T")


@dataclass
class ChatJob:
    messages: list[ChatMessage]
    sampling: SamplingSettings
    job_id: int = field(default_factory=lambda: next(_job_ids))
    cancel: threading.Event = field(default_factory=threading.Event)
    ignore_eos: bool = False  # benchmarks: a fixed number of tokens whatever the model says
    keep_leading: int | None = None  # messages never dropped to fit the context (see LocalEngine.fit_history)
    state_scope: str = ""  # saves and reuses the prompt's KV state on disk under this name (a repository)


@dataclass
class InfillJob:
    request: InfillRequest
    sampling: SamplingSettings
    single_line: bool = False
    language: str = ""  # for the instruction fill's code fence, when the model has no infill tokens
    context_tokens: int = 4096  # code around the cursor (Settings.infill_context)
    job_id: int = field(default_factory=lambda: next(_job_ids))
    cancel: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True)
class _PromptRead:
    """Reported after each batch of the prompt is evaluated."""

    done: int
    total: int


@dataclass(frozen=True)
class _Finished:
    """Reported by a generation job once the answer is complete, before its slower epilogue."""

    stats: GenerationStats


class _EngineSlot:
    """The loaded model and its engine. Owned by the inference thread: only its jobs read or replace it."""

    def __init__(self) -> None:
        self.current: LoadedModel | None = None
        self.remote: RemoteEngine | None = None  # a server's model used instead of a local one

    @property
    def engine(self) -> LocalEngine | RemoteEngine | None:
        if self.remote is not None:
            return self.remote
        return self.current.engine if self.current is not None else None

    def close(self) -> None:
        self.close_remote()
        if self.current is not None:
            self.current.engine.close()
            self.current = None

    def close_remote(self) -> None:
        if self.remote is not None:
            self.remote.close()
            self.remote = None


class InferenceService(QObject):
    """GUI-side handle on the inference thread: methods return at once; results arrive on the signals."""

    loading = Signal(str)
    loaded = Signal(object)  # EngineInfo
    load_failed = Signal(object)  # UserError
    text = Signal(int, str)  # job id, new text
    finished = Signal(int, object)  # job id, GenerationStats
    failed = Signal(int, object)  # job id, UserError
    counted = Signal(int, int, int)  # request id, prompt tokens, context size
    unloaded = Signal()  # the model was unloaded on request (unload()); `info` is None
    prompt_progress = Signal(int, int, int)  # job id, evaluated tokens, prompt tokens

    def __init__(self, ctx: AppContext, worker: Worker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx  # read on the inference thread: its settings and manifest are immutable snapshots
        self._worker = worker  # from the composition root (app.services): the one thread that owns the model
        self._slot = _EngineSlot()
        self.info: EngineInfo | None = None  # a frozen snapshot of the loaded model, set on the GUI thread
        self._active: ChatJob | InfillJob | None = None
        self._stopping = threading.Event()  # set at shutdown: jobs still queued return at once
        self.runner = InferenceRunner(self)  # this thread as a ModelRunner, for the local server

    # Loading -----------------------------------------------------------------------------------
    def load(self, spec: str = "") -> None:
        """Load `spec` (default: the configured model) in place of the loaded one.

        A model that fails its checks never touches the loaded one; one that fails inside llama.cpp
        has the previous model loaded back (engine_switch). `load_failed` then carries a
        ModelSwitchError saying what is still in use, and `info` already tells it; when the previous
        model was loaded back, `loaded` follows with its new info.
        """
        ctx, slot, stopping = self._ctx, self._slot, self._stopping

        def work(report: Report) -> EngineInfo | None:
            if stopping.is_set():  # asked for just before quitting: loading gigabytes now helps no one
                return None
            slot.close_remote()  # a local model replaces a remote engine (reconnecting is cheap)
            try:
                slot.current = switch_model(slot.current, lambda: ctx.resolve(spec or None), ctx.load_engine,
                                            ctx.load_options, report)
            except ModelSwitchError as exc:
                slot.current = exc.current
                raise
            return slot.current.engine.info

        self._worker.submit(work, self._on_loaded, self._on_load_failed, self._on_loading,
                            failure=translate("Worker", "Could not load the model"))

    def _on_loading(self, name: str) -> None:
        # The checks passed and the old engine is being closed: from now on nothing is loaded.
        self.info = None
        self.loading.emit(name)

    def _on_loaded(self, info: EngineInfo | None) -> None:
        if info is None:
            return
        self.info = info  # set before anyone connected to `loaded` hears of it
        self.loaded.emit(info)

    def _on_load_failed(self, error: UserError) -> None:
        kept = error.kept if isinstance(error, ModelSwitchError) else Kept.NOTHING
        if kept is Kept.NOTHING:
            self.info = None
        elif isinstance(error, ModelSwitchError):
            self.info = error.info  # the model in use, told before anyone hears of the failure
        self.load_failed.emit(error)
        if kept is Kept.RELOADED and self.info is not None:
            self.loaded.emit(self.info)  # a new engine of the previous model: panes recount against it

    def load_remote(self, config: RemoteConfig) -> None:
        """Use a server's model (app.core.remote) in place of the loaded one.

        The server is probed first, on this thread: one that cannot be used leaves the loaded model
        in use, and `load_failed` carries the RemoteError while `info` stays as it was.
        """
        slot, stopping = self._slot, self._stopping

        def work(report: Report) -> EngineInfo | None:
            if stopping.is_set():
                return None
            engine = RemoteEngine(config)
            report(engine.info.model_name)  # from here on the loaded model is given up
            slot.close()  # a local model's memory is freed: that is what a remote engine is for
            slot.remote = engine
            return engine.info

        self._worker.submit(work, self._on_loaded, self.load_failed.emit, self._on_loading,
                            failure=translate("Worker", "Could not connect to the remote engine"))

    def unload(self) -> None:
        """Free the loaded model (the Models window's Unload); `unloaded` follows once it is freed."""
        self.info = None  # from now on a send is refused at once, not queued for a model going away
        slot = self._slot

        def work(_report: Report) -> None:
            slot.close()

        self._worker.submit(work, self._on_unloaded, None, failure=translate("Worker", "Could not unload the model"))

    def _on_unloaded(self, _result: object) -> None:
        # Jobs run in order: a load queued before the unload finished first and set `info`; the
        # model it loaded is the one just freed.
        self.info = None
        self.unloaded.emit()

    # Generating --------------------------------------------------------------------------------
    def chat(self, messages: list[ChatMessage], sampling: SamplingSettings, *, ignore_eos: bool = False,
             keep_leading: int | None = None, state_scope: str = "") -> ChatJob:
        job = ChatJob(list(messages), sampling, ignore_eos=ignore_eos, keep_leading=keep_leading,
                      state_scope=state_scope)
        self._generate(job, lambda engine: engine.chat(
            job.messages, job.sampling, job.cancel, ignore_eos=job.ignore_eos, keep_leading=job.keep_leading,
            state_scope=job.state_scope))
        return job

    def infill(self, request: InfillRequest, sampling: SamplingSettings, *, single_line: bool = False,
               language: str = "", context_tokens: int = 4096) -> InfillJob:
        job = InfillJob(request, sampling, single_line=single_line, language=language, context_tokens=context_tokens)

        self._generate(job, lambda engine: start_fill(  # infill or instruction fill: decided in core
            engine, job.request, job.sampling, job.cancel, single_line=job.single_line, language=job.language,
            context_tokens=job.context_tokens))
        return job

    def _generate(self, job: ChatJob | InfillJob, start: Callable[[LocalEngine | RemoteEngine], Generation]) -> None:
        self._active = job
        slot, job_id, stopping = self._slot, job.job_id, self._stopping

        def work(report: Report) -> None:
            """Stream a generation in batches; every outcome ends in `finished` or `failed`."""
            if slot.engine is None:
                raise ModelNotLoadedError()
            if job.cancel.is_set() or stopping.is_set():  # stopped before it started: nothing generated, nothing failed
                report(_Finished(GenerationStats(stop_reason="cancelled")))
                return
            generation = start(slot.engine)
            generation.on_prompt = lambda done, total: report(_PromptRead(done, total))
            pending: list[str] = []
            last = time.perf_counter()
            for piece in generation:
                pending.append(piece)
                now = time.perf_counter()
                if now - last >= EMIT_INTERVAL_S:
                    report("".join(pending))
                    pending.clear()
                    last = now
            if pending:
                report("".join(pending))
            report(_Finished(generation.stats))
            try:
                generation.after_answer()  # e.g. saving the prompt state: the answer is already shown
            except Exception:  # the answer stands; only the reuse of its prompt next time is lost
                log.exception("after the answer")

        def progress(value: object) -> None:
            if isinstance(value, _Finished):
                self.finished.emit(job_id, value.stats)
            elif isinstance(value, _PromptRead):
                self.prompt_progress.emit(job_id, value.done, value.total)
            else:
                self.text.emit(job_id, value)

        self._worker.submit(work, None, lambda exc: self.failed.emit(job_id, exc), progress,
                            failure=translate("Worker", "Generation failed"))

    def count(self, messages: list[ChatMessage]) -> int:
        """Ask for the prompt size of `messages`; the answer carries the returned request id."""
        request_id = next(_job_ids)
        snapshot, slot = list(messages), self._slot

        def work(_report: Report) -> tuple[int, int] | None:
            if slot.engine is None or not snapshot:
                return None
            try:
                return slot.engine.prompt_tokens(snapshot), slot.engine.info.n_ctx
            except UserError:
                return None  # an unfinished conversation (no user turn yet) has nothing to count

        def done(result: tuple[int, int] | None) -> None:
            if result is not None:
                self.counted.emit(request_id, *result)

        # A chat template that raises is logged by the worker and told to nobody: a meter is not worth a banner.
        self._worker.submit(work, done, lambda exc: log.warning("token count failed: %s", exc.message))
        return request_id

    # Work from other threads (the local server) --------------------------------------------------
    def submit_work(self, work: EngineWork[T]) -> Future[T]:
        """Queue `work(engine)` behind the jobs before it; any thread may call this (see InferenceRunner)."""
        future: Future[T] = Future()
        slot, stopping = self._slot, self._stopping

        def job(_report: Report) -> None:
            if stopping.is_set():  # the app is quitting: a queued server request gets no answer, not a hang
                future.cancel()
            run_into(future, work, slot.engine)  # settles the future whatever happens; never raises

        # Worker.submit only puts on a thread-safe queue: the server's threads may call it.
        self._worker.submit(job, failure=translate("Worker", "Server request failed"))
        return future

    # Stopping ----------------------------------------------------------------------------------
    def begin_shutdown(self) -> None:
        """From now on queued jobs return at once (called as the window closes, before answers are stopped)."""
        self._stopping.set()

    def shutdown(self, timeout_ms: int = 30000) -> None:
        if not self._worker.running:
            return
        self._stopping.set()  # jobs still queued (a model load, an answer) return at once
        if self._active is not None:
            self._active.cancel.set()  # the abort callback also ends a prompt evaluation
        slot = self._slot
        self._worker.submit(lambda _report: slot.close())
        self._worker.shutdown(timeout_ms)


class InferenceRunner:
    """The GUI's inference thread as an app.core.model_runner.ModelRunner (what the local server runs on).

    Server requests and the panes' jobs share one queue, so they run one after the other on the
    thread that owns the model, and the GUI thread never waits for either.
    """

    def __init__(self, service: InferenceService) -> None:
        self._service = service

    def info(self) -> EngineInfo | None:
        # The GUI thread replaces this reference whole (a frozen snapshot); reading it is safe anywhere.
        # None while a model loads or after an unload, as the panes see it.
        return self._service.info

    def submit(self, work: EngineWork[T]) -> Future[T]:
        return self._service.submit_work(work)
