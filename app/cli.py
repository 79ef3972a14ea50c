"""Headless commands on the same core as the GUI.

Answers go to stdout and nothing else does: logs, progress and errors go to stderr, so
`codellama-desktop chat "..." > answer.md` captures exactly the answer. A user-facing error is
one line and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import platform
import signal
import sys
import threading
from pathlib import Path
from typing import Callable

from app import __version__
from app.cli_args import (
    GuardedOutput,
    OneLineParser,
    OutputClosed,
    float_between,
    int_at_least,
    nonempty,
    read_stdin_text,
    terminal_safe,
    undecodable_argument,
)
from app.context import AppContext, build_context
from app.core.engine_figures import describe_figures
from app.core.engine_types import Generation, GenerationStats
from app.core.errors import UserError
from app.core.progress_line import PromptProgressLine, is_tty
from app.logging_setup import configure_logging

log = logging.getLogger(__name__)


def _read_question(text: str) -> str:
    """The question argument, or standard input for '-'; an empty question is an error."""
    question = read_stdin_text() if text == "-" else text
    if not question.strip():
        raise UserError("the question is empty: give it as an argument, or '-' to read it from stdin")
    return question


def _stream_answer(generation: Generation, what: str) -> None:
    """The answer to stdout as it comes; how far the prompt was read to stderr before it."""
    progress = PromptProgressLine(sys.stderr, what)
    generation.on_prompt = progress
    try:
        for piece in generation:
            sys.stdout.write(piece)
            sys.stdout.flush()
    finally:
        progress.close()  # a Ctrl+C or a failure mid-prompt leaves no half line on the terminal


def _tell_figures(args: argparse.Namespace, stats: GenerationStats) -> None:
    """The answer's figures on stderr: on a terminal, where a person reads them, or with --verbose.

    Not otherwise: a script that redirects stderr gets errors and warnings there, not a line per run.
    """
    if args.verbose or is_tty(sys.stderr):
        print(describe_figures(stats), file=sys.stderr)


def _load(ctx: AppContext, args: argparse.Namespace, spec: str | None):
    """The engine a command runs on: the server's model with --remote, else the local model `spec`."""
    if args.remote:
        if args.model:
            raise UserError("give either --model (a local model) or --remote (a server's model), not both")
        engine = ctx.load_remote(args.remote, args.remote_key, args.remote_model or "")
        for line in engine.report.lines():  # what is lost off a token-id server, on stderr with --verbose
            log.info("remote: %s", line)
        return engine
    if args.remote_key or args.remote_model:
        raise UserError("--remote-key and --remote-model need --remote URL")
    return ctx.load_engine(ctx.resolve(spec))


def cmd_chat(ctx: AppContext, args: argparse.Namespace) -> int:
    from dataclasses import replace

    from app.core.chat import ChatSession

    question = _read_question(args.question)
    engine = _load(ctx, args, args.model)
    try:
        # A changed copy: the settings are an immutable snapshot, not this command's to change.
        options = {"max_tokens": args.max_tokens, "temperature": args.temperature, "seed": args.seed}
        sampling = replace(ctx.settings.sampling, **{k: v for k, v in options.items() if v is not None})
        # The same conversation object as the chat pane's: one place builds the prompt.
        session = ChatSession(ctx.settings.system_prompt if args.system is None else args.system)
        session.add_user(question)
        messages = session.start_answer()
        cancel = threading.Event()
        previous = signal.signal(signal.SIGINT, lambda *_: cancel.set())
        try:
            generation = engine.chat(messages, sampling, cancel)
            _stream_answer(generation, "the prompt")
        finally:
            signal.signal(signal.SIGINT, previous)
        sys.stdout.write("\n")
        stats = generation.stats
        log.info("generated %d tokens (%s) at %.1f tok/s", stats.generated_tokens, stats.stop_reason,
                 stats.tokens_per_second)
        _tell_figures(args, stats)
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
    print("\n".join(terminal_safe(line) for line in lines))
    return 0


