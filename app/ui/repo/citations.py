"""Opening a citation (a link in an answer, or a row of what the model saw) in a code viewer."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from app.core.errors import UserError
from app.core.repo.ask import parse_citation_link
from app.core.repo.assistant import RepoAssistant
from app.core.repo.assistant_types import CitedCode
from app.core.repo.pack import PackedChunk
from app.ui.i18n import resolve
from app.ui.repo.code_viewer import CodeViewer
from app.workers.worker import Worker


class CitationOpener:
    """Reads the cited lines on the repository thread (it owns the open repository) and shows them."""

    def __init__(self, parent: QWidget, assistant: RepoAssistant, runner: Worker, code_style: Callable[[], str],
                 show_error: Callable[[object], None]) -> None:
        self._parent, self._assistant, self._runner = parent, assistant, runner
        self._code_style, self._show_error = code_style, show_error
        self.viewer: CodeViewer | None = None  # the last one shown

    def open_link(self, link: str) -> None:
        parsed = parse_citation_link(link)
        if parsed is not None:
            self.open(*parsed)

    def open_chunk(self, chunk: PackedChunk) -> None:
        self.open(chunk.path, chunk.start_line, chunk.end_line)

    def open(self, path: str, start: int, end: int) -> None:
        assistant = self._assistant

        def show(cited: CitedCode) -> None:
            self.viewer = CodeViewer(cited, self._code_style(), self._parent)
            self.viewer.show()

        def failed(error: UserError | str) -> None:
            reason = resolve(error.message if isinstance(error, UserError) else error)
            self._show_error(QCoreApplication.translate("CitationOpener", "Cannot open {path}: {reason}").format(
                path=path, reason=reason))

        self._runner.submit(lambda _report: assistant.read_cited(path, start, end), show, failed)
