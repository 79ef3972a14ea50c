"""The Models window: what can run here, downloads with progress, and which model is used."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.core.catalogue import Listing, ModelCatalogue, RemoteCheck, Removal
from app.core.download import DownloadProgress, DownloadState
from app.core.manifest import Manifest, ModelEntry
from app.core.models import ModelState
from app.ui.models.table_model import ModelRow, ModelsTableModel, ProgressRole, RowState
from app.ui.plain_text import plain
from app.workers.downloads import DownloadService

# What the task thread's error callback carries: a UserError (or another exception) now, a plain
# message from the older worker; str() of either is the text to show.
ErrorLike = Exception | str


class _ProgressDelegate(QStyledItemDelegate):
    """The state text, with a thin progress bar along the bottom of the cell while downloading."""

    def paint(self, painter, option, index) -> None:
        super().paint(painter, option, index)
        fraction = index.data(ProgressRole)
        if fraction is None:
            return
        rect = option.rect.adjusted(4, option.rect.height() - 6, -4, -2)
        painter.save()
        painter.fillRect(rect, option.palette.mid())
        rect.setWidth(int(rect.width() * max(0.0, min(1.0, fraction))))
        painter.fillRect(rect, option.palette.highlight())
        painter.restore()


class ModelsWindow(QDialog):
    chat_model_chosen = Signal(str)  # manifest id to load for chat

    def __init__(self, ctx: AppContext, downloads: DownloadService, catalogue: ModelCatalogue,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Models")
        self.resize(980, 560)
        self._ctx = ctx
        self._catalogue = catalogue  # built by the composition root (app.services)
        self._downloads = downloads
        layout = QVBoxLayout(self)
        self.summary = plain(QLabel("Checking this machine…"))
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.warning = plain(QLabel())
        self.warning.setObjectName("fitWarning")
        self.warning.setWordWrap(True)
        self.warning.hide()
        layout.addWidget(self.warning)
        self.first_run = plain(QLabel())
        self.first_run.setWordWrap(True)
        self.first_run.hide()
        layout.addWidget(self.first_run)
        self.table_model = ModelsTableModel()
        self.table = QTableView()
        self.table.setModel(self.table_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setItemDelegateForColumn(4, _ProgressDelegate(self.table))
        self.table.selectionModel().currentRowChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)
        self.details = plain(QLabel())
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.details)

        buttons = QHBoxLayout()
        self.download_button = QPushButton("Download")
        self.pause_button = QPushButton("Pause")
        self.cancel_button = QPushButton("Cancel")
        self.delete_button = QPushButton("Delete")
        self.check_button = QPushButton("Check file")
        self.check_button.setToolTip("Read the model file's header from the hub before downloading it")
        self.chat_button = QPushButton("Use for chat")
        self.infill_button = QPushButton("Use for infill")
        self.import_button = QPushButton("Import .gguf…")
        for button, slot in ((self.download_button, self.download), (self.pause_button, self.pause),
                             (self.cancel_button, self.cancel), (self.delete_button, self.delete),
                             (self.check_button, self.check_remote), (self.chat_button, self.use_for_chat),
                             (self.infill_button, self.use_for_infill), (self.import_button, self.import_dialog)):
            button.clicked.connect(slot)
            buttons.addWidget(button)
        layout.addLayout(buttons)

        footer = QHBoxLayout()
        self.disk_label = plain(QLabel())
        footer.addWidget(self.disk_label, 1)
        footer.addWidget(QLabel("Hugging Face token (gated models):"))
        self.token = QLineEdit(ctx.settings.hf_token)
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        self.token.setPlaceholderText("hf_… (or set HF_TOKEN)")
        self.token.editingFinished.connect(self._save_token)
        footer.addWidget(self.token)
        layout.addLayout(footer)

        downloads.progress.connect(self._on_progress)
        downloads.finished.connect(self._on_finished)
        downloads.failed.connect(self._on_failed)
        self.setAcceptDrops(True)
        self.refresh()

    # Data ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        catalogue = self._catalogue

        def work() -> tuple[Manifest, Listing]:
            manifest = catalogue.load_manifest()
            return manifest, catalogue.listing(manifest)

        self._downloads.run_task(work, self._show_rows, self._show_error)

    def _show_rows(self, result: tuple[Manifest, Listing]) -> None:
        manifest, listing = result
        # The Manifest is frozen and replaced as a whole (never edited in place), here on the GUI
        # thread that reads it: other readers see the old manifest or the new one, never a mix.
        self._ctx.manifest = manifest
        rows = [ModelRow(item) for item in listing.rows]
        for row in rows:  # keep live download state across refreshes
            if self._downloads.is_active(row.entry.id):
                old = self.table_model.row_index(row.entry.id)
                if old >= 0:
                    row.state, row.progress = self.table_model.rows[old].state, self.table_model.rows[old].progress
                else:
                    row.state = DownloadState.QUEUED
        self.table_model.set_rows(rows)
        self.summary.setText(listing.machine.describe())
        self.warning.setText(listing.warning or "")
        self.warning.setVisible(bool(listing.warning))
        downloaded = listing.anything_downloaded
        if not downloaded:
            rec = next((r for r in rows if r.item.recommended), None)
            self.first_run.setText(
                "Nothing downloaded yet: chat runs on the embedded SmolLM2 (tiny, instant). "
                + (f"Recommended next: {rec.entry.name} ({rec.fit}, {rec.fit_detail})." if rec else ""))
        self.first_run.setVisible(not downloaded)
        self._update_disk()
        self._update_buttons()

    def _show_error(self, error: ErrorLike, prefix: str = "") -> None:
        # str() is a UserError's message, and a plain string's itself.
        self.details.setText(f"{prefix}{error}")

    def _update_disk(self) -> None:
        used = sum(r.on_disk for r in self.table_model.rows)
        self.disk_label.setText(f"Models use {used / 1e9:.2f} GB in {self._ctx.paths.models}")

    def selected(self) -> ModelRow | None:
        index = self.table.currentIndex()
        return self.table_model.rows[index.row()] if index.isValid() else None

    def select(self, model_id: str) -> None:
        row = self.table_model.row_index(model_id)
        if row >= 0:
            self.table.selectRow(row)

    def _selection_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.selected()
        if row is not None:
            e = row.entry
            self.details.setText(f"{e.name} — {e.parameters} parameters, {e.quantization or '?'}, "
                                 f"context {e.context_length:,}, roles: {', '.join(e.roles)}, license: "
                                 f"{e.license or '?'}. {row.fit_detail}. {e.note}")
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self.selected()
        state = row.state if row else None
        active = row is not None and self._downloads.is_active(row.entry.id)
        resumable = state in (ModelState.PARTIAL, DownloadState.PAUSED)
        self.download_button.setEnabled(row is not None and not active and (resumable or state in (
            ModelState.AVAILABLE, DownloadState.FAILED, DownloadState.CANCELLED)))
        self.download_button.setText("Resume" if resumable else "Download")
        self.pause_button.setEnabled(active)
        self.cancel_button.setEnabled(active or resumable)
        self.delete_button.setEnabled(not active and (resumable or state in (ModelState.INSTALLED, ModelState.IMPORTED)))
        self.check_button.setEnabled(row is not None and bool(row.entry.repo) and state is not ModelState.EMBEDDED)
        usable = isinstance(state, ModelState) and state.usable
        self.chat_button.setEnabled(usable and row is not None and "chat" in row.entry.roles)
        self.infill_button.setEnabled(usable and row is not None and "infill" in row.entry.roles)

    # Actions -------------------------------------------------------------------------------
    def download(self) -> None:
        row = self.selected()
        if row is None:
            return
        self._downloads.enqueue(row.entry)
        self.table_model.update_row(row.entry.id, state=DownloadState.QUEUED, error="")
        self._update_buttons()

    def pause(self) -> None:
        row = self.selected()
        if row is not None:
            self._downloads.pause(row.entry.id)

    def cancel(self) -> None:
        row = self.selected()
        if row is None:
            return
        if self._downloads.is_active(row.entry.id):
            self._downloads.cancel(row.entry.id)
        else:  # a paused download: cancelling deletes its partial file
            self.delete()

    def delete(self) -> None:
        row = self.selected()
        if row is None:
            return
        entry, catalogue = row.entry, self._catalogue

        def done(removal: Removal) -> None:
            self.details.setText(f"Forgot {entry.name}; its file was left in place." if removal.forgotten
                                 else f"Removed {entry.name}; freed {removal.freed / 1e9:.2f} GB.")
            self.refresh()

        self._downloads.run_task(lambda: catalogue.remove(entry), done, self._show_error)

    def check_remote(self) -> None:
        row = self.selected()
        if row is None:
            return
        entry, catalogue = row.entry, self._catalogue
        self.details.setText(f"Reading the header of {entry.files[0]} from the hub…")

        options = self._options()  # read the settings here, on the GUI thread that owns them
        self._downloads.run_task(lambda: catalogue.check_remote(entry, options), self._show_check,
                                 lambda error: self._show_error(error, "Check failed: "))

    def _show_check(self, check: RemoteCheck) -> None:
        fit = check.fit
        self.details.setText(
            f"{check.filename}: {check.size / 1e9:.2f} GB, architecture {check.architecture} — "
            f"{check.support_reason}; trained context {check.context_length or '?'}; chat template "
            f"{'yes' if check.chat_template else 'no'}; infill tokens "
            f"{_infill_text(check)}; sha256 {check.sha256 or 'not published'}."
            + (f" {fit.verdict}: {fit.detail}." if fit else ""))

    def _options(self):
        return self._ctx.download_options()

    def use_for_chat(self) -> None:
        row = self.selected()
        if row is not None:
            self.chat_model_chosen.emit(row.entry.id)
            self.details.setText(f"Loading {row.entry.name} for chat…")

    def use_for_infill(self) -> None:
        row = self.selected()
        if row is not None:
            self._ctx.update_settings(default_infill_model=row.entry.id)  # validated, saved soon, announced
            self.details.setText(f"{row.entry.name} is now the default for infill.")

    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a GGUF model", str(Path.home()),
                                              "GGUF models (*.gguf);;All files (*)")
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        catalogue = self._catalogue

        def done(entry: ModelEntry) -> None:
            self.details.setText(f"Imported {path.name} as {entry.id}.")
            self.refresh()

        self._downloads.run_task(lambda: catalogue.import_file(path), done,
                                 lambda error: self._show_error(error, "Import failed: "))

    def _save_token(self) -> None:
        self._ctx.update_settings(hf_token=self.token.text().strip())

    # Drag and drop of .gguf files -------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if any(u.toLocalFile().lower().endswith(".gguf") for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        for url in event.mimeData().urls():
            if url.toLocalFile().lower().endswith(".gguf"):
                self.import_file(Path(url.toLocalFile()))

    # Download signals -------------------------------------------------------------------------
    def _on_progress(self, event: DownloadProgress) -> None:
        state: RowState = ModelState.INSTALLED if event.state is DownloadState.DONE else event.state
        self.table_model.update_row(event.model_id, state=state, progress=event)

    def _on_finished(self, model_id: str, state: DownloadState) -> None:
        self._update_buttons()
        if state in (DownloadState.DONE, DownloadState.CANCELLED):
            self.refresh()
        else:
            self.table_model.update_row(model_id, state=DownloadState.PAUSED)

    def _on_failed(self, model_id: str, error: ErrorLike) -> None:
        message = str(error)  # a UserError's message, or the message itself
        self.table_model.update_row(model_id, state=DownloadState.FAILED, error=message)
        self.details.setText(message)
        self._update_buttons()


def _infill_text(check: RemoteCheck) -> str:
    return f"yes ({check.infill_family.label})" if check.infill_family is not None else "no"
