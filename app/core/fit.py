"""Will a model fit this machine? Memory estimates per model and context, and recommendations.

Before a file is downloaded its header is usually unknown, so the KV cache is estimated from the
model's published shape (layers and key/value width) where the family is known, and from the
file size otherwise. Once the header is known (a remote Range read or the local file), the exact
shape from it is used instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core import hardware
from app.core.gguf_info import GGUFInfo
from app.core.i18n import translate
from app.core.manifest import ModelEntry

# (layers, key+value width per token per layer) of published models, for estimates before download.
_SHAPES: dict[tuple[str, str], tuple[int, int]] = {
    ("Code Llama", "7B"): (32, 2 * 4096), ("Code Llama", "13B"): (40, 2 * 5120),
    ("Code Llama", "34B"): (48, 2 * 1024), ("Code Llama", "70B"): (80, 2 * 1024),
    ("Qwen2.5-Coder", "0.5B"): (24, 2 * 128), ("Qwen2.5-Coder", "1.5B"): (28, 2 * 256),
    ("Qwen2.5-Coder", "3B"): (36, 2 * 256), ("Qwen2.5-Coder", "7B"): (28, 2 * 512),
    ("Qwen2.5-Coder", "14B"): (48, 2 * 1024), ("Qwen2.5-Coder", "32B"): (64, 2 * 1024),
    ("SmolLM2", "135M"): (30, 2 * 192),
}
_QUANT_BITS = {"Q2_K": 3.0, "Q3_K_M": 3.9, "Q4_0": 4.5, "Q4_1": 5.0, "Q4_K_M": 4.85, "Q5_K_M": 5.7,
               "Q6_K": 6.6, "Q8_0": 8.5, "F16": 16.0}
_PARAMS = {"135M": 0.135e9, "0.5B": 0.5e9, "1.5B": 1.5e9, "3B": 3e9, "7B": 6.7e9, "13B": 13e9, "14B": 14.7e9,
           "15B": 16e9, "16B": 15.7e9, "32B": 32.8e9, "34B": 33.7e9, "70B": 69e9}

# The verdicts are compared as values and shown as words (translatable: the GUI resolves them).
FITS_GPU = translate("core", "fits on GPU")
FITS_RAM = translate("core", "fits in RAM")
TOO_BIG = translate("core", "too big")


@dataclass(frozen=True)
class FitReport:
    verdict: str  # FITS_GPU, FITS_RAM or TOO_BIG
    needed_bytes: int
    n_ctx: int
    detail: str


def _family_key(entry: ModelEntry) -> str:
    for key in ("Code Llama", "Qwen2.5-Coder", "SmolLM2"):
        if entry.family.startswith(key):
            return key
    return entry.family


def quant_bits(quantization: str) -> float:
    """Bits per weight of a quantization (more is closer to the original model); 0 when unknown."""
    return _QUANT_BITS.get(quantization.upper(), 0.0)


def parameter_count(parameters: str) -> float:
    """"7B" -> 6.7e9 (the published count where known), "1.5B" -> 1.5e9, "135M" -> 1.35e8; 0 when unreadable."""
    if parameters in _PARAMS:
        return _PARAMS[parameters]
    text = parameters.strip().upper()
    scale = {"B": 1e9, "M": 1e6}.get(text[-1:], 0.0)
    try:
        return float(text[:-1]) * scale
    except ValueError:
        return 0.0


def file_size_estimate(entry: ModelEntry) -> int | None:
    """The manifest's size, else parameters x bits per weight of the quantization."""
    if entry.size:
        return entry.size
    params, bits = _PARAMS.get(entry.parameters), _QUANT_BITS.get(entry.quantization.upper())
    return int(params * bits / 8) if params and bits else None


def kv_bytes(entry: ModelEntry, n_ctx: int, info: GGUFInfo | None = None) -> int:
    if info is not None:
        return hardware.kv_cache_bytes(info, n_ctx)
    shape = _SHAPES.get((_family_key(entry), entry.parameters))
    if shape is None:
        size = file_size_estimate(entry) or 0
        return int(size * 0.02 * n_ctx / 4096)  # about 2% of the weights per 4k tokens, typical of GQA models
    layers, width = shape
    return layers * width * n_ctx * 2  # f16


def estimate(entry: ModelEntry, n_ctx: int, info: GGUFInfo | None = None) -> int | None:
    size = file_size_estimate(entry)
    if size is None:
        return None
    return size + kv_bytes(entry, n_ctx, info) + hardware.OVERHEAD_BYTES


DEFAULT_FIT_CONTEXT = 4096  # what a chat needs; longer contexts are reported as the most that fits


def _verdict(needed: int) -> str:
    gpu = hardware.detect_gpu()
    # Metal lets the GPU use about 70% of unified memory; a discrete card nearly all of its own.
    share = 0.7 if gpu is not None and gpu.unified else 0.9
    if gpu is not None and hardware.build_info().gpu_offload and needed <= gpu.vram_bytes * share:
        return FITS_GPU
    return FITS_RAM if needed <= hardware.total_ram() * 0.8 else TOO_BIG


def assess(entry: ModelEntry, n_ctx: int | None = None, info: GGUFInfo | None = None) -> FitReport | None:
    """Where `entry` would run on this machine at `n_ctx` tokens (default 4096, or less if trained for less),
    and the longest context that keeps the same verdict."""
    n_ctx = n_ctx or min(entry.context_length, DEFAULT_FIT_CONTEXT)
    needed = estimate(entry, n_ctx, info)
    if needed is None:
        return None
    verdict = _verdict(needed)
    detail = translate("core", "about {gib:.1f} GiB at {n_ctx:,} tokens of context").format(
        gib=needed / 2**30, n_ctx=n_ctx)
    if verdict != TOO_BIG:
        longest = n_ctx
        while longest * 2 <= entry.context_length and _verdict(estimate(entry, longest * 2, info) or 0) == verdict:
            longest *= 2
        if longest > n_ctx:
            detail = translate("core", "about {gib:.1f} GiB at {n_ctx:,} tokens of context; up to {longest:,} tokens fit"
                               ).format(gib=needed / 2**30, n_ctx=n_ctx, longest=longest)
    return FitReport(verdict, needed, n_ctx, detail)


def recommend_context(entry: ModelEntry, budget: int, info: GGUFInfo | None = None) -> int | None:
    """The largest power-of-two context (>= 2048, <= trained) whose estimate fits `budget` bytes."""
    n_ctx = 1 << (max(entry.context_length, 2048).bit_length() - 1)
    while n_ctx >= 2048:
        needed = estimate(entry, n_ctx, info)
        if needed is not None and needed <= budget:
            return n_ctx
        n_ctx //= 2
    return None


def cpu_only_warning() -> str | None:
    """Plain words when a GPU is present but this llama.cpp build cannot use it."""
    gpu = hardware.detect_gpu()
    if gpu is None or hardware.build_info().gpu_offload:
        return None
    how = "CODELLAMA_BACKEND=metal" if gpu.unified else "CODELLAMA_BACKEND=cuda (or vulkan)"
    return translate("core", "{gpu} is present but this llama.cpp build is CPU-only, so models run slower than they "
                     "could. Rebuild with: {how} scripts/setup.sh").format(gpu=gpu.name, how=how)
