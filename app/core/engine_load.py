"""Loading a model: how large a context fits, and opening the GGUF in llama.cpp with clear errors.

Threads: the Llama returned belongs to the thread that loads it, which then owns the engine.
"""

from __future__ import annotations

from pathlib import Path

from app.core import hardware, llama_log
from app.core.engine_types import LoadOptions
from app.core.errors import ModelFileError, ModelTooLargeError
from app.core.gguf_info import GGUFInfo

MIN_CONTEXT = 512


def plan_context(info: GGUFInfo, file_size: int, options: LoadOptions) -> tuple[int, bool]:
    """Context size: the model's trained length, capped by the setting and by free memory.

    Returns (n_ctx, reduced_for_memory). Raises ModelTooLargeError when not even the weights
    plus a minimal context fit.
    """
    trained = info.context_length or 4096
    # Beyond the trained length only where the model is known to hold up (Code Llama's RoPE base
    # was raised for this), and only as far as the user's limit asks.
    ceiling = max(trained, options.max_context)
    wanted = max(MIN_CONTEXT, min(ceiling, options.context_limit))
    budget = hardware.memory_budget(options.memory_limit_mb)
    need_min = hardware.estimate_memory(info, file_size, MIN_CONTEXT)
    if need_min > budget:
        raise ModelTooLargeError(
            f"The model needs about {need_min / 2**30:.1f} GiB but only {budget / 2**30:.1f} GiB "
            "is available; choose a smaller model or quantization, or close other programs.")
    n_ctx = wanted
    while n_ctx > MIN_CONTEXT and hardware.estimate_memory(info, file_size, n_ctx) > budget:
        n_ctx //= 2
    n_ctx = max(MIN_CONTEXT, n_ctx)
    return n_ctx, n_ctx < wanted


def open_llama(model_path: Path, *, n_ctx: int, gpu_layers: int, threads: int, threads_batch: int) -> object:
    """A llama_cpp.Llama for `model_path`; a file llama.cpp refuses or memory cannot hold raises a typed error."""
    llama_log.install()
    import llama_cpp

    try:
        return llama_cpp.Llama(
            model_path=str(model_path), n_ctx=n_ctx, n_gpu_layers=gpu_layers,
            n_threads=threads, n_threads_batch=threads_batch, n_batch=512,
            # Flash attention helps GPU backends; on CPU it measured slower (benchmarks/followup_cost.py).
            flash_attn=gpu_layers != 0,
            verbose=False,  # native logs reach Python logging through llama_log instead
        )
    except ValueError as exc:
        raise ModelFileError(
            f"{model_path.name}: llama.cpp could not load this model ({exc}); it may be corrupt, "
            "or its architecture is not supported by this build") from None
    except MemoryError:
        raise ModelTooLargeError(f"{model_path.name}: not enough memory to load the model") from None
