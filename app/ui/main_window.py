"""The main window: panes in tabs, one error banner, model and backend in the status bar."""

from __future__ import annotations

import logging
from typing import Callable

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
from app.core.errors import UserError
from app.core.settings import Theme, explain_context
from app.core.settings_owner import SettingsChange
from app.services import Services
from app.ui.chat.pane import ChatPane
from app.ui.highlight import is_dark
from app.ui.i18n import resolve
from app.ui.infill.pane import InfillPane
from app.ui.models.speed_recorder import SpeedRecorder
from app.ui.models.window import ModelsWindow
from app.ui.plain_text import plain
from app.ui.repo.pane import RepoPane
from app.ui.server.control import ServerControl
from app.ui.settings import SettingsWindow
from app.ui.settings_autosave import SettingsAutosave
from app.ui.status_labels import StatusLabels
from app.ui.tool_windows import ToolWindows
from app.workers.inference import InferenceService

log = logging.getLogger(__name__)


THEME_SETTINGS = ("theme", "code_style_light", "code_style_dark")


class ErrorBanner(QWidget):
    """The one place errors are shown: a dismissable bar above the panes.

    A `UserError` that says retrying may help gets a "Try again" button when the caller can
    retry it, and a hint otherwise.
    """

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
        self.retry_button = QPushButton(self.tr("Try again"))
        self.retry_button.clicked.connect(self._retry_now)
        layout.addWidget(self.retry_button)
        close = QPushButton(self.tr("Dismiss"))
        close.clicked.connect(self.hide)
        layout.addWidget(close)
        self._retry: Callable[[], None] | None = None
        self.hide()

    def show_message(self, message: str, retry: Callable[[], None] | None = None) -> None:
        self.label.setText(message)
        self._retry = retry
        self.retry_button.setVisible(retry is not None)
        self.show()

    def _retry_now(self) -> None:
        retry, self._retry = self._retry, None
        self.hide()
        if retry is not None:
            retry()


