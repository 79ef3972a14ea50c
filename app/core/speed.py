"""Tokens per second on this machine: measured on the loaded model, scaled by file size for the others.

Generating a token reads every weight once, so on a given machine generation is bound by memory
bandwidth and tokens/s scales about inversely with the model file's size. One measured answer on
any model is therefore enough to estimate the others; the last few answers of each file are kept
and the fastest used, so one answer slowed by other work does not decide. Until anything is
measured the estimate is a guess from the hardware, and says so.

The figures live in a small JSON file in the app's data folder, written whole (atomic_file).
"""

from __future__ import annotations

import json
import logging
import statistics
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Iterable

from app.core.atomic_file import write_atomic
from app.core.engine_types import GenerationStats
from app.core.i18n import translate

log = logging.getLogger(__name__)

SPEED_FILE_NAME = "model-speed.json"
_VERSION = 1
KEEP = 5  # answers kept per file: a median of a few, and newer hardware or builds replace old figures soon
MIN_GENERATED = 8  # fewer tokens time mostly the first token's overhead, not the steady rate
MIN_PROMPT = 32  # prompt evaluation in fewer tokens is mostly fixed cost

# Guesses before anything is measured (bytes read per second while generating). A CPU thread streams
# about 4-5 GB/s of weights (SmolLM2 on one thread of this project's 2-core test machine: 4.5 GB/s);
# a desktop's memory tops out near 40 GB/s however many threads read it. GPUs: conservative figures
# for consumer cards and for Apple's unified memory.
_CPU_THREAD_BPS = 4e9
_CPU_MAX_BPS = 40e9
_GPU_BPS = 200e9
_UNIFIED_BPS = 100e9


class SpeedKind(str, Enum):
    MEASURED = "measured"  # this very file was measured here
    SCALED = "scaled"  # another file measured here, scaled by size
    GUESSED = "guessed"  # nothing measured yet: a guess from the hardware


@dataclass(frozen=True)
class SpeedSample:
    """The figures kept for one model file."""

    file: str  # the file's name: the key, the same on every machine's manifest
    size: int  # bytes
    on_gpu: bool  # the layers ran on a GPU (a figure from there says nothing of CPU speed)
    generation: tuple[float, ...]  # tokens/s of the last few answers, oldest first
    prompt: tuple[float, ...] = ()  # prompt tokens evaluated per second
    updated: float = 0.0  # seconds since the epoch

    @property
    def generation_tps(self) -> float:
        # The best of the last few: an answer is slowed by whatever else the machine was doing (a
        # build, an index), never sped up, so the fastest is the closest to what this machine can do.
        return max(self.generation) if self.generation else 0.0

    @property
    def prompt_tps(self) -> float | None:
        return statistics.median(self.prompt) if self.prompt else None

    @property
    def bytes_per_second(self) -> float:
        """The memory bandwidth this figure implies: what the other models' estimates scale from."""
        return self.generation_tps * self.size


@dataclass(frozen=True)
class SpeedEstimate:
    tokens_per_second: float
    kind: SpeedKind
    source: str = ""  # the measured file a SCALED figure comes from; for GUESSED, what the guess rests on

    def describe(self) -> str:
        """A short line for a card or a table: honest about what was measured."""
        tps = self.tokens_per_second
        figure = f"{tps:.0f}" if tps >= 10 else f"{tps:.1f}"
        if self.kind is SpeedKind.MEASURED:
            return translate("core", "{figure} tokens/s (measured here)").format(figure=figure)
        if self.kind is SpeedKind.SCALED:
            return translate("core", "about {figure} tokens/s (scaled from {source})").format(figure=figure, source=self.source)
        return translate("core", "not measured yet (guess: ~{figure} tokens/s)").format(figure=figure)


@dataclass(frozen=True)
class Measurement:
    """What one finished answer says about its model's speed."""

    file: str
    size: int
    on_gpu: bool
    generation_tps: float
    prompt_tps: float | None


