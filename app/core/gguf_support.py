"""Can the installed llama.cpp build run a model, judged from its GGUF header alone?

llama.cpp has no API that lists the architectures it knows. Instead the header (fetched with a
Range request before any download) is written to a sparse file as long as the real one and
loaded with `vocab_only`: llama.cpp reads the architecture, hyperparameters and vocabulary and
skips the weights, so this build itself says yes or no, in well under a second and without
using disk space for the holes.
"""

from __future__ import annotations

import logging
import os
import platform
import tempfile
from dataclasses import dataclass

from app.core import llama_log
from app.core.gguf_info import GGUFInfo
from app.core.i18n import translate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SupportVerdict:
    supported: bool | None  # None: could not be checked here
    reason: str


class _LastError(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.message = ""

    def emit(self, record: logging.LogRecord) -> None:
        if "error loading model" in record.getMessage():
            self.message = record.getMessage().split("error loading model:", 1)[-1].strip()


def check_header(header: bytes, info: GGUFInfo) -> SupportVerdict:
    # `info` comes from parse_header, which has already refused (ModelFileError) any metadata
    # llama.cpp would crash on (gguf_validate): the vocab-only load below runs in this process.
    if info.expected_size is None:
        return SupportVerdict(None, translate("core", "the file uses a tensor type this build does not know"))
    if platform.system() == "Windows":
        return SupportVerdict(
            None, translate("core", "not checked on Windows (sparse files would take real disk space)"))
    import llama_cpp

    llama_log.install()
    fd, path = tempfile.mkstemp(suffix=".gguf")
    catcher = _LastError()
    native = logging.getLogger("llama.cpp")
    native.addHandler(catcher)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(header[: info.data_offset])
            fh.truncate(info.expected_size)  # a hole, not data: no disk space is used
        params = llama_cpp.llama_model_default_params()
        params.vocab_only = True
        model = llama_cpp.llama_model_load_from_file(path.encode(), params)
        if model:
            llama_cpp.llama_model_free(model)
            if info.architecture:
                return SupportVerdict(True, translate("core", "this llama.cpp build can run {architecture}").format(
                    architecture=info.architecture))
            return SupportVerdict(True, translate("core", "this llama.cpp build can run it"))
        return SupportVerdict(False, catcher.message or translate(
            "core", "this llama.cpp build cannot load {architecture!r}").format(architecture=info.architecture))
    finally:
        native.removeHandler(catcher)
        os.unlink(path)
