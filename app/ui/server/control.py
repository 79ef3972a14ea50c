"""Starting and stopping the local server from the GUI, without the GUI thread waiting for either.

The server (app.server.LocalServer, written once for `serve` and the GUI alike) runs its own
event loop thread; binding the port takes a moment, and stopping it waits for running generations
to be cancelled, so both are jobs on the "server" worker thread (built in app.services). The
server runs its model work through the inference thread's `ModelRunner` (InferenceService.runner),
queued with the chat pane's answers. Its request log entries arrive on its own thread and reach the
GUI through `RequestLogBridge`'s queued signal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Signal

from app.core.errors import UserError
from app.core.model_runner import ModelRunner
from app.core.settings import ServerSettings
from app.ui.server.request_log import RequestLogBridge
from app.workers.worker import Worker

log = logging.getLogger(__name__)


class ServerState(str, Enum):
    OFF = "off"
    STARTING = "starting"
    ON = "on"
    STOPPING = "stopping"


@dataclass(frozen=True)
class Started:
    """What a start gave: where the server listens, and the port asked for (another one when it was busy)."""

    base_url: str  # "http://127.0.0.1:8765"; OpenAI clients add /v1
    address: str  # host:port, as bound
    port: int
    asked_port: int

    @property
    def moved(self) -> bool:
        return self.port != self.asked_port


class ServerControl(QObject):
    """One LocalServer at a time, started and stopped on the server worker; every outcome is a signal."""

    state_changed = Signal(object)  # ServerState
    started = Signal(object)  # Started
    start_failed = Signal(object)  # UserError
    request = Signal(object)  # RequestLogEntry, on the GUI thread

    def __init__(self, runner: ModelRunner, worker: Worker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._worker = worker
        self._server: Any = None  # the running LocalServer; touched only by jobs on the server worker
        self.state = ServerState.OFF
        self.current: Started | None = None
        self._bridge = RequestLogBridge(self)
        self._bridge.entry.connect(self.request)

    @property
    def running(self) -> bool:
        return self.state is ServerState.ON

    def _set_state(self, state: ServerState) -> None:
        self.state = state
        self.state_changed.emit(state)

    def start(self, settings: ServerSettings, api_key: str = "", **options: Any) -> bool:
        """Start serving with `settings`; False (and nothing done) while a start or stop is under way.

        `options` go to LocalServer as they are (repositories, sampling, cache_dir, settings_for_repos).
        """
        if self.state is not ServerState.OFF:
            return False
        self._set_state(ServerState.STARTING)
        runner, deliver = self._runner, self._bridge.deliver

        def work(_report) -> Started:
            from app.server import LocalServer  # starlette and uvicorn load here, off the GUI thread

            server = LocalServer(runner, settings, api_key=api_key, on_request=deliver, **options)
            base_url = server.start()  # binds the asked port or the next free one
            self._server = server
            port = urlsplit(base_url).port or settings.port
            return Started(base_url, urlsplit(base_url).netloc, port, settings.port)

        self._worker.submit(work, self._on_started, self._on_start_failed, failure=self.tr("Could not start the server"))
        return True

    def _on_started(self, started: Started) -> None:
        self.current = started
        self._set_state(ServerState.ON)
        self.started.emit(started)

    def _on_start_failed(self, error: UserError) -> None:
        self._set_state(ServerState.OFF)
        self.start_failed.emit(error)

    def stop(self) -> bool:
        """Stop serving: running generations are cancelled, queued ones dropped; False when not on."""
        if self.state is not ServerState.ON:
            return False
        self._set_state(ServerState.STOPPING)
        self._worker.submit(self._stop_job, lambda _none: self._on_stopped(),
                            lambda error: self._on_stopped(error), failure=self.tr("Could not stop the server"))
        return True

    def _stop_job(self, _report=None) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def _on_stopped(self, error: UserError | None = None) -> None:
        if error is not None:
            log.warning("stopping the server: %s", error.message)
        self.current = None
        self._set_state(ServerState.OFF)

    def shutdown(self) -> None:
        """At exit: stop the server, whatever state it is in (a start still under way is stopped after it)."""
        if self.state in (ServerState.STARTING, ServerState.ON):
            self._set_state(ServerState.STOPPING)
            self._worker.submit(self._stop_job, lambda _none: self._on_stopped(),
                                lambda error: self._on_stopped(error), failure=self.tr("Could not stop the server"))
