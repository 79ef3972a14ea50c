"""Records how fast the loaded model answers, for the Models window's speed estimates.

Every finished answer of the inference thread is timed (app.core.speed.measure) and kept in the
speed file; the file is written on a background worker, never on the GUI thread. Built once by
the main window, so answers count whether or not the Models window is open.
"""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import QObject, Signal

from app.core.engine import EngineInfo, GenerationStats
from app.core.remote import is_remote
from app.core.speed import SpeedBook, SpeedSample, measure
from app.workers.inference import InferenceService
from app.workers.worker import Report, Worker

log = logging.getLogger(__name__)


def _on_gpu(info: EngineInfo) -> bool:
    return info.gpu_layers != 0 and info.backend.upper() != "CPU"


class SpeedRecorder(QObject):
    recorded = Signal(object)  # SpeedSample: the file's figures after this answer

    def __init__(self, inference: InferenceService, worker: Worker, book: SpeedBook,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._inference = inference
        self._worker = worker  # a files/store worker from the composition root: the disk is touched there
        self._book = book
        inference.finished.connect(self._on_finished)

    def _on_finished(self, _job_id: int, stats: GenerationStats) -> None:
        info = self._inference.info  # the model that answered: set on this (GUI) thread at load
        if info is None or stats.generated_tokens <= 0 or is_remote(info):
            return  # a server's speed says nothing about a model file here
        book, path, on_gpu = self._book, info.model_path, _on_gpu(info)

        def work(_report: Report) -> SpeedSample | None:
            measured = measure(path, os.path.getsize(path), on_gpu, stats)
            return book.add(measured) if measured is not None else None

        self._worker.submit(work, self._done, lambda error: log.warning("speed not recorded: %s", error),
                            failure="Could not record the model's speed")

    def _done(self, sample: SpeedSample | None) -> None:
        if sample is not None:
            self.recorded.emit(sample)
