"""The Server window: a switch that serves the loaded model over HTTP, its address, a client snippet,
the options (address, key, CORS, repository) and a live request log.

Everything slow is elsewhere: starting and stopping on the server worker (ServerControl), the key
in the keyring on the same worker (a keyring may block on D-Bus), the model work on the inference
thread. This window only shows state and turns edits into settings changes.
"""

from __future__ import annotations

import logging
import secrets as random_tokens
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QLineEdit, QWidget

from app.context import AppContext
from app.core.engine import EngineInfo
from app.core.errors import UserError
from app.core.settings import ServerSettings
from app.core.settings_owner import SettingsChange
from app.ui.i18n import resolve
from app.ui.restyle import PaletteStyled
from app.ui.server.control import ServerControl, ServerState, Started
from app.ui.server.layout import STYLE, ServerLayout
from app.ui.server.request_log import LOG_LIMIT, RequestLogModel
from app.workers.inference import InferenceService
from app.workers.worker import Worker

log = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def server_key_store(ctx: AppContext) -> Any:
    """Where the server's API key is kept: the keyring, else a 0600 file beside the settings (as for `serve`)."""
    from app.core.secrets import ServerKeyStore

    return ServerKeyStore(ctx.paths.config / "server-key")


def is_loopback(host: str) -> bool:
    """As ServerSettings.loopback, for the address being typed (not yet a valid setting)."""
    return host.strip() in LOOPBACK


def parse_origins(text: str) -> tuple[str, ...]:
    """One origin a line (or separated by commas); blanks dropped, duplicates once, order kept."""
    seen: dict[str, None] = {}
    for part in text.replace(",", "\n").splitlines():
        if part.strip():
            seen.setdefault(part.strip().rstrip("/"), None)
    return tuple(seen)


def split_snippet(snippet: str) -> tuple[str, str]:
    """app.server.client_snippet's text as (Python, curl): the curl part starts at its first `curl` line."""
    lines = snippet.splitlines()
    at = next((i for i, line in enumerate(lines) if line.startswith("curl ")), len(lines))
    return "\n".join(lines[:at]).strip() + "\n", "\n".join(lines[at:]).strip() + "\n"