def _open_repo(ctx: AppContext, repo: str, assistant=None):
    """The repository assistant (`assistant`, or a new one) with `repo` open and up to date; the caller
    closes it."""
    from app.core.repo.assistant import RepoAssistant
    from app.core.repo.assistant_types import EmptyRepoError
    from app.core.settings import repo_rules

    assistant = assistant or RepoAssistant.in_cache(ctx.paths.cache)
    opened = assistant.open(Path(repo), repo_rules(ctx.settings), resume=False)
    stats = opened.stats
    log.info("indexed %s: %d files, %d chunks (%d read, %d removed, %d skipped)", opened.root, stats.files,
             stats.chunks, stats.reindexed, stats.removed, len(stats.skipped))
    if stats.truncated:
        print(f"warning: {opened.root} has more files than the scan limit; only the first were indexed",
              file=sys.stderr)
    if opened.empty:
        assistant.close()
        raise EmptyRepoError(opened.root)
    return assistant


def cmd_context(ctx: AppContext, args: argparse.Namespace) -> int:
    import json

    from app.core.repo.assistant import RepoAssistant

    question = _read_question(args.question)
    remote = _load(ctx, args, None) if args.remote else None  # the server's tokenizer counts
    model = ctx.resolve(args.model) if remote is None else None
    assistant = RepoAssistant.in_cache(ctx.paths.cache)
    try:
        # A bad model file is reported before any indexing.
        counter = remote.count_tokens if remote is not None else assistant.counter_for(model.path)
        _open_repo(ctx, args.repo, assistant)
        result = assistant.pack(question, args.budget, counter)
        root = assistant.index.root
    finally:
        assistant.close()
        if remote is not None:
            remote.close()
    if args.json:
        tokenizer = remote.info.model_id if remote is not None else model.model_id
        data = {"version": 1, "repo": str(root), "tokenizer": tokenizer, **result.to_json()}
        print(json.dumps(data, indent=2))
    else:
        print(result.render())
    return 0


def cmd_ask(ctx: AppContext, args: argparse.Namespace) -> int:
    question = _read_question(args.question)
    engine = _load(ctx, args, args.model)
    try:
        sampling = ctx.settings.sampling  # an immutable snapshot: options make a changed copy
        if args.max_tokens is not None:
            sampling = dataclasses.replace(sampling, max_tokens=args.max_tokens)
        assistant = _open_repo(ctx, args.repo)
        try:
            # One question, no follow-ups: the code gets what the window leaves after the prompt and answer.
            prepared = assistant.prepare(question, engine.info.n_ctx, engine.count_tokens, sampling.max_tokens,
                                         args.budget or 0, conversation=False)
        finally:
            assistant.close()
        result = prepared.session.context
        # A later question on this repository starts from this one's saved state where the prompts agree.
        generation = engine.chat(prepared.messages, sampling, keep_leading=prepared.keep_leading,
                                 state_scope=prepared.state_scope)
        _stream_answer(generation, "the context")
        sources = ", ".join(c.citation for c in result.chunks[:12])
        sys.stdout.write(f"\n\nContext sent ({result.used_tokens:,} tokens): {sources}\n")
        sys.stdout.flush()
        _tell_figures(args, generation.stats)
        generation.after_answer()  # saves the prompt state for the next question on this repository
        return 0
    finally:
        engine.close()


def cmd_infill(ctx: AppContext, args: argparse.Namespace) -> int:
    from dataclasses import replace

    from app.core.infill.fill import FillMode, describe_fill, start_fill, with_repository
    from app.core.infill.prompt import InfillRequest
    from app.core.infill.source import read_code, split_at

    if args.prefix_file or args.suffix_file:
        if args.file or args.line or args.column:
            raise UserError("give either FILE with --line/--column, or --prefix-file/--suffix-file")
        prefix = read_code(Path(args.prefix_file)) if args.prefix_file else ""
        suffix = read_code(Path(args.suffix_file)) if args.suffix_file else ""
        path = Path(args.prefix_file or args.suffix_file)
    else:
        if not args.file or args.line is None or args.column is None:
            raise UserError("give FILE with --line and --column (1-based), or --prefix-file/--suffix-file")
        path = Path(args.file)
        prefix, suffix = split_at(read_code(path), args.line, args.column)
    # A copy: the settings are not this command's to change.
    sampling = replace(ctx.settings.sampling, max_tokens=args.max_tokens)
    if args.temperature is not None:
        sampling = replace(sampling, temperature=args.temperature)
    engine = _load(ctx, args, args.model or ctx.settings.default_infill_model or None)
    try:
        described = describe_fill(engine.info)
        request = InfillRequest(prefix, suffix, path=path.name, suffix_first=args.spm)
        if described.mode is FillMode.INSTRUCTION:
            print(f"note: {described.headline} {described.detail}"
                  + (" --repo and --spm do not apply to it." if args.repo or args.spm else ""), file=sys.stderr)
        if args.repo and described.uses_repository:
            assistant = _open_repo(ctx, args.repo)
            try:
                request = with_repository(request, assistant.infill_snippets(prefix, suffix, path))
            finally:
                assistant.close()
        generation = start_fill(engine, request, sampling, single_line=args.single_line,
                                context_tokens=args.context or ctx.settings.infill_context)
        _stream_answer(generation, "the code")  # the middle only: stdout can be spliced straight into the file
        _tell_figures(args, generation.stats)
        return 0
    finally:
        engine.close()


