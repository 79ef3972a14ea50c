"""Exporting the results table as CSV or Markdown: the file is asked for here (a non-blocking dialog),
the text is made and written on the files worker (app.core.measure.export), never on the GUI thread."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from app.core.atomic_file import describe_os_error, write_atomic
from app.core.errors import UserError
from app.core.measure.published import PublishedRow
from app.core.measure.results import ResultRow
from app.workers.worker import Report, Worker


class ExportFormat(Enum):
    CSV = "csv"
    MARKDOWN = "md"


class ResultsExport(QObject):
    """Asks where, then writes there on `files`; `written` carries the path, `failed` a UserError."""

    written = Signal(str)
    failed = Signal(object)

    def __init__(self, files: Worker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._files = files
        self.dialog: QFileDialog | None = None  # the open dialog, if any (tests choose the file through it)

    def ask(self, parent: QWidget, kind: ExportFormat, rows: tuple[ResultRow, ...],
            published: tuple[PublishedRow, ...], folder: Path) -> QFileDialog:
        """Open the save dialog; what is chosen is written with the rows as they are now."""
        if kind is ExportFormat.CSV:
            title, name_filter = self.tr("Export results as CSV"), self.tr("CSV files (*.csv)")
        else:
            title, name_filter = self.tr("Export results as Markdown"), self.tr("Markdown (*.md)")
        dialog = QFileDialog(parent, title, str(folder / f"measured-models.{kind.value}"), name_filter)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setDefaultSuffix(kind.value)
        dialog.fileSelected.connect(lambda path: self.write(Path(path), kind, rows, published))
        dialog.finished.connect(lambda _result: self._forget(dialog))
        self.dialog = dialog
        dialog.open()  # window-modal, returns at once: the GUI's event loop keeps running
        return dialog

    def write(self, path: Path, kind: ExportFormat, rows: tuple[ResultRow, ...],
              published: tuple[PublishedRow, ...]) -> None:
        from app.core.measure.export import to_csv, to_markdown

        render: Callable[..., str] = to_csv if kind is ExportFormat.CSV else to_markdown
        failure = self.tr("Could not write {path}: {reason}")

        def work(_report: Report) -> str:
            text = render(list(rows), list(published))
            try:
                # Bytes as rendered (a CSV keeps its own line ends); a failed write leaves no half file.
                write_atomic(path, text.encode("utf-8"))
            except OSError as exc:
                raise UserError(failure.format(
                    path=path, reason=describe_os_error(exc))) from None
            return str(path)

        self._files.submit(work, self.written.emit, self.failed.emit, failure=self.tr("The export failed"))

    def _forget(self, dialog: QFileDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
