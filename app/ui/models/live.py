"""What the Models window follows live per model: a catalogue row (frozen, from the task thread)
plus where its download stands. Only these live fields change between refreshes."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.catalogue import CatalogueRow
from app.core.download import DownloadProgress, DownloadState
from app.core.manifest import ModelEntry
from app.core.models import ModelState

# What is on disk, or, while one runs or after it ended early, where its download stands.
RowState = ModelState | DownloadState

_STATE_WORDS = {ModelState.EMBEDDED: "built in", ModelState.IMPORTED: "imported (on disk)",
                ModelState.INSTALLED: "downloaded", ModelState.PARTIAL: "paused (resumable)",
                ModelState.AVAILABLE: "not downloaded", ModelState.MISSING: "file missing"}


@dataclass
class ModelRow:
    item: CatalogueRow
    state: RowState = field(init=False)
    progress: DownloadProgress | None = None
    error: str = ""

    def __post_init__(self) -> None:
        self.state = self.item.state

    @property
    def entry(self) -> ModelEntry:
        return self.item.entry

    @property
    def size(self) -> int | None:
        return self.item.size

    @property
    def on_disk(self) -> int:
        return self.item.on_disk

    @property
    def fit(self) -> str:
        return self.item.verdict

    @property
    def fit_short(self) -> str:
        """The verdict and the memory it needs, short enough for a card (the detail is its tooltip)."""
        fit = self.item.fit
        return f"{fit.verdict} · needs about {fit.needed_bytes / 2**30:.1f} GiB" if fit else "? (size unknown)"

    @property
    def fit_detail(self) -> str:
        return self.item.fit.detail if self.item.fit else "its size is unknown until it is checked on the hub"

    @property
    def speed_text(self) -> str:
        return self.item.speed.describe() if self.item.speed is not None else "speed unknown (size unknown)"

    @property
    def fraction(self) -> float | None:
        """How far a download is, while one runs or is paused; None otherwise."""
        shows = isinstance(self.state, DownloadState) and (self.state.transferring or self.state is DownloadState.PAUSED)
        return self.progress.fraction if shows and self.progress is not None else None

    def state_text(self) -> str:
        p = self.progress
        if self.state in (DownloadState.DOWNLOADING, DownloadState.RETRYING) and p is not None and p.total:
            eta = p.eta_seconds
            eta_text = f", {int(eta // 60)}:{int(eta % 60):02d} left" if eta is not None else ""
            text = f"{p.fraction * 100:.0f}% · {p.speed / 1e6:.1f} MB/s{eta_text}"
            return text + (" (retrying)" if self.state is DownloadState.RETRYING else "")
        if self.state is DownloadState.FAILED:
            return f"failed: {self.error}"
        if self.state is DownloadState.PAUSED and p is not None and p.total:
            return f"paused at {p.fraction * 100:.0f}%"
        if isinstance(self.state, ModelState):
            return _STATE_WORDS[self.state]
        return self.state.value


def size_text(n: int | None, exact: bool) -> str:
    if not n:
        return "size ?"
    return ("" if exact else "~") + (f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB")
