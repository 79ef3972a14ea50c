"""Headless commands on the same core as the GUI.

Answers go to stdout and nothing else does: logs, progress and errors go to stderr, so
`codellama-desktop chat "..." > answer.md` captures exactly the answer. A user-facing error is
one line and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import platform
import signal
import sys
import threading
from typing import Callable

from app import __version__
from app.context import AppContext, build_context
from app.core.errors import UserError
from app.core.prompts.chat import ChatMessage
from app.logging_setup import configure_logging

log = logging.getLogger(__name__)


def _read_question(text: str) -> str:
    return sys.stdin.read() if text == "-" else text


def cmd_chat(ctx: AppContext, args: argparse.Namespace) -> int:
    question = _read_question(args.question)
    if not question.strip():
        raise UserError("the question is empty: give it as an argument, or '-' to read it from stdin")
    model = ctx.resolve(args.model)
    engine = ctx.load_engine(model)
    try:
        sampling = ctx.settings.sampling
        if args.max_tokens is not None:
            sampling.max_tokens = args.max_tokens
        if args.temperature is not None:
            sampling.temperature = args.temperature
        if args.seed is not None:
            sampling.seed = args.seed
        system = ctx.settings.system_prompt if args.system is None else args.system
        messages = ([ChatMessage("system", system)] if system.strip() else []) + [ChatMessage("user", question)]
        cancel = threading.Event()
        previous = signal.signal(signal.SIGINT, lambda *_: cancel.set())
        try:
            generation = engine.chat(messages, sampling, cancel)
            for piece in generation:
                sys.stdout.write(piece)
                sys.stdout.flush()
        finally:
            signal.signal(signal.SIGINT, previous)
        sys.stdout.write("\n")
        stats = generation.stats
        log.info("generated %d tokens (%s) at %.1f tok/s", stats.generated_tokens, stats.stop_reason,
                 stats.tokens_per_second)
        if stats.stop_reason == "cancelled":
            print("stopped", file=sys.stderr)
            return 130
        return 0
    finally:
        engine.close()


def cmd_doctor(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.core import hardware

    build = hardware.build_info()
    gpu = hardware.detect_gpu()
    lines = [
        f"codellama-desktop {__version__}",
        f"python {platform.python_version()} on {platform.system()} {platform.machine()}",
        f"llama-cpp-python {build.llama_cpp_python}",
        f"llama.cpp backend: {build.backend} (GPU offload {'supported' if build.gpu_offload else 'not supported'})",
        f"cpu features: {build.system_info}",
        f"cores: {hardware.physical_cores()} physical; threads used: generation {hardware.thread_plan()[0]}, "
        f"prompt {hardware.thread_plan()[1]}",
        f"ram: {hardware.total_ram() / 2**30:.1f} GiB total, {hardware.available_ram() / 2**30:.1f} GiB available",
        (f"gpu: {gpu.name} ({gpu.vram_bytes / 2**30:.1f} GiB{' unified' if gpu.unified else ''})"
         if gpu else "gpu: none found"),
    ]
    if gpu and not build.gpu_offload:
        lines.append("warning: a GPU is present but this llama.cpp build is CPU-only; rebuild with "
                     "CODELLAMA_BACKEND=cuda (or metal/vulkan) scripts/setup.sh")
    for name, path in ctx.paths.as_dict().items():
        lines.append(f"{name} dir: {path}")
    try:
        model = ctx.resolve(None)
        lines.append(f"default chat model: {model.display_name} ({model.path})")
    except UserError as exc:
        lines.append(f"default chat model: none ({exc.message})")
    print("\n".join(lines))
    return 0


def cmd_models(ctx: AppContext, args: argparse.Namespace) -> int:
    from app.core.models import installed_path

    if args.models_command != "list":
        raise UserError(f"unknown models command {args.models_command!r}")
    rows = []
    for entry in ctx.manifest.entries:
        path = installed_path(entry, ctx.paths.models)
        state = "installed" if path else "available"
        if entry.embedded_package:
            state = "embedded" if path else "missing"
        size = f"{entry.size / 1e9:.1f} GB" if entry.size else "?"
        rows.append((entry.id, entry.parameters, entry.quantization, size, ",".join(entry.roles), state))
    widths = [max(len(r[i]) for r in rows + [("id", "params", "quant", "size", "roles", "state")]) for i in range(6)]
    header = ("id", "params", "quant", "size", "roles", "state")
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="codellama-desktop", description="Local coding assistant on llama.cpp. "
                                     "With no command, opens the desktop app.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details (llama.cpp's too) to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    chat = sub.add_parser("chat", help="ask one question; the answer streams to stdout")
    chat.add_argument("question", help="the question, or '-' to read it from stdin")
    chat.add_argument("--model", "-m", help="manifest id or path to a .gguf file (default: the configured model)")
    chat.add_argument("--system", "-s", help="system prompt (default: the one in settings; '' for none)")
    chat.add_argument("--max-tokens", "-n", type=int, help="most tokens to generate")
    chat.add_argument("--temperature", "-t", type=float, help="sampling temperature (0 = greedy)")
    chat.add_argument("--seed", type=int, help="random seed for reproducible answers")
    chat.set_defaults(func=cmd_chat)

    doctor = sub.add_parser("doctor", help="versions, backend, memory and directories")
    doctor.set_defaults(func=cmd_doctor)

    models = sub.add_parser("models", help="the models the app knows")
    models.add_argument("models_command", choices=["list"])
    models.set_defaults(func=cmd_models)
    return parser


def run_cli(argv: list[str], *, context_factory: Callable[[], AppContext] = build_context) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    log_path = None
    try:
        ctx = context_factory()
        log_path = configure_logging(ctx.paths.logs, verbose=args.verbose)
        return int(args.func(ctx, args))
    except UserError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the last line of defence: one line, details in the log
        log.exception("unexpected failure")
        where = f"; details in {log_path}" if log_path else ""
        print(f"error: unexpected failure: {exc}{where}", file=sys.stderr)
        return 1
