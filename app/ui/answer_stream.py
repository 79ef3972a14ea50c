"""One answer being generated, as both the chat and the repository panes show it.

Holds the job, collects the streamed text, and repaints at most every 40 ms (not per token);
signals when the answer ends, is stopped, or fails. Results of other jobs are ignored.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from app.core.engine import GenerationStats
from app.core.errors import UserError
from app.core.store import MessageState
from app.workers.inference import ChatJob, InferenceService, InfillJob

RENDER_INTERVAL_MS = 40


class AnswerStream(QObject):
    render = Signal(str)  # all the text so far, coalesced
    ended = Signal(object, object)  # MessageState.COMPLETE or .STOPPED, GenerationStats
    failed = Signal(object)  # the UserError, as raised on the inference thread
    progress = Signal(int, int)  # this stream's prompt: evaluated tokens, prompt tokens

    def __init__(self, inference: InferenceService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.job: ChatJob | InfillJob | None = None
        self.text = ""
        self._dirty = False
        self._timer = QTimer(self, interval=RENDER_INTERVAL_MS, timeout=self._tick)
        inference.text.connect(self._on_text)
        inference.finished.connect(self._on_finished)
        inference.failed.connect(self._on_failed)
        inference.prompt_progress.connect(self._on_progress)

    @property
    def active(self) -> bool:
        return self.job is not None

    def start(self, job: ChatJob | InfillJob) -> None:
        self.job, self.text, self._dirty = job, "", False
        self._timer.start()

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel.set()

    def detach(self) -> str:
        """Forget the job now (the window is closing); returns the text so far."""
        self.stop()
        self._end()
        return self.text

    def _mine(self, job_id: int) -> bool:
        return self.job is not None and job_id == self.job.job_id

    def _on_text(self, job_id: int, text: str) -> None:
        if self._mine(job_id):
            self.text += text
            self._dirty = True

    def _on_progress(self, job_id: int, done: int, total: int) -> None:
        if self._mine(job_id):
            self.progress.emit(done, total)

    def _tick(self) -> None:
        if self._dirty:
            self._dirty = False
            self.render.emit(self.text)

    def _end(self) -> None:
        self._timer.stop()
        self.job = None
        self._dirty = False

    def _on_finished(self, job_id: int, stats: GenerationStats) -> None:
        if self._mine(job_id):
            self._end()
            state = MessageState.STOPPED if stats.stop_reason == "cancelled" else MessageState.COMPLETE
            self.ended.emit(state, stats)

    def _on_failed(self, job_id: int, error: UserError) -> None:
        if self._mine(job_id):
            self._end()
            self.failed.emit(error)
