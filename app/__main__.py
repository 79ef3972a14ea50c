"""Composition root: `codellama-desktop` with no arguments opens the GUI, otherwise the CLI."""

from __future__ import annotations

import multiprocessing
import sys


def main(argv: list[str] | None = None) -> int:
    # First thing: in the bundled (frozen) app the repository indexer's spawned workers are this same
    # executable started again; freeze_support runs the worker's task and exits there, before the GUI or
    # the CLI could start a second time. Outside a bundle it does nothing.
    multiprocessing.freeze_support()
    from app.core import llama_log

    # Before anything imports llama_cpp: ggml reads this when its library loads.
    llama_log.quiet_native_crashes()
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("gui", "--gui"):
        from app.gui_main import run_gui

        return run_gui(args[1:])
    # The CLI's stdout is the answer alone: whatever native code prints goes to stderr.
    llama_log.keep_native_output_off_stdout()
    from app.cli import run_cli

    return run_cli(args)


if __name__ == "__main__":
    sys.exit(main())
