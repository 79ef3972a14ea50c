"""Send llama.cpp's native log lines into Python logging instead of the terminal.

Also keeps what native code prints when it fails off the CLI's stdout: ggml answers a failed
internal check by starting gdb or lldb on the process, whose backtrace lands on stdout (or hangs
where attaching is not allowed), then aborts.
"""

from __future__ import annotations

import ctypes
import io
import logging
import os
import sys
import threading

native_log = logging.getLogger("llama.cpp")

# ggml_log_level: NONE=0, DEBUG=1, INFO=2, WARN=3, ERROR=4, CONT=5 (continues the last line)
_LEVELS = {0: logging.INFO, 1: logging.DEBUG, 2: logging.INFO, 3: logging.WARNING, 4: logging.ERROR}

# What llama.cpp logs when the abort callback stops a decode (ggml status 1 is GGML_STATUS_ABORTED,
# llama_decode's 2 is "aborted"): expected when the app asked for it (Stop), so not an error then.
_ABORT_LINES = (
    "graph_compute: ggml_backend_sched_graph_compute_async failed with error 1",
    "process_ubatch: failed to compute graph, compute status: 1",
    "decode: removing memory module entries",
    "llama_decode: failed to decode, ret = 2",
)
_abort_expected = threading.Event()  # set while a decode the app aborted unwinds

_lock = threading.Lock()
_pending: list[str] = []
_pending_level = logging.DEBUG
_callback = None  # keeps the ctypes callback alive as long as llama.cpp may call it
ABORT_EXIT_CODE = 7  # EngineError's exit code: the engine failed


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
        if lvl > logging.DEBUG and _abort_expected.is_set() and line.startswith(_ABORT_LINES):
            lvl = logging.DEBUG  # the abort we asked for: kept in a debug log, off the terminal
        native_log.log(lvl, "%s", line)


def expect_abort() -> None:
    """The app's abort callback is stopping a decode: its failure lines are expected, not errors."""
    _abort_expected.set()


def abort_handled() -> None:
    """The aborted decode has unwound: failure lines are errors again."""
    _abort_expected.clear()


def install() -> None:
    """Route native logs to the "llama.cpp" logger. Safe to call more than once."""
    global _callback
    if _callback is not None:
        return
    quiet_native_crashes()  # in case no front end did (tests, embedding): before the first import
    import llama_cpp

    install_abort_handler(ABORT_EXIT_CODE)

    @llama_cpp.llama_log_callback
    def _on_log(level: int, text: bytes, _user_data: ctypes.c_void_p) -> None:
        try:
            _emit(int(level), text.decode("utf-8", errors="replace"))
        except Exception:  # never let an exception cross back into C
            pass

    _callback = _on_log
    llama_cpp.llama_log_set(_callback, ctypes.c_void_p(0))


def quiet_native_crashes() -> None:
    """Stop ggml from attaching a debugger when it aborts. Call before llama_cpp is imported.

    ggml reads GGML_NO_BACKTRACE at load time (its C++ terminate handler) and again when it
    aborts; any value disables the gdb/lldb backtrace. A developer who wants the backtrace sets
    CODELLAMA_DESKTOP_NATIVE_BACKTRACE=1.
    """
    if not os.environ.get("CODELLAMA_DESKTOP_NATIVE_BACKTRACE"):
        os.environ.setdefault("GGML_NO_BACKTRACE", "1")


def keep_native_output_off_stdout() -> None:
    """Point file descriptor 1 at stderr while Python's sys.stdout keeps the real stdout.

    Native code writes to descriptor 1 directly (printf, a debugger ggml forks), bypassing
    sys.stdout; after this, all of it lands on stderr and stdout carries only what the CLI
    writes through sys.stdout. For the CLI only: a GUI has no stdout worth guarding.
    """
    try:
        sys.stdout.flush()
        real = os.dup(1)  # not inherited by child processes (PEP 446)
        os.dup2(2, 1)
    except (OSError, ValueError, AttributeError):
        return  # no usable stdout or stderr: nothing to protect
    old = sys.stdout
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(real, "w")), encoding=old.encoding,
                                  errors=old.errors, line_buffering=old.line_buffering)


_abort_cb = None  # keeps the ctypes callback alive for the life of the process
_aborting = threading.Lock()  # held by the one thread that reports an abort and ends the process


def install_abort_handler(exit_code: int) -> None:
    """Turn a failed ggml check (a process abort) into a logged, one-line, clean exit.

    ggml calls this hook with its message just before abort(). The process cannot continue
    either way; this makes the end a line on stderr and in the log file, not a core dump.
    Skipped where the build does not export the hook.
    """
    global _abort_cb
    if _abort_cb is not None:
        return
    try:
        from llama_cpp._ggml import libggml

        setter = libggml.ggml_set_abort_callback
    except (ImportError, AttributeError, OSError):
        return
    prototype = ctypes.CFUNCTYPE(None, ctypes.c_char_p)

    @prototype
    def _on_abort(message: bytes | None) -> None:
        # Every compute thread may fail the same check at once: the first one speaks and ends the
        # process; the others wait here for that end, so the user reads one line, not one per thread.
        _aborting.acquire()  # never released: the process ends below
        text = (message or b"").decode("utf-8", errors="replace").strip().replace("\n", " ")
        where, sep, what = text.partition(": ")  # "/build/path/ggml/src/ops.cpp:4132: GGML_ASSERT(...) failed"
        text = os.path.basename(where) + sep + what
        try:
            if native_log.hasHandlers():  # else logging's last resort would print a second line
                native_log.critical("llama.cpp aborted: %s", text)
                for handler in logging.getLogger().handlers:
                    handler.flush()
            sys.stderr.write(f"error: llama.cpp stopped on an internal check and the app must exit: {text}\n")
            sys.stderr.flush()
        finally:
            os._exit(exit_code)

    setter.argtypes = [prototype]
    setter.restype = ctypes.c_void_p
    setter(_on_abort)
    _abort_cb = _on_abort
