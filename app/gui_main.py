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


def apply_style_sheet(app) -> None:
    """The app's own style sheet (message frames, the error banner); colours come from the palette."""
    style = _resources() / "style.qss"
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))


def launch(model_spec: str = ""):
    """Create the application and show the main window; the model loads after it is shown.

    Returns (QApplication, MainWindow). Start-up benchmarks call this too, so what they time is
    what a user waits for.
    """
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from app.context import build_context
    from app.logging_setup import configure_logging
    from app.ui.main_window import start_model_load

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Code Llama Desktop")
    app.setDesktopFileName("codellama-desktop")
    icon = _resources() / "icon.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    apply_style_sheet(app)
    ctx = build_context()
    configure_logging(ctx.paths.logs)
    from app.ui.i18n import install_translations

    install_translations(app, ctx.settings.language)  # before any widget takes its texts
    from app.ui.theme import apply_theme

    apply_theme(app, ctx.settings.theme)
    window = build_window(ctx)

    def excepthook(kind, value, tb) -> None:
        # An uncaught exception is logged and shown; the app keeps running.
        log.error("uncaught exception:\n%s", "".join(traceback.format_exception(kind, value, tb)))
        # The hook runs on whichever thread raised: the signal carries the message to the GUI thread.
        window.uncaught.emit(QCoreApplication.translate(
            "Application", "Something went wrong: {error}. Details are in the log.").format(error=value))

    sys.excepthook = excepthook
    window.show()
    start_model_load(window, window.inference, model_spec)
    return app, window


def run_gui(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="codellama-desktop")
    parser.add_argument("--model", "-m", default="", help="manifest id or .gguf path to load")
    # Start, show the main window, print one JSON line, quit: the bundle's smoke test and the start-up
    # benchmarks (benchmarks/bundle.py) run the installed program this way, offscreen.
    parser.add_argument("--smoke-test", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not _has_display():
        print("error: no display found; start the app from a desktop session, or use the command line "
              "(codellama-desktop chat \"question\")", file=sys.stderr)
        return 2
    from app.core.errors import UserError

    try:
        app, window = launch(args.model)
    except UserError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code
    if args.smoke_test:
        return _smoke_test(app, window)
    code = app.exec()
    window.shutdown()
    if window.restart_command is not None:  # the language changed: the same command again, now that all is saved
        from app.ui.restart import start_again

        start_again(window.restart_command)
    return code


def _smoke_test(app, window) -> int:
    import json
    import time

    app.processEvents()  # the first paint, as a user would see it
    visible = window.isVisible()
    print(json.dumps({"shown_at": time.time(), "visible": visible, "title": window.windowTitle(),
                      "platform": app.platformName()}), flush=True)
    window.close()
    window.shutdown()
    return 0 if visible else 1


def build_window(ctx):
    """The window with its services; tests use this with an isolated context."""
    from PySide6.QtCore import QCoreApplication

    from app.services import build_services
    from app.ui.i18n import resolve
    from app.ui.main_window import MainWindow

    window = MainWindow(ctx, build_services(ctx))
    if ctx.manifest.user_problem:  # the app starts on the bundled models; the user learns why theirs are missing
        window.show_error(QCoreApplication.translate("Application", "Your model list could not be read: {problem}.")
                          .format(problem=resolve(ctx.manifest.user_problem)))
    return window
