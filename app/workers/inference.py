"""The one thread that owns the model.

The GUI sends jobs through queued signals (the thread's event loop is the job queue) and never
waits: results come back as signals. Cancelling sets a threading.Event that the engine checks
between tokens, so it works while the worker is busy. Streamed text is batched so the GUI gets
a signal every ~25 ms, not one per token.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.context import AppContext
from app.core.engine import EngineInfo, Generation, GenerationStats, LocalEngine
from app.core.errors import UserError
from app.core.infill.prompt import InfillRequest
from app.core.prompts.chat import ChatMessage
from app.core.settings import SamplingSettings

log = logging.getLogger(__name__)

EMIT_INTERVAL_S = 0.025
_job_ids = itertools.count(1)


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


class _InferenceWorker(QObject):
    loading = Signal(str)
    loaded = Signal(object)  # EngineInfo
    load_failed = Signal(str)
    text = Signal(int, str)  # job id, new text
    finished = Signal(int, object)  # job id, GenerationStats
    failed = Signal(int, str)  # job id, message
    counted = Signal(int, int, int)  # request id, prompt tokens, context size

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self._engine: LocalEngine | None = None

    @Slot(str)
    def load(self, spec: str) -> None:
        self._unload()
        try:
            model = self._ctx.resolve(spec or None)
            self.loading.emit(model.display_name)
            self._engine = self._ctx.load_engine(model)
            self.loaded.emit(self._engine.info)
        except UserError as exc:
            self.load_failed.emit(exc.message)
        except Exception as exc:  # a model that crashes the loader must not kill the thread
            log.exception("model load failed")
            self.load_failed.emit(f"Could not load the model: {exc}")

    @Slot(object)
    def chat(self, job: ChatJob) -> None:
        self._run(job, lambda engine: engine.chat(
            job.messages, job.sampling, job.cancel, ignore_eos=job.ignore_eos, keep_leading=job.keep_leading,
            state_scope=job.state_scope))

    @Slot(object)
    def infill(self, job: InfillJob) -> None:
        def start(engine: LocalEngine) -> Generation:
            if engine.infill is None:  # the pane labels this as an instruction fill
                return engine.instruction_fill(job.request.prefix, job.request.suffix, job.language, job.sampling,
                                               job.cancel, single_line=job.single_line,
                                               context_tokens=job.context_tokens)
            return engine.infill_text(job.request, job.sampling, job.cancel, single_line=job.single_line,
                                      context_tokens=job.context_tokens)

        self._run(job, start)

    def _run(self, job: ChatJob | InfillJob, start: Callable[[LocalEngine], Generation]) -> None:
        """Stream a generation to the GUI in batches; every outcome ends in finished or failed."""
        job_id = job.job_id
        if self._engine is None:
            self.failed.emit(job_id, "No model is loaded yet.")
            return
        if job.cancel.is_set():  # stopped before it started: nothing generated, nothing failed
            self.finished.emit(job_id, GenerationStats(stop_reason="cancelled"))
            return
        try:
            generation = start(self._engine)
            pending: list[str] = []
            last = time.perf_counter()
            for piece in generation:
                pending.append(piece)
                now = time.perf_counter()
                if now - last >= EMIT_INTERVAL_S:
                    self.text.emit(job_id, "".join(pending))
                    pending.clear()
                    last = now
            if pending:
                self.text.emit(job_id, "".join(pending))
            self.finished.emit(job_id, generation.stats)
            generation.after_answer()  # e.g. saving the prompt state: the answer is already shown
        except UserError as exc:
            self.failed.emit(job_id, exc.message)
        except Exception as exc:
            log.exception("generation failed")
            self.failed.emit(job_id, f"Generation failed: {exc}")

    @Slot(int, object)
    def count(self, request_id: int, messages: list[ChatMessage]) -> None:
        if self._engine is None or not messages:
            return
        try:
            self.counted.emit(request_id, self._engine.prompt_tokens(messages), self._engine.info.n_ctx)
        except UserError:
            pass  # an unfinished conversation (no user turn yet) has nothing to count
        except Exception:  # e.g. a chat template that raises: never let it escape this thread
            log.exception("token count failed")

    @Slot()
    def unload(self) -> None:
        self._unload()

    def _unload(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None


class InferenceService(QObject):
    """GUI-side handle: methods return at once; results arrive on the signals.

    The worker's signals are re-emitted from this object, which lives on the GUI thread, so any
    slot or lambda connected here runs on the GUI thread (a lambda connected straight to the
    worker's signal would run on the worker thread).
    """

    loading = Signal(str)
    loaded = Signal(object)  # EngineInfo
    load_failed = Signal(str)
    text = Signal(int, str)
    finished = Signal(int, object)
    failed = Signal(int, str)
    counted = Signal(int, int, int)  # request id, prompt tokens, context size

    _load = Signal(str)
    _chat = Signal(object)
    _infill = Signal(object)
    _count = Signal(int, object)
    _unload = Signal()

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self._thread.setObjectName("inference")
        self.worker = _InferenceWorker(ctx)
        self.worker.moveToThread(self._thread)
        self._load.connect(self.worker.load)
        self._chat.connect(self.worker.chat)
        self._infill.connect(self.worker.infill)
        self._count.connect(self.worker.count)
        self._unload.connect(self.worker.unload)
        self.info: EngineInfo | None = None
        self._active: ChatJob | InfillJob | None = None
        w = self.worker
        # Signal-to-signal connections are queued to this object's (the GUI) thread.
        for name in ("loading", "load_failed", "text", "finished", "failed", "counted"):
            getattr(w, name).connect(getattr(self, name))
        w.loaded.connect(self._on_loaded)
        self._thread.start()

    @Slot(object)
    def _on_loaded(self, info: EngineInfo) -> None:
        self.info = info  # set before anyone connected to `loaded` hears of it
        self.loaded.emit(info)

    def load(self, spec: str = "") -> None:
        self.info = None
        self._load.emit(spec)

    def chat(self, messages: list[ChatMessage], sampling: SamplingSettings, *, ignore_eos: bool = False,
             keep_leading: int | None = None, state_scope: str = "") -> ChatJob:
        job = ChatJob(list(messages), sampling, ignore_eos=ignore_eos, keep_leading=keep_leading,
                      state_scope=state_scope)
        self._active = job
        self._chat.emit(job)
        return job

    def infill(self, request: InfillRequest, sampling: SamplingSettings, *, single_line: bool = False,
               language: str = "", context_tokens: int = 4096) -> InfillJob:
        job = InfillJob(request, sampling, single_line=single_line, language=language, context_tokens=context_tokens)
        self._active = job
        self._infill.emit(job)
        return job

    def count(self, messages: list[ChatMessage]) -> int:
        """Ask for the prompt size of `messages`; the answer carries the returned request id."""
        request_id = next(_job_ids)
        self._count.emit(request_id, list(messages))
        return request_id

    def shutdown(self, timeout_ms: int = 30000) -> None:
        if not self._thread.isRunning():
            return
        if self._active is not None:
            self._active.cancel.set()  # the abort callback also ends a prompt evaluation
        self._unload.emit()
        self._thread.quit()
        if not self._thread.wait(timeout_ms):
            # Destroying a running QThread aborts the process; ending it is the lesser evil at exit.
            log.error("the inference thread did not stop in time; terminating it")
            self._thread.terminate()
            self._thread.wait(2000)