def build_parser() -> argparse.ArgumentParser:
    from app.cli_models import cmd_models_download, cmd_models_import, cmd_models_info, cmd_models_list, cmd_models_remove

    max_tokens = int_at_least(1, "--max-tokens")
    temperature = float_between(0.0, 5.0, "--temperature")
    budget = int_at_least(1, "--budget")
    repo = nonempty("--repo")
    parser = OneLineParser(prog="codellama-desktop", description="Local coding assistant on llama.cpp. "
                                     "With no command, opens the desktop app.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details (llama.cpp's too) to stderr")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)

    chat = sub.add_parser("chat", help="ask one question; the answer streams to stdout")
    chat.add_argument("question", help="the question, or '-' to read it from stdin")
    chat.add_argument("--model", "-m", help="manifest id or path to a .gguf file (default: the configured model)")
    chat.add_argument("--system", "-s", help="system prompt (default: the one in settings; '' for none)")
    chat.add_argument("--max-tokens", "-n", type=max_tokens, help="most tokens to generate")
    chat.add_argument("--temperature", "-t", type=temperature, help="sampling temperature (0 = greedy)")
    chat.add_argument("--seed", type=int, help="random seed for reproducible answers")
    chat.set_defaults(func=cmd_chat)

    context = sub.add_parser("context", help="print exactly the repository context a question would get")
    context.add_argument("question", help="the question, or '-' to read it from stdin")
    context.add_argument("--repo", required=True, type=repo, help="the repository folder")
    context.add_argument("--budget", type=budget, required=True, help="tokens of context to fill")
    context.add_argument("--json", action="store_true", help="machine-readable output (docs/context-json.md)")
    context.add_argument("--model", "-m", help="whose tokenizer counts tokens (default: the chat model)")
    context.set_defaults(func=cmd_context)

    ask = sub.add_parser("ask", help="answer a question about a repository, citing path:line-line")
    ask.add_argument("question", help="the question, or '-' to read it from stdin")
    ask.add_argument("--repo", required=True, type=repo, help="the repository folder")
    ask.add_argument("--model", "-m", help="manifest id or path to a .gguf file")
    ask.add_argument("--budget", type=budget, help="tokens of context (default: what the model's context leaves)")
    ask.add_argument("--max-tokens", "-n", type=max_tokens, help="most tokens to generate")
    ask.set_defaults(func=cmd_ask)

    infill = sub.add_parser("infill", help="fill in the middle of a file at a position; prints only the middle")
    infill.add_argument("file", nargs="?", help="the code file")
    infill.add_argument("--line", "-l", type=int_at_least(1, "--line"), help="1-based line of the cursor")
    infill.add_argument("--column", "-c", type=int_at_least(1, "--column"),
                        help="1-based column of the cursor (line length + 1 = end)")
    infill.add_argument("--prefix-file", help="the code before the cursor, instead of FILE")
    infill.add_argument("--suffix-file", help="the code after the cursor, instead of FILE")
    infill.add_argument("--model", "-m", help="manifest id or .gguf path (default: the infill model, else the chat "
                        "model)")
    infill.add_argument("--max-tokens", "-n", type=max_tokens, default=128, help="most tokens of middle (default 128)")
    infill.add_argument("--temperature", "-t", type=temperature, help="sampling temperature (0 = greedy)")
    infill.add_argument("--single-line", action="store_true", help="only the rest of the cursor's line")
    infill.add_argument("--context", type=int_at_least(16, "--context"),
                        help="tokens of code around the cursor (default: settings, 4096)")
    infill.add_argument("--spm", action="store_true", help="Code Llama: suffix-prefix-middle order")
    infill.add_argument("--repo", type=repo, help="a repository whose definitions of nearby names join the prompt")
    infill.set_defaults(func=cmd_infill)

    for command in (chat, context, ask, infill):
        command.add_argument("--remote", metavar="URL", type=nonempty("--remote"),
                             help="use the model of a server at URL (llama-server, vLLM, Ollama, LM Studio, any "
                                  "OpenAI-compatible one) instead of a local model")
        command.add_argument("--remote-key", help="the server's API key (default: CODELLAMA_REMOTE_KEY, else the key "
                                                  "saved with it in the Models window)")
        command.add_argument("--remote-model", help="which of the server's models (default: its first)")

    from app.cli_measure import add_measure_parser
    from app.cli_serve import add_serve_parser

    add_serve_parser(sub)
    add_measure_parser(sub)

    doctor = sub.add_parser("doctor", help="versions, backend, memory and directories")
    doctor.set_defaults(func=cmd_doctor)

    models = sub.add_parser("models", help="list, inspect, download, remove and import models")
    models_sub = models.add_subparsers(dest="models_command", required=True, parser_class=OneLineParser)
    models_sub.add_parser("list", help="every known model with its size, fit and state").set_defaults(
        func=cmd_models_list)
    info = models_sub.add_parser("info", help="details of one model")
    info.add_argument("id")
    info.add_argument("--remote", action="store_true", help="also read the file's GGUF header from the hub")
    download = models_sub.add_parser("download", help="download (or resume) a model; Ctrl+C pauses")
    download.add_argument("id")
    for p in (info, download):
        p.add_argument("--endpoint", help="hub URL or mirror (default: HF_ENDPOINT, else the hub)")
        p.add_argument("--token", help="Hugging Face token for gated models (default: the one set in "
                                       "Settings > Hub, kept in the keyring or a private file; then HF_TOKEN)")
    info.set_defaults(func=cmd_models_info)
    download.set_defaults(func=cmd_models_download)
    remove = models_sub.add_parser("remove", help="delete a downloaded model (or forget an imported one)")
    remove.add_argument("id")
    remove.set_defaults(func=cmd_models_remove)
    import_ = models_sub.add_parser("import", help="use a local .gguf file (it stays where it is)")
    import_.add_argument("path")
    import_.set_defaults(func=cmd_models_import)
    return parser


