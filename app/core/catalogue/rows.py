"""The model list: one immutable row per manifest entry, as every front end shows it.

Listing is slow (it reads the models folder, asks nvidia-smi and llama.cpp about the machine), so
the GUI runs it on a worker thread; the rows are frozen so that handing them across threads is safe.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from app.core import hardware
from app.core.fit import FITS_GPU, FitReport, assess, cpu_only_warning, file_size_estimate
from app.core.i18n import translate
from app.core.manifest import Manifest, ModelEntry
from app.core.models import ModelState, disk_usage, embedded_model_path, model_state
from app.core.speed import SpeedEstimate, SpeedSample, estimate, guess

if TYPE_CHECKING:
    from app.core.catalogue.cards import Card
    from app.core.catalogue.recommend import Recommendation


@dataclass(frozen=True)
class CatalogueRow:
    entry: ModelEntry
    state: ModelState
    on_disk: int  # bytes in the models folder (downloads and partial files)
    size: int | None  # the file's size: the manifest's, else an estimate; None when unknown
    fit: FitReport | None  # None when the size cannot be estimated
    speed: SpeedEstimate | None = None  # generation tokens/s here; None when the size is unknown
    best_quant: bool = False  # the quantization of its model recommended here (among two or more)
    recommended: bool = False  # the model a first run is pointed to (see catalogue.recommend)

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
    cores: int = 1
    threads: int = 1  # generation threads (hardware.thread_plan): what a CPU's speed depends on

    def describe(self) -> str:
        gpu = self.gpu
        if gpu is None:
            where = translate("core", "no GPU found")
        elif gpu.unified:
            where = translate("core", "{gpu} ({gib:.0f} GiB unified)").format(gpu=gpu.name, gib=gpu.vram_bytes / 2**30)
        else:
            where = translate("core", "{gpu} ({gib:.0f} GiB)").format(gpu=gpu.name, gib=gpu.vram_bytes / 2**30)
        cores = self.cores  # a plain name: lupdate reads only a name or a number as the count
        return translate("core", "This machine: {ram:.0f} GiB RAM, %n CPU core(s), {where}; llama.cpp backend: {backend}.",
                         None, cores).format(ram=self.ram_bytes / 2**30, where=where, backend=self.backend)


@dataclass(frozen=True)
class Listing:
    rows: tuple[CatalogueRow, ...]
    machine: Machine
    warning: str | None  # plain words when a GPU is present but this build cannot use it
    cards: tuple[Card, ...] = ()
    recommendation: Recommendation | None = None

    def row(self, model_id: str) -> CatalogueRow | None:
        return next((r for r in self.rows if r.entry.id == model_id), None)

    @property
    def recommended(self) -> CatalogueRow | None:
        return self.recommendation.row if self.recommendation is not None else None

    @property
    def anything_downloaded(self) -> bool:
        """Whether a model besides the embedded one is on this machine."""
        return any(r.state in (ModelState.INSTALLED, ModelState.IMPORTED) for r in self.rows)


def file_name(entry: ModelEntry) -> str:
    """The name of the file a model runs from: the key its measured speed is kept under."""
    if entry.local_path:
        return Path(entry.local_path).name
    if entry.embedded_package:
        path = embedded_model_path(entry)
        return path.name if path is not None else entry.files[0]
    return entry.files[0] if entry.files else entry.id


def _speed(entry: ModelEntry, size: int | None, fit: FitReport | None, samples: list[SpeedSample],
           here: Machine, names: dict[str, str]) -> SpeedEstimate | None:
    if not size:
        return None
    on_gpu = fit is not None and fit.verdict == FITS_GPU
    found = estimate(samples, file_name(entry), size, on_gpu)
    if found is not None:
        # "scaled from SmolLM2 135M" reads better than a file name; a file no entry has keeps its name.
        return replace(found, source=names.get(found.source, found.source))
    return guess(size, on_gpu, unified=bool(here.gpu and here.gpu.unified), threads=here.threads)


def _plain_rows(manifest: Manifest, models_dir: Path, samples: list[SpeedSample],
                here: Machine) -> list[CatalogueRow]:
    names = {file_name(e).removesuffix(".gguf"): f"{e.family.split(' - ')[0]} {e.parameters}"
             for e in manifest.entries}
    rows = []
    for e in manifest.entries:
        size, fit = file_size_estimate(e), assess(e)
        rows.append(CatalogueRow(entry=e, state=model_state(e, models_dir), on_disk=disk_usage(e, models_dir),
                                 size=size, fit=fit, speed=_speed(e, size, fit, samples, here, names)))
    return rows


def machine() -> Machine:
    return Machine(ram_bytes=hardware.total_ram(), gpu=hardware.detect_gpu(), backend=hardware.build_info().backend,
                   cores=hardware.physical_cores(), threads=hardware.thread_plan()[0])


def list_models(manifest: Manifest, models_dir: Path, samples: Iterable[SpeedSample] = ()) -> Listing:
    from app.core.catalogue.recommend import recommend

    here = machine()
    rows, cards, chosen = recommend(_plain_rows(manifest, models_dir, list(samples), here))
    return Listing(rows=rows, machine=here, warning=cpu_only_warning(), cards=cards, recommendation=chosen)