class ServerWindow(PaletteStyled, QDialog):
    """See the module docstring. `repository_root` says which folder the repository pane has open."""

    STYLE_SHEET = STYLE  # set again after a theme switch (PaletteStyled)

    state_changed = Signal(object)  # ServerState, for the main window's status bar
    message = Signal(str)  # for the status bar

    def __init__(self, ctx: AppContext, inference: InferenceService, control: ServerControl, worker: Worker,
                 key_store: Any, repository_root: Callable[[], Path | None], show_error: Callable[[Any], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Local server"))
        self.resize(860, 760)
        self._ctx, self._inference, self.control, self._worker = ctx, inference, control, worker
        self._key_store = key_store  # read and written only by jobs on `worker`
        self._repository_root = repository_root
        self._show_error = show_error
        self.ui = ServerLayout(self)
        self.restyle()
        self.log_model = RequestLogModel(LOG_LIMIT, self)
        self.ui.log.setModel(self.log_model)
        self.ui.size_log_columns()
        self._key_loaded = False
        self._stored_key: str | None = ""  # as last read or written by the key store (None: unknown)
        self._start_after_key = False  # switched on before the stored key was read
        self._offered: Path | None = None  # the repository clients may name, while serving
        self._connect()
        self._show_settings(ctx.settings.server)
        self._load_key()
        self._on_state(control.state)
        self._update_model_note()

    # Wiring --------------------------------------------------------------------------------------
    def _connect(self) -> None:
        ui, control, inference = self.ui, self.control, self._inference
        ui.switch.clicked.connect(self._switch_clicked)
        ui.copy_address.clicked.connect(lambda: self._copy(ui.address.text(), self.tr("Address copied.")))
        ui.copy_snippet.clicked.connect(self._copy_snippet)
        ui.copy_key.clicked.connect(lambda: self._copy(ui.api_key.text(), self.tr("API key copied.")))
        ui.show_key.toggled.connect(lambda shown: ui.api_key.setEchoMode(
            QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password))
        ui.generate_key.clicked.connect(self.generate_key)
        ui.api_key.editingFinished.connect(lambda: self._save_key(ui.api_key.text().strip()))
        ui.host.editingFinished.connect(self._apply_options)
        ui.port.editingFinished.connect(self._apply_options)
        ui.require_key.toggled.connect(lambda _on: self._apply_options())
        ui.host.textChanged.connect(lambda _text: self._update_warning())
        ui.host.textChanged.connect(lambda _text: self._update_snippet())  # the address it will have
        ui.port.valueChanged.connect(lambda _port: self._update_snippet())
        ui.clear_log.clicked.connect(self._clear_log)
        control.state_changed.connect(self._on_state)
        control.started.connect(self._on_started)
        control.start_failed.connect(self._on_start_failed)
        control.request.connect(self._on_request)
        inference.loaded.connect(lambda _info: self._update_model_note())
        inference.loading.connect(lambda name: self._update_model_note(loading=name))
        inference.unloaded.connect(self._update_model_note)
        inference.load_failed.connect(lambda _error: self._update_model_note())
        self._unsubscribe = self._ctx.settings_owner.subscribe(self._settings_changed)

    # Options -------------------------------------------------------------------------------------
    def _show_settings(self, server: ServerSettings) -> None:
        ui = self.ui
        ui.host.setText(server.host)
        ui.port.setValue(server.port)
        ui.require_key.setChecked(server.api_key_required)
        if parse_origins(ui.cors.toPlainText()) != server.cors_origins:
            ui.cors.setPlainText("\n".join(server.cors_origins))
        self._update_warning()

    def _settings_changed(self, change: SettingsChange) -> None:
        if change.touches("server"):
            self._show_settings(change.new.server)

    def options(self) -> ServerSettings:
        """The options as shown; raises UserError for a value the settings refuse."""
        from app.core.settings import SettingsValueError

        ui = self.ui
        try:
            return ServerSettings(host=ui.host.text().strip(), port=ui.port.value(),
                                  cors_origins=parse_origins(ui.cors.toPlainText()),
                                  api_key_required=ui.require_key.isChecked(),
                                  max_request_kb=self._ctx.settings.server.max_request_kb,
                                  max_waiting=self._ctx.settings.server.max_waiting)
        except SettingsValueError as exc:
            reason = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)  # a core Text kept
            raise UserError(self.tr("The server cannot use these options: {reason}.").format(
                reason=resolve(reason))) from None

    def _apply_options(self) -> bool:
        """Keep the options shown as the settings; False (with a message) when they are refused."""
        try:
            server = self.options()
            self._ctx.update_settings(server=server)
        except UserError as exc:
            self._show_error(exc)
            return False
        return True

    def _update_warning(self) -> None:
        host = self.ui.host.text().strip()
        remote = bool(host) and not is_loopback(host)
        if remote:
            self.ui.warning.setText(self.tr(
                "Listening on {host} lets other machines on the network reach the model. A key is required; "
                "anyone with it can use the model and, when offered, read the open repository. "
                "Keep 127.0.0.1 unless you need this.").format(host=host))
        self.ui.warning.setVisible(remote)
        self.ui.require_key.setEnabled(not remote and self.control.state is ServerState.OFF)

    # The key -------------------------------------------------------------------------------------
    def _load_key(self) -> None:
        store = self._key_store

        def loaded(found: tuple[str, str]) -> None:
            key, where = found
            self._key_loaded = True
            self._stored_key = key
            if not self.ui.api_key.text():
                self.ui.api_key.setText(key)
            self._update_key_note(where)
            self._update_snippet()
            self._start_pending()

        def work(_report) -> tuple[str, str]:
            import app.server  # noqa: F401 - starlette and uvicorn (0.4 s) load here, not on the GUI thread

            return store.get(), store.status().where

        self._worker.submit(work, loaded, self._key_failed, failure=self.tr("Could not read the key"))

    def _update_key_note(self, where: str = "") -> None:
        key = self.ui.api_key.text().strip()
        if not key:
            self.ui.key_note.setText(self.tr("No key set."))
        elif where:
            self.ui.key_note.setText(self.tr("Every client must send it as 'Authorization: Bearer <key>'. Kept in "
                                             "{where}.").format(where=resolve(where)))
        else:
            self.ui.key_note.setText(self.tr("Every client must send it as 'Authorization: Bearer <key>'."))

    def generate_key(self) -> None:
        """A new random key, shown and kept (in the keyring, else a file only the user can read)."""
        key = "cld-" + random_tokens.token_urlsafe(24)
        self.ui.api_key.setText(key)
        self._save_key(key)

    def _save_key(self, key: str) -> None:
        if key == self._stored_key:
            return  # focus left the field without a change: the keyring is not written again
        self._stored_key = key
        store = self._key_store

        def saved(status: Any) -> None:
            self._update_key_note(getattr(status, "where", ""))
            self._update_snippet()

        def failed(error: UserError) -> None:
            self._stored_key = None  # not kept: the next edit tries again
            self._show_error(error)

        self._worker.submit(lambda _report: store.set(key), saved, failed, failure=self.tr("Could not keep the key"))

    def _key_failed(self, error: UserError) -> None:
        self._key_loaded = True
        self._show_error(error)
        self._start_pending()

    def _start_pending(self) -> None:
        if self._start_after_key:
            self._start_after_key = False
            self.start()

    # Switching -----------------------------------------------------------------------------------
    def _switch_clicked(self, checked: bool) -> None:
        if checked:
            self.start()
        else:
            self.stop()

    def start(self) -> bool:
        """Start with the options shown; False when they are refused (told to the user)."""
        if not self._apply_options():
            self.ui.switch.setChecked(False)
            return False
        server = self._ctx.settings.server
        if not self._key_loaded:  # the stored key is still being read (a keyring may be slow): start after it
            self._start_after_key = True
            self.ui.state.setText(self.tr("Reading the API key…"))
            return True
        key = self.ui.api_key.text().strip()
        if not is_loopback(server.host) and not key:
            self._show_error(self.tr("A key is needed to listen on {host}: press Generate, then switch on again.").format(
                host=server.host))
            self.ui.switch.setChecked(False)
            return False
        root = self._repository_root() if self.ui.offer_repository.isChecked() else None
        if self.ui.offer_repository.isChecked() and root is None:
            self.message.emit(self.tr("No repository is open: the server starts without one."))
        self._offered = root
        ctx = self._ctx
        return self.control.start(server, api_key=key, repositories=[root] if root is not None else [],
                                  sampling=ctx.settings.sampling, cache_dir=ctx.paths.cache,
                                  settings_for_repos=ctx.settings)

    def stop(self) -> bool:
        return self.control.stop()

    def _on_state(self, state: ServerState) -> None:
        ui = self.ui
        on = state is ServerState.ON
        ui.switch.setChecked(state in (ServerState.ON, ServerState.STARTING))
        ui.switch.setText({ServerState.OFF: self.tr("Off"), ServerState.STARTING: self.tr("Starting…"),
                           ServerState.ON: self.tr("On"), ServerState.STOPPING: self.tr("Stopping…")}[state])
        ui.switch.setEnabled(state in (ServerState.OFF, ServerState.ON))
        ui.show_serving(on)
        ui.options.setEnabled(state is ServerState.OFF)
        if state is ServerState.OFF:
            ui.state.setText(self.tr("The server is off."))
            ui.address.clear()
            self._offered = None
            self._update_offer_label()
        elif state is ServerState.STARTING:
            ui.state.setText(self.tr("Starting…"))
        elif state is ServerState.STOPPING:
            ui.state.setText(self.tr("Stopping: running answers are cancelled…"))
        if not on:
            self._update_snippet()
        self._update_warning()
        self.state_changed.emit(state)

    def _on_started(self, started: Started) -> None:
        self.ui.address.setText(started.base_url)
        if started.moved:
            text = self.tr("On at {address} (port {asked} was taken, so {port} is used).").format(
                address=started.address, asked=started.asked_port, port=started.port)
        else:
            text = self.tr("On at {address}.").format(address=started.address)
        if self._offered is not None:
            text = self.tr('{state} Clients may ask about {name} ("repository": "{name}").').format(
                state=text, name=self._offered.name)
        self.ui.state.setText(text)
        self._update_snippet()
        self._update_model_note()
        self.message.emit(text)

    def _on_start_failed(self, error: UserError) -> None:
        self.ui.state.setText(self.tr("The server is off: it could not start."))
        self._show_error(error)

    def _update_model_note(self, loading: str = "") -> None:
        info: EngineInfo | None = self._inference.info
        if loading:
            text = self.tr("Loading {name}: requests get an error until it has loaded.").format(name=loading)
        elif info is None:
            text = self.tr("No model is loaded: requests get an error until one is (load one in Models, Ctrl+M).")
        else:
            text = self.tr("Serves {name} (context {n_ctx} tokens), queued with the chat's answers.").format(
                name=info.model_name, n_ctx=f"{info.n_ctx:,}")
        self.ui.model_note.setText(text)

    # Snippet and log -----------------------------------------------------------------------------
    def _update_snippet(self) -> None:
        if not self._key_loaded:
            self.ui.python_snippet.setPlainText("…")  # app.server is still loading on the server worker
            return
        from app.server import client_snippet

        base_url = self.ui.address.text() or self._planned_url()
        python, curl = split_snippet(client_snippet(base_url, self.ui.api_key.text().strip()))
        self.ui.python_snippet.setPlainText(python)
        self.ui.curl_snippet.setPlainText(curl)

    def _planned_url(self) -> str:
        host = self.ui.host.text().strip() or "127.0.0.1"
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.ui.port.value()}"

    def _copy_snippet(self) -> None:
        view = self.ui.snippets.currentWidget()
        self._copy(view.toPlainText(), self.tr("Snippet copied."))

    def _copy(self, text: str, said: str) -> None:
        if text:
            QGuiApplication.clipboard().setText(text)
            self.message.emit(said)

    def _on_request(self, entry: Any) -> None:
        self.log_model.append(entry)
        self.ui.log.scrollToBottom()
        total, shown = self.log_model.total, self.log_model.rowCount()
        if shown < total:
            text = self.tr("{count} request(s) (the last {shown} shown)", "", total)
        else:
            text = self.tr("{count} request(s)", "", total)
        # Qt picks the plural form by `total`; without a translation (tests, a checkout whose set-up has
        # not compiled the .qm files) the English source's "(s)" is resolved here, as the core does.
        text = text.replace("(s)", "" if total == 1 else "s")
        self.ui.log_count.setText(text.format(count=f"{total:,}", shown=f"{shown:,}"))

    def _clear_log(self) -> None:
        self.log_model.clear()
        self.ui.log_count.setText(self.tr("No requests yet."))

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        self._update_offer_label()
        super().showEvent(event)

    def _update_offer_label(self) -> None:
        root = self._repository_root()  # the repository pane's folder: offered as it is when the server starts
        self.ui.offer_repository.setText(
            self.tr("Offer the open repository ({name}) to clients").format(name=root.name) if root is not None
            else self.tr("Offer the open repository to clients (none is open now)"))

    def shutdown(self) -> None:
        self._unsubscribe()
