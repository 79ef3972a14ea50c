"""The status bar's lasting parts: the model in use, the context in use, and the local server's state.

They follow the inference thread's and the server control's signals by themselves; the main window
only adds them to its status bar and keeps its transient messages (showMessage) for everything else.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel, QStatusBar, QToolButton

from app.core.engine import EngineInfo
from app.ui.i18n import plural
from app.ui.plain_text import plain, tooltip
from app.ui.server.control import ServerControl, ServerState
from app.workers.inference import InferenceService


class StatusLabels(QObject):
    def __init__(self, bar: QStatusBar, inference: InferenceService, server: ServerControl,
                 open_server: Callable[[], object]) -> None:
        super().__init__(bar)
        self._inference, self._server = inference, server
        self.model = plain(QLabel(self.tr("No model")))
        self.model.setObjectName("modelLabel")
        self.usage = plain(QLabel(""))
        # "Server on :8765" while it serves, opening the Server window; a flat button, not a rich-text
        # link, so it takes the theme's colours after a live switch (a link kept the light theme's blue).
        self.server = QToolButton()
        self.server.setObjectName("serverLabel")
        self.server.setAutoRaise(True)
        self.server.clicked.connect(lambda: open_server())
        self.server.hide()
        for widget in (self.server, self.usage, self.model):
            bar.addPermanentWidget(widget)
        server.state_changed.connect(self._on_server_state)
        inference.loading.connect(lambda name: self.model.setText(self.tr("Loading {name}…").format(name=name)))
        inference.unloaded.connect(lambda: self.model.setText(self.tr("No model")))
        inference.load_failed.connect(self._on_load_failed)

    def show_usage(self, used: int, n_ctx: int) -> None:
        self.usage.setText(self.tr("{used} / {n_ctx} tokens").format(used=f"{used:,}", n_ctx=f"{n_ctx:,}"))

    def show_loaded(self, info: EngineInfo, why_context: str) -> None:
        """The model, where it runs, its context and threads; the tool tip says why the context is what it is."""
        where = info.backend if info.gpu_layers == 0 else plural(
            self.tr("{backend}, %n GPU layer(s)", "", info.gpu_layers), info.gpu_layers).format(backend=info.backend)
        self.model.setText(self.tr("{model} · {where} · ctx {n_ctx} · {threads}/{batch} threads").format(
            model=info.model_name, where=where, n_ctx=f"{info.n_ctx:,}", threads=info.threads,
            batch=info.threads_batch))
        self.model.setToolTip(tooltip(f"{info.model_path}\n{why_context}"))

    def _on_load_failed(self, _error) -> None:
        if self._inference.info is None:  # a model refused before it was touched is still in use, and named
            self.model.setText(self.tr("No model"))

    def _on_server_state(self, state: ServerState) -> None:
        started = self._server.current
        if state is ServerState.ON and started is not None:
            self.server.setText(self.tr("Server on :{port}").format(port=started.port))
            self.server.setToolTip(tooltip(started.base_url))
        elif state is ServerState.STARTING:
            self.server.setText(self.tr("Server starting…"))
        elif state is ServerState.STOPPING:
            self.server.setText(self.tr("Server stopping…"))
        self.server.setVisible(state is not ServerState.OFF)
