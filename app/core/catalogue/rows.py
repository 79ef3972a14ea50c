"""The model list: one immutable row per manifest entry, as every front end shows it.

Listing is slow (it reads the models folder, asks nvidia-smi and llama.cpp about the machine), so
the GUI runs it on a worker thread; the rows are frozen so that handing them across threads is safe.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from app.core import hardware
from app.core.fit import FitReport, assess, best_quantization, cpu_only_warning, file_size_estimate
from app.core.manifest import Manifest, ModelEntry
from app.core.models import ModelState, disk_usage, model_state

# What a first run is pointed to: a chat and infill model that fits most machines and downloads in minutes.
RECOMMENDED_CHAT = "codellama-7b-instruct-q4_k_m"


@dataclass(frozen=True)
class CatalogueRow:
    entry: ModelEntry
    state: ModelState
    on_disk: int  # bytes in the models folder (downloads and partial files)
    size: int | None  # the file's size: the manifest's, else an estimate; None when unknown
    fit: FitReport | None  # None when the size cannot be estimated
    best_quant: bool = False  # the best quantization of its model for this machine (among two or more)
    recommended: bool = False  # the model a first run is pointed to

    @property
    def size_exact(self) -> bool:
        return bool(self.entry.size)

    @property
    def verdict(self) -> str:
        """The fit verdict (fit.FITS_GPU, FITS_RAM, TOO_BIG), "?" when unknown."""
        return self.fit.verdict if self.fit else "?"


@dataclass(frozen=True)
class Machine:
    ram_bytes: int
    gpu: hardware.GpuInfo | None
    backend: str  # of the llama.cpp build: CPU, CUDA, Metal, ...

    def describe(self) -> str:
        gpu = self.gpu
        where = (f"{gpu.name} ({gpu.vram_bytes / 2**30:.0f} GiB{' unified' if gpu.unified else ''})" if gpu
                 else "no GPU found")
        return f"This machine: {self.ram_bytes / 2**30:.0f} GiB RAM, {where}; llama.cpp backend: {self.backend}."


@dataclass(frozen=True)
class Listing:
    rows: tuple[CatalogueRow, ...]
    machine: Machine
    warning: str | None  # plain words when a GPU is present but this build cannot use it

    def row(self, model_id: str) -> CatalogueRow | None:
        return next((r for r in self.rows if r.entry.id == model_id), None)

    @property
    def recommended(self) -> CatalogueRow | None:
        return next((r for r in self.rows if r.recommended), None)

    @property
    def anything_downloaded(self) -> bool:
        """Whether a model besides the embedded one is on this machine."""
        return any(r.state in (ModelState.INSTALLED, ModelState.IMPORTED) for r in self.rows)


def _mark_best(rows: list[CatalogueRow]) -> list[CatalogueRow]:
    """Rows with the best quantization of each model marked, where a model comes in two or more."""
    groups: dict[tuple[str, str], list[CatalogueRow]] = {}
    for row in rows:
        if row.entry.quantization:
            groups.setdefault((row.entry.family, row.entry.parameters), []).append(row)
    best_ids = set()
    for same in groups.values():
        best = best_quantization([(r.entry, r.fit) for r in same]) if len(same) > 1 else None
        if best is not None:
            best_ids.add(best.id)
    return [replace(r, best_quant=True) if r.entry.id in best_ids else r for r in rows]


def list_rows(manifest: Manifest, models_dir: Path) -> tuple[CatalogueRow, ...]:
    rows = [CatalogueRow(entry=e, state=model_state(e, models_dir), on_disk=disk_usage(e, models_dir),
                         size=file_size_estimate(e), fit=assess(e), recommended=e.id == RECOMMENDED_CHAT)
            for e in manifest.entries]
    return tuple(_mark_best(rows))


def machine() -> Machine:
    return Machine(ram_bytes=hardware.total_ram(), gpu=hardware.detect_gpu(), backend=hardware.build_info().backend)


def list_models(manifest: Manifest, models_dir: Path) -> Listing:
    return Listing(rows=list_rows(manifest, models_dir), machine=machine(), warning=cpu_only_warning())