class MainWindow(QMainWindow):
    # Emitted from any thread (the exception hook); delivered on the GUI thread.
    uncaught = Signal(str)

    def __init__(self, ctx: AppContext, services: Services) -> None:
        super().__init__()
        self.ctx = ctx
        self._ctx = ctx
        self.services = services
        self.inference = inference = services.inference
        self.store = store = services.store
        self.downloads = services.downloads
        # Times every finished answer for the Models window's speed estimates (written on the files thread).
        self.speed_recorder = SpeedRecorder(inference, services.files, services.catalogue.speeds, self)
        services.report_errors_to(self.show_error)
        # Settings are saved soon after each change, on a background thread, not only on a clean exit.
        self._autosave = SettingsAutosave(services.files, ctx.paths.settings_file, self.show_error, self)
        ctx.settings_owner.save = self._autosave
        self._unsubscribe = ctx.settings_owner.subscribe(self._settings_changed)
        self.restart_command: tuple[str, list[str]] | None = None  # set when the user asked to restart (run_gui)
        self.tool_windows = ToolWindows(self)  # Models, Settings, Local server, Measure: made when first opened
        # The local server runs the loaded model through the inference thread; off until switched on.
        self.server_control = ServerControl(inference.runner, services.server, self)
        self.setAcceptDrops(True)  # drop a .gguf file to import it
        self.setWindowTitle(self.tr("Code Llama Desktop"))
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
        self.chat.settings_requested.connect(lambda: self.open_settings("Chat"))
        self.tabs.addTab(self.chat, self.tr("Chat"))
        # One repository assistant, used only on the repository thread: the pane asks it, the infill
        # pane gets definitions from it.
        self.repo_assistant = services.repo_assistant
        self.repo_runner = services.repository
        self.repo = RepoPane(ctx, inference, self.show_error, self.code_style, self.repo_assistant, self.repo_runner)
        self.tabs.addTab(self.repo, self.tr("Repository"))
        self.repo.status.connect(self.show_status)
        self.infill = InfillPane(ctx, inference, self.show_error, self.code_style, self.repo_assistant,
                                 self.repo_runner, files_runner=services.files)
        self.tabs.addTab(self.infill, self.tr("Infill"))
        self.infill.status.connect(self.show_status)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        # Each pane's keys (Ctrl+Enter, Esc) act while focus is inside it: a tab switch puts focus there.
        self.tabs.currentChanged.connect(self._focus_current_pane)

        self.status_labels = labels = StatusLabels(self.statusBar(), inference, self.server_control, self.open_server)
        self.model_label, self.usage_label, self.server_label = labels.model, labels.usage, labels.server
        self.chat.status.connect(self.show_status)
        self.chat.usage.connect(labels.show_usage)
        inference.loaded.connect(self._on_loaded)
        inference.load_failed.connect(self._on_load_failed)
        self.uncaught.connect(self.show_error)
        store.error.connect(self.show_error)
        store.recovered.connect(lambda path: self.show_error(self.tr(
            "The conversation database was damaged. Everything that could be read was carried over into a "
            "new one; the damaged file was kept as {path}.").format(path=path)))
        self._build_menus()
        if ctx.settings.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(ctx.settings.window_geometry.encode()))

    def _build_menus(self) -> None:
        # Each key sequence has one owner: these window-wide actions. A pane binding the same keys
        # makes Qt call both ambiguous and fire neither (tests/ui/test_shortcuts.py walks every window).
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.actions_by_name: dict[str, QAction] = {}
        for name, text, keys, slot in (("new_chat", self.tr("&New chat"), "Ctrl+N", self.new_chat),
                                       ("models", self.tr("&Models…"), "Ctrl+M", self.open_models),
                                       ("open_model", self.tr("&Open model file…"), "Ctrl+O", self.open_model_file),
                                       ("export", self.tr("&Export conversation…"), "Ctrl+Shift+S", self.export_chat),
                                       ("server", self.tr("Local se&rver…"), "", self.open_server),
                                       ("settings", self.tr("&Settings…"), "Ctrl+,", self.open_settings),
                                       ("quit", self.tr("&Quit"), "Ctrl+Q", self.close)):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
            file_menu.addAction(action)
            self.actions_by_name[name] = action
        tools_menu = self.menuBar().addMenu(self.tr("&Tools"))
        measure = QAction(self.tr("&Measure models…"), self)
        measure.triggered.connect(lambda _checked=False: self.open_measure())
        tools_menu.addAction(measure)
        self.actions_by_name["measure"] = measure
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        logs = QAction(self.tr("Open &log folder"), self)
        logs.triggered.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._ctx.paths.logs))))
        help_menu.addAction(logs)
        about = QAction(self.tr("&About"), self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def show_about(self) -> QMessageBox:
        """The About box, shown without blocking (the tests walk it like any window)."""
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("About Code Llama Desktop"),
                          self.tr("Code Llama Desktop {version}\nA local coding assistant on llama.cpp.").format(
                              version=__version__),
                          QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def _focus_current_pane(self, _index: int) -> None:
        inputs = {self.chat: self.chat.composer, self.repo: self.repo.question, self.infill: self.infill.editor}
        target = inputs.get(self.tabs.currentWidget())
        if target is not None:
            target.setFocus()

    def new_chat(self) -> None:
        """A new conversation, from any tab: the chat comes to the front."""
        self.tabs.setCurrentWidget(self.chat)
        self.chat.new_chat()

    def export_chat(self) -> None:
        self.tabs.setCurrentWidget(self.chat)
        self.chat.export()

    # The secondary windows (app/ui/tool_windows.py); these names are what menus, links and tests call.
    def open_settings(self, page: str = "") -> SettingsWindow:
        return self.tool_windows.open_settings(page)

    def open_server(self):
        return self.tool_windows.open_server()

    def open_measure(self):
        return self.tool_windows.open_measure()

    def open_models(self) -> ModelsWindow:
        return self.tool_windows.open_models()

    @property
    def models_window(self) -> ModelsWindow | None:
        return self.tool_windows.models

    @property
    def settings_window(self) -> SettingsWindow | None:
        return self.tool_windows.settings

    @property
    def server_window(self):
        return self.tool_windows.server

    @property
    def measure_window(self):
        return self.tool_windows.measure

    def show_status(self, text: str) -> None:
        """A passing message in the status bar (a pane's or a window's)."""
        self.statusBar().showMessage(text, 8000)

    def restart(self) -> None:
        """Quit through the normal shutdown, then start again (app.gui_main.run_gui starts the command)."""
        from app.ui.restart import restart_command

        self.restart_command = restart_command()
        self.tool_windows.close_settings()
        self.close()

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
        """Stop the panes' work, then every worker thread (after the window has closed)."""
        self.server_control.shutdown()  # its generations are cancelled before the model thread stops
        self.tool_windows.shutdown()
        self.infill.shutdown()
        self.repo.shutdown()
        self._unsubscribe()
        self._autosave.flush()
        self.services.shutdown()

    def open_model_file(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        if self.chat.generating:
            self.show_error(self.tr("Stop the answer first, then switch models."))
            return
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open a GGUF model"), str(self._ctx.paths.models),
                                              self.tr("GGUF models (*.gguf);;All files (*)"))
        if path:
            self.use_model(path)

    def use_model(self, spec: str) -> None:
        """Load another model; it becomes the default once it has loaded."""
        self._pending_model = spec
        self.inference.load(spec)

    def code_style(self) -> str:
        settings = self._ctx.settings
        dark = settings.theme is Theme.DARK or (settings.theme is Theme.AUTO and is_dark())
        return settings.code_style_dark if dark else settings.code_style_light

    def _settings_changed(self, change: SettingsChange) -> None:
        if change.touches(*THEME_SETTINGS):
            self.apply_theme()
        if change.touches("system_prompt"):
            self.chat.use_system_prompt(change.new.system_prompt)  # the open conversation follows, as new ones do

    def apply_theme(self) -> None:
        """Restyle the application and every pane at once (a live switch leaves nothing unreadable)."""
        from PySide6.QtWidgets import QApplication

        from app.ui.theme import apply_theme

        apply_theme(QApplication.instance(), self._ctx.settings.theme)
        style = self.code_style()
        self.chat.rerender()
        self.repo.set_code_style(style)
        self.infill.set_code_style(style)
        self.tool_windows.restyle()

    def show_error(self, error: str | UserError, retry: Callable[[], None] | None = None) -> None:
        """The one place errors reach the user: a typed error keeps its retry hint."""
        message = resolve(error.message if isinstance(error, UserError) else error)
        retryable = isinstance(error, UserError) and error.retryable
        if retryable and retry is None:
            message = self.tr("{message} Trying again may work.").format(message=message)
        if not self.banner.isHidden() and self.banner.label.text() == message:
            return  # several jobs failing for one cause (a read-only disk) say it once
        log.warning("shown to the user: %s", message)
        if retryable and retry is not None:
            self.banner.show_message(message, retry)
        else:
            self.banner.show_message(message)

    def _on_loaded(self, info: EngineInfo) -> None:
        if self._pending_model is not None:
            chosen, self._pending_model = self._pending_model, None
            self._ctx.update_settings(chat_model=chosen)
        entry = self._ctx.manifest.get(info.model_id)
        reason = explain_context(info, self._ctx.settings.context_limit, entry.max_context if entry else 0)
        self.status_labels.show_loaded(info, resolve(reason))
        if info.context_reduced_for_memory:
            self.show_error(self.tr("The context was reduced to {n_ctx} tokens to fit in memory.").format(
                n_ctx=f"{info.n_ctx:,}"))
        elif info.n_ctx_train and info.n_ctx > info.n_ctx_train:
            self.show_error(self.tr("The context is {n_ctx} tokens, beyond the {n_ctx_train} this model was trained "
                                    "on: long prompts take more memory and time, and answers may degrade.").format(
                n_ctx=f"{info.n_ctx:,}", n_ctx_train=f"{info.n_ctx_train:,}"))
        self.statusBar().showMessage(self.tr("Model loaded in {seconds} s").format(seconds=f"{info.load_seconds:.1f}"),
                                     5000)
        embedded = self._ctx.manifest.embedded
        if embedded is not None and info.model_id == embedded.id:
            # First run (or nothing else chosen): offer a real code model.
            self.chat.placeholder.setText(self.tr(
                "You are chatting with the embedded SmolLM2: tiny and instant, but weak at real code.<br>"
                "<a href='models'>Open Models (Ctrl+M)</a> to download Code Llama 7B Instruct, recommended "
                "for this machine, or another model.<br><br>Ctrl+Enter sends, Esc stops. Nothing leaves your machine."))

    def _on_load_failed(self, error: UserError) -> None:
        spec, self._pending_model = self._pending_model, None
        self.show_error(error, retry=(lambda: self.use_model(spec)) if spec is not None else None)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        # First: a model load queued behind the answer stopped next must not start while the app quits.
        self.inference.begin_shutdown()
        self.chat.prepare_close()
        self._ctx.update_settings(window_geometry=bytes(self.saveGeometry().toBase64()).decode())
        self._autosave.flush()  # queued now, before the threads' shutdown, so it is written before exit
        super().closeEvent(event)


def start_model_load(window: MainWindow, inference: InferenceService, spec: str = "") -> None:
    """Load after the window is on screen, so start-up never waits for the model."""
    QTimer.singleShot(0, lambda: inference.load(spec))
