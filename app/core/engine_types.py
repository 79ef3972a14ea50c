"""What an engine is asked with and answers with: load options, engine info, a generation and its stats.

`ChatBackend` is the small interface the rest of the app talks to; `engine.LocalEngine` implements it
on llama-cpp-python. A remote backend (an OpenAI-compatible server) can implement the same interface
later.

Threads: `LoadOptions` and `EngineInfo` are frozen snapshots that any thread may read (the GUI shows
an `EngineInfo` the inference thread made). A `Generation` and its `GenerationStats` belong to the
thread that iterates the generation; another thread reads the stats only once the pieces are consumed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable, Iterator, Protocol, Sequence

from app.core.infill.formats import InfillFamily
from app.core.prompts.chat import ChatMessage
from app.core.settings import SamplingSettings


@dataclass(frozen=True)
class LoadOptions:
    """How to load a model. Frozen: any thread may read it."""

    context_limit: int = 16384  # the user's cap on n_ctx
    max_context: int = 0  # how far beyond its trained length the model still works (manifest)
    memory_limit_mb: int = 0  # 0: what the machine has free
    gpu_layers: int = -1  # -1: all layers when the build can offload, 0: CPU only
    threads: int | None = None  # None: hardware.thread_plan()
    threads_batch: int | None = None


@dataclass(frozen=True)
class EngineInfo:
    """What was loaded, and how. A frozen snapshot taken at load: any thread may read it."""

    model_name: str
    model_path: str
    backend: str  # where the layers run: "CPU", "CUDA", "Metal", ...
    gpu_layers: int
    n_ctx: int
    n_ctx_train: int
    threads: int
    threads_batch: int
    chat_format: str
    load_seconds: float
    context_reduced_for_memory: bool = False
    model_id: str = ""  # manifest id, or the file path for a model outside the manifest
    infill_format: str = ""  # the fill-in-the-middle family's label (formats.FAMILY_NAMES), empty when it has none
    infill_family: InfillFamily | None = None  # what features are decided by


@dataclass
class GenerationStats:
    """Figures of one generation, filled in by the thread that iterates it."""

    prompt_tokens: int = 0
    reused_tokens: int = 0  # prompt tokens served from the KV cache
    generated_tokens: int = 0
    stop_reason: str = ""  # "end", "length", "context", "cancelled"
    first_token_seconds: float = 0.0
    total_seconds: float = 0.0
    dropped_messages: int = 0  # oldest history left out to fit the context

    @property
    def tokens_per_second(self) -> float:
        gen_time = self.total_seconds - self.first_token_seconds
        return (self.generated_tokens - 1) / gen_time if self.generated_tokens > 1 and gen_time > 0 else 0.0


@dataclass
class Generation:
    """An answer being generated: iterate for text pieces; `stats` is complete afterwards.

    Iterate it on the thread that owns the engine: each piece runs the model.
    """

    pieces: Iterator[str]
    stats: GenerationStats = field(default_factory=GenerationStats)
    after: Callable[[], None] | None = None  # work that can wait until the answer is shown
    # Called after each batch of the prompt is evaluated (tokens done, prompt tokens), on the thread
    # that iterates; set it before iterating. The worker turns it into a signal, the CLI into a line.
    on_prompt: Callable[[int, int], None] | None = None

    def __iter__(self) -> Iterator[str]:
        return self.pieces

    def prompt_progress(self, done: int, total: int) -> None:
        """What the token loop calls after each prompt batch: passed on to `on_prompt` if set."""
        if self.on_prompt is not None:
            self.on_prompt(done, total)

    def text(self) -> str:
        text = "".join(self.pieces)
        self.after_answer()
        return text

    def after_answer(self) -> None:
        """Run the deferred work (saving the prompt's KV state); once, after the pieces are consumed."""
        after, self.after = self.after, None
        if after is not None:
            after()


class ChatBackend(Protocol):
    """A model the app can chat with. Not thread-safe: one thread owns it and calls every method."""

    info: EngineInfo

    def count_tokens(self, text: str) -> int: ...

    def prompt_tokens(self, messages: Sequence[ChatMessage]) -> int: ...

    def chat(self, messages: Sequence[ChatMessage], sampling: SamplingSettings,
             cancel: threading.Event | None = None) -> Generation: ...

    def close(self) -> None: ...
