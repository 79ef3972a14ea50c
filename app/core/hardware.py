"""What the machine can do: memory, GPU, the llama.cpp build's backend, and memory estimates.

llama_cpp is imported lazily: loading its shared library costs start-up time the window should
not pay before it is shown.
"""

from __future__ import annotations

import logging
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

import psutil

from app.core.gguf_info import GGUFInfo

log = logging.getLogger(__name__)

MB = 1024 * 1024
# llama.cpp's compute buffers and runtime overhead beyond weights and KV cache; measured with
# SmolLM2 at ~60-120 MB, a few hundred MB for 7B models.
OVERHEAD_BYTES = 160 * MB


@dataclass(frozen=True)
class BuildInfo:
    backend: str  # CPU, CUDA, Metal, Vulkan, ...
    gpu_offload: bool
    system_info: str
    llama_cpp_python: str


@dataclass(frozen=True)
class GpuInfo:
    name: str
    vram_bytes: int
    unified: bool  # Apple Silicon: GPU and CPU share RAM


@lru_cache(maxsize=1)
def build_info() -> BuildInfo:
    import llama_cpp

    system = llama_cpp.llama_print_system_info().decode("utf-8", errors="replace")
    offload = bool(llama_cpp.llama_supports_gpu_offload())
    backend = "CPU"
    upper = system.upper()
    for marker, name in (("CUDA", "CUDA"), ("METAL", "Metal"), ("VULKAN", "Vulkan"), ("HIP", "ROCm"), ("SYCL", "SYCL")):
        if marker in upper:
            backend = name
            break
    return BuildInfo(backend=backend, gpu_offload=offload, system_info=system.strip(),
                     llama_cpp_python=getattr(llama_cpp, "__version__", "?"))


def total_ram() -> int:
    return int(psutil.virtual_memory().total)


def available_ram() -> int:
    return int(psutil.virtual_memory().available)


@lru_cache(maxsize=1)
def detect_gpu() -> GpuInfo | None:
    """The first GPU found: NVIDIA via nvidia-smi, Apple Silicon via the platform."""
    if platform.system() == "Darwin" and platform.machine() == "arm64":
        return GpuInfo(name="Apple Silicon GPU", vram_bytes=total_ram(), unified=True)
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            out = subprocess.run(
                [smi, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
                capture_output=True, text=True, timeout=5, check=True,
            ).stdout.strip().splitlines()
            if out:
                name, mem = (part.strip() for part in out[0].rsplit(",", 1))
                return GpuInfo(name=name, vram_bytes=int(float(mem)) * MB, unified=False)
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            log.info("nvidia-smi present but unusable: %s", exc)
    return None


def physical_cores() -> int:
    return psutil.cpu_count(logical=False) or os.cpu_count() or 1


def thread_plan() -> tuple[int, int]:
    """(generation threads, prompt-processing threads).

    Generation is memory-bound and OpenMP workers spin: using every core collapses throughput as
    soon as anything else (the GUI) wants a core, so one core is left free. Prompt processing is
    compute-bound and gains from all cores.
    """
    cores = physical_cores()
    return max(1, cores - 1), max(1, cores)


def _number(value: object, default: int) -> int:
    """A metadata value as an int: per-layer lists give their largest entry; anything else the default."""
    if isinstance(value, list):
        numbers = [v for v in value if isinstance(v, (int, float)) and not isinstance(v, bool)]
        return int(max(numbers)) if numbers else default
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(value)
    return default


def kv_cache_bytes(info: GGUFInfo, n_ctx: int, bytes_per_value: int = 2) -> int:
    """Bytes of an f16 KV cache of `n_ctx` tokens for the model described by `info`."""
    n_layer = _number(info.arch_value("block_count"), 0)
    n_embd = _number(info.arch_value("embedding_length"), 0)
    n_head = max(1, _number(info.arch_value("attention.head_count"), 1))
    n_head_kv = _number(info.arch_value("attention.head_count_kv"), n_head)
    head_dim_k = _number(info.arch_value("attention.key_length"), n_embd // n_head)
    head_dim_v = _number(info.arch_value("attention.value_length"), head_dim_k)
    return n_layer * n_ctx * n_head_kv * (head_dim_k + head_dim_v) * bytes_per_value


def estimate_memory(info: GGUFInfo, file_size: int, n_ctx: int) -> int:
    """Bytes needed to run the model with `n_ctx` context: weights + KV cache + overhead."""
    return file_size + kv_cache_bytes(info, n_ctx) + OVERHEAD_BYTES


def memory_budget(limit_mb: int) -> int:
    """Bytes the app may plan to use: what is free now (plus VRAM when offloading), or the limit."""
    budget = available_ram()
    gpu = detect_gpu()
    if gpu is not None and not gpu.unified:
        budget += gpu.vram_bytes
    if limit_mb > 0:
        budget = min(budget, limit_mb * MB)
    return budget
