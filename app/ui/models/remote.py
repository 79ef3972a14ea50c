"""The Models window's remote engine: a server's address, key and model, Test connection, and Use.

Every network step (the probe, the keyring) runs off the GUI thread: Test connection and saving on
the model-task thread (DownloadService.run_task), connecting on the inference thread
(InferenceService.load_remote), whose `loaded`/`load_failed` say how it went.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.core.engine_types import EngineInfo
from app.core.errors import UserError
from app.core.remote.engine import RemoteConfig, check_connection
from app.core.remote.probe import ServerReport
from app.core.remote.saved import SavedRemote, key_for, load_remotes, save_remote
from app.ui.i18n import resolve
from app.workers.downloads import DownloadService
from app.workers.inference import InferenceService

PLACEHOLDER = "http://127.0.0.1:8080 (llama-server), :11434 (Ollama), :1234 (LM Studio), :8000 (vLLM)"  # names only


class RemoteEngineDialog(QDialog):
    """Add or edit a remote engine, test it, and use it for chat, repository questions and infill."""

    def __init__(self, ctx: AppContext, downloads: DownloadService, inference: InferenceService | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Remote engine"))
        self.resize(640, 420)
        self._ctx, self._downloads, self._inference = ctx, downloads, inference
        self._connecting = False
        self.url = QLineEdit()
        self.url.setPlaceholderText(PLACEHOLDER)
        self.key = QLineEdit()
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText(self.tr("API key, if the server needs one (kept in the system keyring)"))
        self.model = QLineEdit()
        self.model.setPlaceholderText(self.tr("the server's model (empty: its first)"))
        form = QFormLayout()
        form.addRow(self.tr("Address"), self.url)
        form.addRow(self.tr("Key"), self.key)
        form.addRow(self.tr("Model"), self.model)
        self.report = QPlainTextEdit()
        self.report.setReadOnly(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.test_button = QPushButton(self.tr("Test connection"))
        self.use_button = QPushButton(self.tr("Save and use"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.use_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.rejected.connect(self.reject)
        self.test_button.clicked.connect(self.test)
        self.use_button.clicked.connect(self.use)
        self.use_button.setEnabled(inference is not None)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.report, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        if inference is not None:
            inference.loaded.connect(self._on_loaded)
            inference.load_failed.connect(self._on_failed)
        config_dir = ctx.paths.config
        self._downloads.run_task(lambda: load_remotes(config_dir), self._show_saved, self._show_error)

    def _show_saved(self, remotes: list[SavedRemote]) -> None:
        if remotes and not self.url.text():
            last = remotes[-1]
            self.url.setText(last.url)
            self.model.setText(last.model)

    def config(self) -> RemoteConfig:
        return RemoteConfig(self.url.text().strip(), self.key.text().strip(), self.model.text().strip())

    def test(self) -> None:
        config, config_dir = self.config(), self._ctx.paths.config

        def work() -> ServerReport:  # on the model-task thread: the keyring and the network may block
            key = key_for(config_dir, config.url, config.key) if config.url else ""
            return check_connection(RemoteConfig(config.url, key, config.model))

        self.status.setText(self.tr("Testing {url}…").format(url=config.url) if config.url
                            else self.tr("Testing the address…"))
        self.test_button.setEnabled(False)
        self._downloads.run_task(work, self._show_report, self._show_error)

    def _show_report(self, report: ServerReport) -> None:
        self.test_button.setEnabled(True)
        self.report.setPlainText("\n".join(resolve(line) for line in report.lines()))
        self.status.setText(self.tr("Connected to {kind}.").format(kind=resolve(report.kind.value)))

    def _show_error(self, error: Exception | str) -> None:
        self.test_button.setEnabled(True)
        message = resolve(error.message) if isinstance(error, UserError) else str(error)
        self.status.setText(self.tr("Failed: {error}").format(error=message))

    def use(self) -> None:
        """Save the entry (and its key), then connect on the inference thread."""
        if self._inference is None:
            return
        config, config_dir, inference = self.config(), self._ctx.paths.config, self._inference

        def work() -> RemoteConfig:
            save_remote(config_dir, SavedRemote(config.url, config.model), config.key or None)
            return RemoteConfig(config.url, key_for(config_dir, config.url, config.key), config.model)

        def connect(saved: RemoteConfig) -> None:
            self._connecting = True
            inference.load_remote(saved)

        self.status.setText(self.tr("Connecting to {url}…").format(url=config.url))
        self._downloads.run_task(work, connect, self._show_error)

    def _on_loaded(self, info: EngineInfo) -> None:
        if self._connecting:
            self._connecting = False
            self.status.setText(self.tr("Using {model} on {url} ({n_ctx} tokens of context).").format(
                model=info.model_name, url=info.model_path, n_ctx=f"{info.n_ctx:,}"))

    def _on_failed(self, error: Exception) -> None:
        if self._connecting:
            self._connecting = False
            self._show_error(error)


def add_remote_button(window) -> QPushButton:
    """The Models window's 'Remote engine…' button, beside Import (the one hook in that window)."""
    button = QPushButton(QCoreApplication.translate("ModelsWindow", "Remote engine…"))
    button.setToolTip(QCoreApplication.translate(
        "ModelsWindow", "Use a model served by llama-server, vLLM, Ollama, LM Studio or another OpenAI-compatible "
        "server"))
    row = _layout_holding(window.layout(), window.import_button)
    if row is not None:
        row.addWidget(button)

    def open_dialog() -> None:
        dialog = RemoteEngineDialog(window._ctx, window._downloads, window._inference, window)  # noqa: SLF001
        window.remote_dialog = dialog
        dialog.show()

    button.clicked.connect(open_dialog)
    return button


def _layout_holding(layout: QLayout | None, widget: QWidget) -> QLayout | None:
    if layout is None:
        return None
    if layout.indexOf(widget) >= 0:
        return layout
    for index in range(layout.count()):
        found = _layout_holding(layout.itemAt(index).layout(), widget)
        if found is not None:
            return found
    return None
