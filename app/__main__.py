"""Composition root: `codellama-desktop` with no arguments opens the GUI, otherwise the CLI."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
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
