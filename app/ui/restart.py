"""Starting the app again (after the interface's language changed): the same command, after a normal quit.

The new process is started only once this one has shut down (settings saved, the conversation
database closed), so the two never hold the database at once.
"""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QProcess

log = logging.getLogger(__name__)


def restart_command() -> tuple[str, list[str]]:
    """The program and arguments that started this process, for starting it again."""
    if getattr(sys, "frozen", False):  # a bundle (PyInstaller): the executable is the app
        return sys.executable, sys.argv[1:]
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name:  # python -m app: run the module again, not its file
        return sys.executable, ["-m", spec.name.removesuffix(".__main__"), *sys.argv[1:]]
    return sys.executable, sys.argv[:]  # a script (the codellama-desktop entry point)


def start_again(command: tuple[str, list[str]]) -> bool:
    """Start `command` detached from this process; False (and logged) when it could not start."""
    program, arguments = command
    started, _pid = QProcess.startDetached(program, arguments)
    if not started:
        log.error("could not start the app again: %s %s", program, arguments)
    return started
