"""The chat's context meter: asks the inference thread for the size of the branch shown, shows it when it comes.

Answers for a branch no longer shown are ignored (each ask has its own request id); an unloaded
model empties the meter.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Signal

from app.core.prompts.chat import ChatMessage
from app.workers.inference import InferenceService


class ContextMeter(QObject):
    usage = Signal(int, int)  # tokens used, context size (for the status bar)

    def __init__(self, inference: InferenceService, show: Callable[[int, int | None], None],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._inference = inference
        self._show = show  # the meter widget's set_usage
        self._request = 0
        inference.counted.connect(self._on_counted)
        inference.unloaded.connect(lambda: self.set(0, None))

    def n_ctx(self) -> int | None:
        return self._inference.info.n_ctx if self._inference.info is not None else None

    def count(self, messages: list[ChatMessage]) -> None:
        """Ask for the size of `messages` (none, or no model: an empty meter at once)."""
        if messages and self._inference.info is not None:
            self._request = self._inference.count(messages)
        else:
            self._request = 0
            self.set(0, self.n_ctx())

    def set(self, used: int, n_ctx: int | None) -> None:
        self._show(used, n_ctx)
        if n_ctx is not None:
            self.usage.emit(used, n_ctx)

    def _on_counted(self, request_id: int, used: int, n_ctx: int) -> None:
        if request_id == self._request:
            self.set(used, n_ctx)