def run_cli(argv: list[str], *, context_factory: Callable[[], AppContext] = build_context) -> int:
    bad = undecodable_argument(argv)
    if bad:
        print(f"error: {bad}", file=sys.stderr)
        return 2
    parser = build_parser()
    args = parser.parse_args(argv)
    if sys.stdout is None:  # started with its standard output closed (`>&-`): answers would vanish
        print("error: standard output is closed; redirect it to a file or /dev/null", file=sys.stderr)
        return 2
    sys.stdout = GuardedOutput(sys.stdout)
    log_path: Path | None = None
    logging_ready = False
    try:
        ctx = context_factory()
        log_path = configure_logging(ctx.paths.logs, verbose=args.verbose)
        logging_ready = True
        code = int(args.func(ctx, args))
        sys.stdout.flush()  # a failed write shows here, as one line, not at exit as a traceback
        return code
    except OutputClosed:
        return 141  # the reader went away (`| head`): quietly, with the exit status of SIGPIPE
    except UserError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the last line of defence: one line, details in the log
        if logging_ready:  # before that, logging's fallback would print the whole traceback
            log.error("unexpected failure", exc_info=True, extra={"file_only": True})
        where = f"; details in {log_path}" if log_path else ""
        text = str(exc).replace("\n", " ")[:300] or type(exc).__name__
        print(f"error: unexpected failure: {text}{where}", file=sys.stderr)
        return 1
