"""What the Models window follows live per model: a catalogue row (frozen, from the task thread)
plus where its download stands. Only these live fields change between refreshes."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication

from app.core.catalogue import CatalogueRow
from app.core.download import DownloadProgress, DownloadState
from app.core.manifest import ModelEntry
from app.core.models import ModelState
from app.ui.i18n import resolve

translate = QCoreApplication.translate  # the spelling lupdate finds

# What is on disk, or, while one runs or after it ended early, where its download stands.
RowState = ModelState | DownloadState


def _state_words() -> dict[ModelState, str]:
    """Made when shown, not at import: the translators are installed after the modules are imported."""
    return {ModelState.EMBEDDED: translate("ModelRow", "built in"),
            ModelState.IMPORTED: translate("ModelRow", "imported (on disk)"),
            ModelState.INSTALLED: translate("ModelRow", "downloaded"),
            ModelState.PARTIAL: translate("ModelRow", "paused (resumable)"),
            ModelState.AVAILABLE: translate("ModelRow", "not downloaded"),
            ModelState.MISSING: translate("ModelRow", "file missing")}


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
        if not fit:
            return translate("ModelRow", "? (size unknown)")
        return translate("ModelRow", "{verdict} · needs about {size} GiB").format(
            verdict=resolve(fit.verdict), size=f"{fit.needed_bytes / 2**30:.1f}")

    @property
    def fit_detail(self) -> str:
        if self.item.fit:
            return resolve(self.item.fit.detail)
        return translate("ModelRow", "its size is unknown until it is checked on the hub")

    @property
    def speed_text(self) -> str:
        if self.item.speed is not None:
            return resolve(self.item.speed.describe())
        return translate("ModelRow", "speed unknown (size unknown)")

    @property
    def fraction(self) -> float | None:
        """How far a download is, while one runs or is paused; None otherwise."""
        shows = isinstance(self.state, DownloadState) and (self.state.transferring or self.state is DownloadState.PAUSED)
        return self.progress.fraction if shows and self.progress is not None else None

    def state_text(self) -> str:
        p = self.progress
        if self.state in (DownloadState.DOWNLOADING, DownloadState.RETRYING) and p is not None and p.total:
            eta = p.eta_seconds
            figures = {"percent": f"{p.fraction * 100:.0f}", "speed": f"{p.speed / 1e6:.1f}"}
            if eta is not None:
                figures["left"] = f"{int(eta // 60)}:{int(eta % 60):02d}"
            retrying = self.state is DownloadState.RETRYING
            if eta is not None:
                text = (translate("ModelRow", "{percent}% · {speed} MB/s, {left} left (retrying)") if retrying
                        else translate("ModelRow", "{percent}% · {speed} MB/s, {left} left"))
            else:
                text = (translate("ModelRow", "{percent}% · {speed} MB/s (retrying)") if retrying
                        else translate("ModelRow", "{percent}% · {speed} MB/s"))
            return text.format(**figures)
        if self.state is DownloadState.FAILED:
            return translate("ModelRow", "failed: {error}").format(error=resolve(self.error))
        if self.state is DownloadState.PAUSED and p is not None and p.total:
            return translate("ModelRow", "paused at {percent}%").format(percent=f"{p.fraction * 100:.0f}")
        if isinstance(self.state, ModelState):
            return _state_words()[self.state]
        return resolve(getattr(self.state, "words", self.state.value))


def size_text(n: int | None, exact: bool) -> str:
    if not n:
        return translate("ModelRow", "size ?")
    return ("" if exact else "~") + (f"{n / 1e9:.1f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB")
