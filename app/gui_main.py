"""Start the GUI: build services, show the window, then load the model in the background."""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sys
import traceback
from pathlib import Path

log = logging.getLogger(__name__)


def _resources() -> Path:
    return Path(__file__).resolve().parent.parent / "resources"


def _has_display() -> bool:
    if platform.system() != "Linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_gui(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="codellama-desktop")
    parser.add_argument("--model", "-m", default="", help="manifest id or .gguf path to load")
    args = parser.parse_args(argv)
    if not _has_display():
        print("error: no display found; start the app from a desktop session, or use the command line "
              "(codellama-desktop chat \"question\")", file=sys.stderr)
        return 2

    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from app.context import build_context
    from app.core.errors import UserError
    from app.logging_setup import configure_logging

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Code Llama Desktop")
    app.setDesktopFileName("codellama-desktop")
    icon = _resources() / "icon.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    style = _resources() / "style.qss"
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    try:
        ctx = build_context()
    except UserError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    configure_logging(ctx.paths.logs)
    window = build_window(ctx)

    def excepthook(kind, value, tb) -> None:
        # An uncaught exception is logged and shown; the app keeps running.
        log.error("uncaught exception:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        window.show_error(f"Something went wrong: {value}. Details are in the log.")

    sys.excepthook = excepthook
    window.show()
    from app.ui.main_window import start_model_load

    start_model_load(window, window._inference, args.model)  # noqa: SLF001
    code = app.exec()
    window._inference.shutdown()  # noqa: SLF001
    window._store.shutdown()  # noqa: SLF001
    return code


def build_window(ctx):
    """The window with its services; tests use this with an isolated context."""
    from app.ui.main_window import MainWindow
    from app.workers.inference import InferenceService
    from app.workers.store_worker import StoreService

    inference = InferenceService(ctx)
    store = StoreService(ctx.paths.database)
    return MainWindow(ctx, inference, store)
