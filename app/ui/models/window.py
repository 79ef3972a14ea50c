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
from app.core.download import DownloadProgress, DownloadState
from app.core.manifest import add_user_entry, load_all, remove_user_entry
from app.core.models import ModelState, disk_usage, import_entry, model_state, remove_model
from app.ui.models.table_model import ModelRow, ModelsTableModel, ProgressRole, RowState
from app.ui.plain_text import plain
from app.workers.downloads import DownloadService
from app.workers.store_worker import StoreService, save_settings_later

RECOMMENDED_CHAT = "codellama-7b-instruct-q4_k_m"


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


def compute_rows(ctx: AppContext, manifest) -> tuple[list[ModelRow], str, str | None]:
    """Every row with its state and fit, plus a hardware summary: slow (nvidia-smi, llama.cpp), so
    it runs on the download thread."""
    from app.core import hardware
    from app.core.fit import assess, cpu_only_warning, file_size_estimate

    rows = []
    reports = {}
    for entry in manifest.entries:
        fit = reports[entry.id] = assess(entry)
        rows.append(ModelRow(entry=entry, state=model_state(entry, ctx.paths.models),
                             fit=fit.verdict if fit else "?", fit_detail=fit.detail if fit else "",
                             size=entry.size or file_size_estimate(entry), on_disk=disk_usage(entry, ctx.paths.models)))
    # Mark the best quantization of each model that fits (GPU first, then RAM), from the fits above.
    from app.core.fit import best_quantization

    for key in {(r.entry.family, r.entry.parameters) for r in rows if r.entry.quantization}:
        same = [r for r in rows if (r.entry.family, r.entry.parameters) == key]
        best = best_quantization([(r.entry, reports[r.entry.id]) for r in same])
        if best is not None and len(same) > 1:
            for r in same:
                if r.entry.id == best.id:
                    r.fit += " · best quant"
                    r.fit_detail += "; the best quantization of this model for this machine"
    build = hardware.build_info()
    gpu = hardware.detect_gpu()
    summary = (f"This machine: {hardware.total_ram() / 2**30:.0f} GiB RAM, "
               + (f"{gpu.name} ({gpu.vram_bytes / 2**30:.0f} GiB{' unified' if gpu.unified else ''})" if gpu
                  else "no GPU found")
               + f"; llama.cpp backend: {build.backend}.")
    return rows, summary, cpu_only_warning()


class ModelsWindow(QDialog):
    chat_model_chosen = Signal(str)  # manifest id to load for chat

    def __init__(self, ctx: AppContext, downloads: DownloadService, store: StoreService,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Models")
        self.resize(980, 560)
        self._ctx = ctx
        self._downloads = downloads
        self._store = store
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
        ctx = self._ctx

        def work():
            manifest = load_all(ctx.paths.user_manifest)
            return (manifest, *compute_rows(ctx, manifest))

        self._downloads.run_task(work, self._show_rows, lambda message: self.details.setText(message))

    def _show_rows(self, result) -> None:
        manifest, rows, summary, warning = result
        self._ctx.manifest = manifest  # swapped on the GUI thread, which reads it
        for row in rows:  # keep live download state across refreshes
            if self._downloads.is_active(row.entry.id):
                old = self.table_model.row_index(row.entry.id)
                if old >= 0:
                    row.state, row.progress = self.table_model.rows[old].state, self.table_model.rows[old].progress
                else:
                    row.state = DownloadState.QUEUED
        self.table_model.set_rows(rows)
        self.summary.setText(summary)
        self.warning.setText(warning or "")
        self.warning.setVisible(bool(warning))
        downloaded = [r for r in rows if r.state in (ModelState.INSTALLED, ModelState.IMPORTED)]
        if not downloaded:
            rec = next((r for r in rows if r.entry.id == RECOMMENDED_CHAT), None)
            self.first_run.setText(
                "Nothing downloaded yet: chat runs on the embedded SmolLM2 (tiny, instant). "
                + (f"Recommended next: {rec.entry.name} ({rec.fit}, {rec.fit_detail})." if rec else ""))
        self.first_run.setVisible(not downloaded)
        self._update_disk()
        self._update_buttons()

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
        entry, models = row.entry, self._ctx.paths.models
        user_manifest = self._ctx.paths.user_manifest

        def work():
            if entry.local_path:
                remove_user_entry(user_manifest, entry.id)
                return 0
            return remove_model(entry, models)

        self._downloads.run_task(work, lambda freed: (self.details.setText(
            f"Removed {entry.name}; freed {freed / 1e9:.2f} GB."), self.refresh()), self.details.setText)

    def check_remote(self) -> None:
        row = self.selected()
        if row is None:
            return
        entry = row.entry
        self.details.setText(f"Reading the header of {entry.files[0]} from the hub…")

        def work() -> str:
            from app.core.download import probe_remote_header, resolve_files
            from app.core.fit import assess
            from app.core.gguf_support import check_header

            options = self._options()
            remote = resolve_files(entry, options)[0]
            header = probe_remote_header(remote, options)
            info = header.info
            verdict = check_header(header.data, info)
            fim = any("fim_" in k or k.endswith("prefix_token_id") for k in info.metadata)
            fit = assess(entry, info=info)
            return (f"{remote.filename}: {remote.size / 1e9:.2f} GB, architecture {info.architecture} — "
                    f"{verdict.reason}; trained context {info.context_length or '?'}; chat template "
                    f"{'yes' if info.has_chat_template else 'no'}; infill tokens {'yes' if fim else 'no'}; "
                    f"sha256 {remote.sha256 or 'not published'}." + (f" {fit.verdict}: {fit.detail}." if fit else ""))

        self._downloads.run_task(work, self.details.setText, lambda m: self.details.setText(f"Check failed: {m}"))

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
            self._ctx.settings.default_infill_model = row.entry.id
            save_settings_later(self._store, self._ctx.settings, self._ctx.paths.settings_file)
            self.details.setText(f"{row.entry.name} is now the default for infill.")

    def import_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a GGUF model", str(Path.home()),
                                              "GGUF models (*.gguf);;All files (*)")
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> None:
        ctx = self._ctx

        def work():
            entry = import_entry(path, load_all(ctx.paths.user_manifest))
            add_user_entry(ctx.paths.user_manifest, entry)
            return entry

        def done(entry) -> None:
            self.details.setText(f"Imported {path.name} as {entry.id}.")
            self.refresh()

        self._downloads.run_task(work, done, lambda m: self.details.setText(f"Import failed: {m}"))

    def _save_token(self) -> None:
        self._ctx.settings.hf_token = self.token.text().strip()
        save_settings_later(self._store, self._ctx.settings, self._ctx.paths.settings_file)

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

    def _on_failed(self, model_id: str, message: str) -> None:
        self.table_model.update_row(model_id, state=DownloadState.FAILED, error=message)
        self.details.setText(message)
        self._update_buttons()
