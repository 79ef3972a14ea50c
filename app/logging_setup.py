"""Logging for every entry point: a rotating file in the log directory, terse stderr for the CLI.

Logging must never be the thing that fails: with a read-only home or a full disk the file is
left out (or dropped at its first failed write) and the app goes on, instead of printing
"--- Logging error ---" with a traceback around every message.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import stat
import sys
from pathlib import Path

LOG_FILE = "codellama-desktop.log"


class _QuietFileHandler(logging.handlers.RotatingFileHandler):
    """A log file that detaches itself, without a word on the terminal, once it cannot be written."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        logging.getLogger().removeHandler(self)
        try:
            self.close()
        except OSError:
            pass


class _TerseFormatter(logging.Formatter):
    """One line per record on the terminal: tracebacks go to the log file, or to stderr with --verbose."""

    def __init__(self, fmt: str, verbose: bool) -> None:
        super().__init__(fmt)
        self.verbose = verbose

    def format(self, record: logging.LogRecord) -> str:
        if self.verbose:
            return super().format(record)
        return self.formatMessage(self._with_message(record)).replace("\n", " ")

    @staticmethod
    def _with_message(record: logging.LogRecord) -> logging.LogRecord:
        record.message = record.getMessage()
        return record


def configure_logging(log_dir: Path, *, stderr_level: int = logging.WARNING, verbose: bool = False) -> Path | None:
    """Set up the file and terminal handlers; the log file's path, or None when it cannot be written."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for handler in list(root.handlers):
        if getattr(handler, "_codellama", False):
            root.removeHandler(handler)
            handler.close()
    path: Path | None = log_dir / LOG_FILE
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        if os.path.exists(path) and not stat.S_ISREG(os.stat(path).st_mode):
            raise IsADirectoryError(path)  # a FIFO would block the start, a device fill with noise
        file_handler = _QuietFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        path = None  # a read-only or full home: the terminal still gets warnings and errors
    else:
        file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"))
        file_handler._codellama = True  # type: ignore[attr-defined]
        root.addHandler(file_handler)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.DEBUG if verbose else stderr_level)
    console.setFormatter(_TerseFormatter("%(levelname)s %(name)s: %(message)s", verbose))
    # llama.cpp's own chatter belongs in the file; the terminal gets it only when asked.
    if not verbose:
        console.addFilter(lambda record: not record.name.startswith("llama.cpp") or record.levelno >= logging.ERROR)
        # A failure the front end already put in its own words is logged for the file only.
        console.addFilter(lambda record: not getattr(record, "file_only", False))
    console._codellama = True  # type: ignore[attr-defined]
    root.addHandler(console)
    return path
