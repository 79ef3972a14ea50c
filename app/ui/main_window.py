"""The main window: panes in tabs, one error banner, model and backend in the status bar."""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.context import AppContext
from app.core.engine import EngineInfo
from app.core.repo.assistant import RepoAssistant
from app.ui.chat.pane import ChatPane
from app.ui.highlight import is_dark
from app.ui.infill.pane import InfillPane
from app.ui.models.window import ModelsWindow
from app.ui.plain_text import plain, tooltip
from app.ui.repo.pane import RepoPane
from app.workers.downloads import DownloadService
from app.workers.inference import InferenceService
from app.workers.store_worker import StoreService, save_settings_later
from app.workers.tasks import TaskRunner

log = logging.getLogger(__name__)


class ErrorBanner(QWidget):
    """The one place errors are shown: a dismissable bar above the panes."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("errorBanner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.label = plain(QLabel())
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        close = QPushButton("Dismiss")
        close.clicked.connect(self.hide)
        layout.addWidget(close)
        self.hide()

    def show_message(self, message: str) -> None:
        self.label.setText(message)
        self.show()


class MainWindow(QMainWindow):
    # Emitted from any thread (the exception hook); delivered on the GUI thread.
    uncaught = Signal(str)

    def __init__(self, ctx: AppContext, inference: InferenceService, store: StoreService,
                 downloads: DownloadService) -> None:
        super().__init__()
        self.ctx = ctx
        self._ctx = ctx
        self.inference = inference
        self.store = store
        self.downloads = downloads
        self.models_window: ModelsWindow | None = None
        self.setAcceptDrops(True)  # drop a .gguf file to import it
        self.setWindowTitle("Code Llama Desktop")
        self._pending_model: str | None = None
        self.resize(1100, 760)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.banner = ErrorBanner()
        layout.addWidget(self.banner)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.chat = ChatPane(ctx, inference, store, self.show_error, self.code_style)
        self.chat.placeholder.setTextFormat(Qt.TextFormat.RichText)
        self.chat.placeholder.linkActivated.connect(lambda _link: self.open_models())
        self.tabs.addTab(self.chat, "Chat")
        # One repository assistant, used only on the repository thread: the pane asks it, the infill
        # pane gets definitions from it.
        self.repo_assistant = RepoAssistant.in_cache(ctx.paths.cache)
        self.repo_runner = TaskRunner("repository", self)
        self.repo = RepoPane(ctx, inference, self.show_error, self.code_style, self.repo_assistant, self.repo_runner)
        self.tabs.addTab(self.repo, "Repository")
        self.repo.status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.infill = InfillPane(ctx, inference, self.show_error, self.code_style, self.repo_assistant,
                                 self.repo_runner)
        self.tabs.addTab(self.infill, "Infill")
        self.infill.status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.model_label = plain(QLabel("No model"))
        self.model_label.setObjectName("modelLabel")
        self.usage_label = plain(QLabel(""))
        self.statusBar().addPermanentWidget(self.usage_label)
        self.statusBar().addPermanentWidget(self.model_label)
        self.chat.status.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.chat.usage.connect(lambda used, n_ctx: self.usage_label.setText(f"{used:,} / {n_ctx:,} tokens"))
        inference.loading.connect(lambda name: self.model_label.setText(f"Loading {name}…"))
        inference.loaded.connect(self._on_loaded)
        inference.load_failed.connect(self._on_load_failed)
        self.chat.theme_changed.connect(self._apply_theme)
        self.uncaught.connect(self.show_error)
        store.error.connect(self.show_error)
        store.recovered.connect(lambda path: self.show_error(
            f"The conversation database was damaged. Everything that could be read was carried over into a "
            f"new one; the damaged file was kept as {path}."))
        self._build_menus()
        if ctx.settings.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(ctx.settings.window_geometry.encode()))

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        for text, keys, slot in (("&New chat", "Ctrl+N", self.chat.new_chat),
                                 ("&Models…", "Ctrl+M", self.open_models),
                                 ("&Open model file…", "Ctrl+O", self.open_model_file),
                                 ("&Export conversation…", "Ctrl+Shift+S", self.chat.export),
                                 ("Chat &settings…", "Ctrl+,", self.chat.open_settings),
                                 ("&Quit", "Ctrl+Q", self.close)):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(slot)
            file_menu.addAction(action)
        help_menu = self.menuBar().addMenu("&Help")
        logs = QAction("Open &log folder", self)
        logs.triggered.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._ctx.paths.logs))))
        help_menu.addAction(logs)
        about = QAction("&About", self)
        about.triggered.connect(lambda: QMessageBox.about(
            self, "Code Llama Desktop", f"Code Llama Desktop {__version__}\nA local coding assistant on llama.cpp."))
        help_menu.addAction(about)

    def open_models(self) -> ModelsWindow:
        if self.models_window is None:
            self.models_window = ModelsWindow(self._ctx, self.downloads, self.store, self)
            self.models_window.chat_model_chosen.connect(self.use_model)
        else:
            self.models_window.refresh()
        self.models_window.show()
        self.models_window.raise_()
        return self.models_window

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        from pathlib import Path

        urls = [u.toLocalFile() for u in event.mimeData().urls()]
        if any(u.lower().endswith(".gguf") or Path(u).is_dir() for u in urls):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        """A .gguf file is imported as a model; a folder is opened in the repository pane."""
        from pathlib import Path

        for url in event.mimeData().urls():
            local = Path(url.toLocalFile())
            if local.is_dir():
                self.tabs.setCurrentWidget(self.repo)
                self.repo.open_folder(local)
                return
            if local.suffix.lower() == ".gguf":
                self.open_models().import_file(local)
            elif local.is_file():  # any other file is code to work on in the infill pane
                self.tabs.setCurrentWidget(self.infill)
                self.infill.open_file(local)
                return

    def shutdown(self) -> None:
        """Stop the worker threads (after the window has closed)."""
        self.infill.shutdown()
        self.repo.shutdown()
        self.repo_runner.submit(lambda _report: self.repo_assistant.close())
        self.repo_runner.shutdown()
        self.downloads.shutdown()
        self.inference.shutdown()
        self.store.shutdown()

    def open_model_file(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        if self.chat.generating:
            self.show_error("Stop the answer first, then switch models.")
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open a GGUF model", str(self._ctx.paths.models),
                                              "GGUF models (*.gguf);;All files (*)")
        if path:
            self.use_model(path)

    def use_model(self, spec: str) -> None:
        """Load another model; it becomes the default once it has loaded."""
        self._pending_model = spec
        self.inference.load(spec)

    def code_style(self) -> str:
        theme = self._ctx.settings.theme
        dark = theme == "dark" or (theme == "auto" and is_dark())
        return self._ctx.settings.code_style_dark if dark else self._ctx.settings.code_style_light

    def _apply_theme(self) -> None:
        from PySide6.QtWidgets import QApplication

        from app.ui.theme import apply_theme

        apply_theme(QApplication.instance(), self._ctx.settings.theme)
        self.chat.rerender()
        self.infill.set_code_style(self.code_style())

    def show_error(self, message: str) -> None:
        if not self.banner.isHidden() and self.banner.label.text() == message:
            return  # several jobs failing for one cause (a read-only disk) say it once
        log.warning("shown to the user: %s", message)
        self.banner.show_message(message)

    def _on_loaded(self, info: EngineInfo) -> None:
        if self._pending_model is not None:
            self._ctx.settings.chat_model, self._pending_model = self._pending_model, None
            save_settings_later(self.store, self._ctx.settings, self._ctx.paths.settings_file)
        where = info.backend if info.gpu_layers == 0 else f"{info.backend}, {info.gpu_layers} GPU layers"
        self.model_label.setText(f"{info.model_name} · {where} · ctx {info.n_ctx:,} · "
                                 f"{info.threads}/{info.threads_batch} threads")
        self.model_label.setToolTip(tooltip(info.model_path))
        if info.context_reduced_for_memory:
            self.show_error(f"The context was reduced to {info.n_ctx:,} tokens to fit in memory.")
        elif info.n_ctx_train and info.n_ctx > info.n_ctx_train:
            self.show_error(f"The context is {info.n_ctx:,} tokens, beyond the {info.n_ctx_train:,} this model was "
                            "trained on: long prompts take more memory and time, and answers may degrade.")
        self.statusBar().showMessage(f"Model loaded in {info.load_seconds:.1f} s", 5000)
        embedded = self._ctx.manifest.embedded
        if embedded is not None and info.model_id == embedded.id:
            # First run (or nothing else chosen): offer a real code model.
            self.chat.placeholder.setText(
                "You are chatting with the embedded SmolLM2: tiny and instant, but weak at real code.<br>"
                "<a href='models'>Open Models (Ctrl+M)</a> to download Code Llama 7B Instruct, recommended "
                "for this machine, or another model.<br><br>Ctrl+Enter sends, Esc stops. Nothing leaves your machine.")

    def _on_load_failed(self, message: str) -> None:
        self._pending_model = None
        self.model_label.setText("No model")
        self.show_error(message)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.chat.prepare_close()
        self._ctx.settings.window_geometry = bytes(self.saveGeometry().toBase64()).decode()
        # Queued before the store thread's blocking shutdown, so it is written before exit.
        save_settings_later(self.store, self._ctx.settings, self._ctx.paths.settings_file)
        super().closeEvent(event)


def start_model_load(window: MainWindow, inference: InferenceService, spec: str = "") -> None:
    """Load after the window is on screen, so start-up never waits for the model."""
    QTimer.singleShot(0, lambda: inference.load(spec))
