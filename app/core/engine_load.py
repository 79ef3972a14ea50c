"""Loading a model: how large a context fits, and opening the GGUF in llama.cpp with clear errors.

Threads: the Llama returned belongs to the thread that loads it, which then owns the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.core import hardware, llama_log
from app.core.engine_types import LoadOptions
from app.core.errors import ModelFileError, ModelTooLargeError
from app.core.gguf_info import GGUFInfo, read_gguf_info
from app.core.i18n import translate
from app.core.prompts.chat import check_template_source

MIN_CONTEXT = 512


def plan_context(info: GGUFInfo, file_size: int, options: LoadOptions, *, freed_bytes: int = 0) -> tuple[int, bool]:
    """Context size: the model's trained length, capped by the setting and by free memory.

    `freed_bytes`: memory that closing the loaded model will give back (a switch checks the new
    model against what will be free once the old one is closed, before closing it).
    Returns (n_ctx, reduced_for_memory). Raises ModelTooLargeError when not even the weights
    plus a minimal context fit.
    """
    trained = info.context_length or 4096
    # Beyond the trained length only where the model is known to hold up (Code Llama's RoPE base
    # was raised for this), and only as far as the user's limit asks.
    ceiling = max(trained, options.max_context)
    wanted = max(MIN_CONTEXT, min(ceiling, options.context_limit))
    budget = hardware.memory_budget(options.memory_limit_mb)
    if freed_bytes:
        budget = hardware.memory_budget(0) + freed_bytes
        if options.memory_limit_mb > 0:
            budget = min(budget, options.memory_limit_mb * hardware.MB)
    need_min = hardware.estimate_memory(info, file_size, MIN_CONTEXT)
    if need_min > budget:
        raise ModelTooLargeError(
            translate(
                "core", "The model needs about {need_min:.1f} GiB but only {budget:.1f} GiB is available; choose a smaller "
                "model or quantization, or close other programs.").format(need_min=need_min / 2**30, budget=budget / 2**30))
    n_ctx = wanted
    while n_ctx > MIN_CONTEXT and hardware.estimate_memory(info, file_size, n_ctx) > budget:
        n_ctx //= 2
    n_ctx = max(MIN_CONTEXT, n_ctx)
    return n_ctx, n_ctx < wanted


@dataclass(frozen=True)
class LoadPlan:
    """What the checks before a load found: the header, and the context that fits."""

    gguf: GGUFInfo
    n_ctx: int
    reduced_for_memory: bool


def plan_load(model_path: Path, options: LoadOptions, *, freed_bytes: int = 0) -> LoadPlan:
    """Every check that needs no llama.cpp: a missing, truncated or corrupt file, a hostile chat
    template and a model that does not fit are refused here, before anything is loaded or closed."""
    gguf = read_gguf_info(model_path)  # clear errors for missing/truncated/non-GGUF files
    try:
        check_template_source(gguf.metadata)  # Llama() compiles the templates: a hostile one would hang it
    except ModelFileError as exc:
        raise ModelFileError(translate("core", "{name}: {reason}").format(name=model_path.name, reason=exc.message)) from None
    n_ctx, reduced = plan_context(gguf, model_path.stat().st_size, options, freed_bytes=freed_bytes)
    return LoadPlan(gguf, n_ctx, reduced)


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
            translate(
                "core", "{name}: llama.cpp could not load this model ({exc}); it may be corrupt, or its architecture is not "
                "supported by this build").format(name=model_path.name, exc=exc)) from None
    except MemoryError:
        raise ModelTooLargeError(translate(
            "core", "{name}: not enough memory to load the model").format(name=model_path.name)) from None