def measure(model_path: str, size: int, on_gpu: bool, stats: GenerationStats) -> Measurement | None:
    """The speed of one answer, or None when it was too short to time fairly."""
    if stats.generated_tokens < MIN_GENERATED or stats.tokens_per_second <= 0 or size <= 0:
        return None
    evaluated = stats.prompt_tokens - stats.reused_tokens
    prompt_tps = (evaluated / stats.first_token_seconds
                  if evaluated >= MIN_PROMPT and stats.first_token_seconds > 0 else None)
    return Measurement(Path(model_path).name, size, on_gpu, stats.tokens_per_second, prompt_tps)


class SpeedBook:
    """The speed file. Read anywhere (it is replaced whole); written by one worker thread only."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, SpeedSample]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return {name: _sample(name, fields) for name, fields in raw.get("models", {}).items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError, AttributeError, KeyError) as exc:
            # A damaged file costs only the figures: they are measured again with the next answers.
            log.warning("ignoring the unreadable speed file %s: %s", self.path, exc)
            return {}

    def add(self, measured: Measurement) -> SpeedSample:
        """Keep `measured` with the last few answers of its file; returns the file's new figures."""
        samples = self.load()
        old = samples.get(measured.file)
        # A different size is another file under the same name (or a re-download): start afresh.
        same = old is not None and old.size == measured.size and old.on_gpu == measured.on_gpu
        generation = (old.generation if same and old else ()) + (round(measured.generation_tps, 2),)
        prompt = old.prompt if same and old else ()
        if measured.prompt_tps is not None:
            prompt += (round(measured.prompt_tps, 1),)
        sample = SpeedSample(measured.file, measured.size, measured.on_gpu, generation[-KEEP:], prompt[-KEEP:],
                             time.time())
        samples[measured.file] = sample
        payload = {"version": _VERSION, "models": {
            s.file: {"size": s.size, "on_gpu": s.on_gpu, "generation": list(s.generation),
                     "prompt": list(s.prompt), "updated": s.updated} for s in samples.values()}}
        write_atomic(self.path, json.dumps(payload, indent=1).encode("utf-8"))
        return sample


def _sample(name: str, fields: dict) -> SpeedSample:
    return SpeedSample(file=name, size=int(fields["size"]), on_gpu=bool(fields.get("on_gpu", False)),
                       generation=tuple(float(v) for v in fields.get("generation", ()) if float(v) > 0),
                       prompt=tuple(float(v) for v in fields.get("prompt", ()) if float(v) > 0),
                       updated=float(fields.get("updated", 0.0)))


def guess(size: int, on_gpu: bool, *, unified: bool = False, threads: int = 1) -> SpeedEstimate:
    """Tokens/s before anything is measured, from the hardware alone (see the figures above)."""
    if on_gpu:
        bandwidth, basis = (_UNIFIED_BPS, "unified memory") if unified else (_GPU_BPS, "a GPU")
    else:
        bandwidth = min(_CPU_MAX_BPS, _CPU_THREAD_BPS * max(1, threads))
        basis = f"{threads} CPU thread{'s' if threads != 1 else ''}"
    return SpeedEstimate(bandwidth / max(size, 1), SpeedKind.GUESSED, basis)


def estimate(samples: Iterable[SpeedSample], file: str, size: int, on_gpu: bool) -> SpeedEstimate | None:
    """Tokens/s of a model file of `size` bytes here, from what was measured; None when nothing applies.

    The file's own figures when it was measured; otherwise the measured file nearest in size (the
    inverse-size rule holds best over short distances), scaled by the ratio of sizes. Figures from
    a GPU are not applied to a model that would run on the CPU, nor the other way round.
    """
    usable = [s for s in samples if s.on_gpu == on_gpu and s.generation and s.size > 0]
    for sample in usable:
        if sample.file == file and abs(sample.size - size) <= 0.01 * size:
            return SpeedEstimate(sample.generation_tps, SpeedKind.MEASURED, sample.file)
    if not usable or size <= 0:
        return None
    nearest = min(usable, key=lambda s: abs((s.size / size) - 1) if s.size >= size else abs((size / s.size) - 1))
    return SpeedEstimate(nearest.bytes_per_second / size, SpeedKind.SCALED, _short(nearest.file))


def _short(file: str) -> str:
    """A file name short enough for a card: without the extension."""
    return file.removesuffix(".gguf")
