"""Send llama.cpp's native log lines into Python logging instead of the terminal."""

from __future__ import annotations

import ctypes
import logging
import threading

native_log = logging.getLogger("llama.cpp")

# ggml_log_level: NONE=0, DEBUG=1, INFO=2, WARN=3, ERROR=4, CONT=5 (continues the last line)
_LEVELS = {0: logging.INFO, 1: logging.DEBUG, 2: logging.INFO, 3: logging.WARNING, 4: logging.ERROR}

_lock = threading.Lock()
_pending: list[str] = []
_pending_level = logging.DEBUG
_callback = None  # keeps the ctypes callback alive as long as llama.cpp may call it


def _emit(level: int, text: str) -> None:
    global _pending_level
    with _lock:
        if level != 5:
            _pending_level = _LEVELS.get(level, logging.DEBUG)
        _pending.append(text)
        if not text.endswith("\n"):
            return  # native code writes some lines in pieces
        line = "".join(_pending).rstrip()
        _pending.clear()
        lvl = _pending_level
    if line:
        native_log.log(lvl, "%s", line)


def install() -> None:
    """Route native logs to the "llama.cpp" logger. Safe to call more than once."""
    global _callback
    if _callback is not None:
        return
    import llama_cpp

    @llama_cpp.llama_log_callback
    def _on_log(level: int, text: bytes, _user_data: ctypes.c_void_p) -> None:
        try:
            _emit(int(level), text.decode("utf-8", errors="replace"))
        except Exception:  # never let an exception cross back into C
            pass

    _callback = _on_log
    llama_cpp.llama_log_set(_callback, ctypes.c_void_p(0))
