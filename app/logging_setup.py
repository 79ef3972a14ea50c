"""Logging for every entry point: a rotating file in the log directory, terse stderr for the CLI."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

LOG_FILE = "codellama-desktop.log"


def configure_logging(log_dir: Path, *, stderr_level: int = logging.WARNING, verbose: bool = False) -> Path:
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / LOG_FILE
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        if getattr(handler, "_codellama", False):
            root.removeHandler(handler)
    file_handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"))
    file_handler._codellama = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.DEBUG if verbose else stderr_level)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    # llama.cpp's own chatter belongs in the file; the terminal gets it only when asked.
    if not verbose:
        console.addFilter(lambda record: not record.name.startswith("llama.cpp") or record.levelno >= logging.ERROR)
    console._codellama = True  # type: ignore[attr-defined]
    root.addHandler(console)
    return path
