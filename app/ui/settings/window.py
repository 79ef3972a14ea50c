"""The app's one Settings window: a page per area, applied through the settings owner.

What can change while the app runs (theme, sampling, the system prompt, repository and infill
options) applies at once through the owner, whose listeners restyle or follow. What the loaded
model was opened with (context limit, GPU layers, threads, memory limit) applies at the next load:
the window says so and offers to reload. The hub token is read and written on a worker thread,
because the system keyring may block.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.core.engine import EngineInfo
from app.core.errors import UserError
from app.core.secrets import TokenPlace, TokenStatus
from app.core.settings import RELOAD_SETTINGS, explain_context
from app.core.settings_owner import SettingsChange
from app.ui.plain_text import plain
from app.ui.settings.fields import read
from app.ui.settings.pages import HubPage, ModelPage, Page, appearance_page, chat_page, infill_page, repository_page
from app.workers.inference import InferenceService
from app.workers.worker import Worker

_LOAD_OPTIONS = RELOAD_SETTINGS - {"chat_model"}  # the model itself is chosen in the Models window
_LABELS = {"context_limit": "the context limit", "gpu_layers": "GPU layers", "threads": "threads",
           "memory_limit_mb": "the memory limit"}


def _threads(count: int) -> str:
    return f"{count} thread" if count == 1 else f"{count} threads"


def describe_place(status: TokenStatus) -> str:
    """Where the token is kept, in the user's words."""
    held = "A token is saved" if status.has_token else "No token saved; one would be kept"
    if status.place is TokenPlace.KEYRING:
        return f"{held} in {status.where}."
    why = f" ({status.note})" if status.note else ""
    return f"{held} in a file only you can read{why}: {status.where}"


class SettingsWindow(QDialog):
    def __init__(self, ctx: AppContext, inference: InferenceService, worker: Worker,
                 show_error: Callable[[UserError | str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setObjectName("settingsWindow")
        self.resize(760, 520)
        self._ctx, self._inference, self._worker, self._show_error = ctx, inference, worker, show_error
        self._stale: set[str] = set()  # load options changed since the model was loaded
        self._shown = ctx.settings  # what the controls were last set from: a change is what the user edited
        self.model_page = ModelPage()
        self.hub_page = HubPage()
        self.pages: list[Page] = [appearance_page(), self.model_page, chat_page(), repository_page(),
                                  infill_page(ctx.manifest), self.hub_page]
        self._build()
        inference.loaded.connect(self._on_loaded)
        inference.load_failed.connect(lambda _error: self.reload_button.setEnabled(True))
        self.hub_page.save_token.clicked.connect(lambda: self._set_token(self.hub_page.token.text()))
        self.hub_page.remove_token.clicked.connect(lambda: self._set_token(""))
        self.show_settings()
        # A change made elsewhere while this is open (the Models window's "Use for infill") must not be
        # undone by the next Apply: the controls the user left alone follow it.
        unsubscribe = ctx.settings_owner.subscribe(self._follow)
        self.destroyed.connect(lambda *_args: unsubscribe())

    def _build(self) -> None:
        self.nav = QListWidget()
        self.nav.setFixedWidth(180)
        self.nav.setObjectName("settingsNav")
        self.nav.setSpacing(3)  # rows a pointer can hit, as in the platforms' own settings windows
        self.stack = QStackedWidget()
        for page in self.pages:
            self.nav.addItem(page.title)
            self.stack.addWidget(page)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(0)
        self.reload_bar = QWidget()
        self.reload_bar.setObjectName("reloadBar")
        self.reload_bar.setAutoFillBackground(True)  # set apart by the palette, so both themes keep it readable
        self.reload_bar.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        bar = QHBoxLayout(self.reload_bar)
        bar.setContentsMargins(10, 6, 6, 6)
        self.reload_label = plain(QLabel())
        self.reload_label.setWordWrap(True)
        self.reload_button = QPushButton("Reload the model now")
        self.reload_button.clicked.connect(self.reload_model)
        bar.addWidget(self.reload_label, 1)
        bar.addWidget(self.reload_button)
        self.reload_bar.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Apply
                                        | QDialogButtonBox.StandardButton.Close)
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.clicked.connect(self.apply)
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        body = QHBoxLayout()
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.reload_bar)
        layout.addWidget(self.buttons)

    # What it shows ----------------------------------------------------------------------------
    def show_page(self, title: str) -> None:
        titles = [page.title for page in self.pages]
        self.nav.setCurrentRow(titles.index(title))

    def show_settings(self) -> None:
        """Every control to the current settings (on opening: what was typed and not applied is dropped)."""
        settings = self._shown = self._ctx.settings
        for page in self.pages:
            for field in page.fields:
                field.show(settings)
        self._show_context(self._inference.info)
        self.hub_page.token.clear()
        self._worker.submit(lambda _report: self._ctx.hub_token.status(), self._show_token_place,
                            self._show_error, failure="The hub token could not be read")

    def _show_context(self, info: EngineInfo | None) -> None:
        label = self.model_page.context_reason
        if info is None:
            label.setText("No model is loaded.")
            return
        settings = self._ctx.settings
        entry = self._ctx.manifest.get(info.model_id)
        reason = explain_context(info, settings.context_limit, entry.max_context if entry else 0)
        if info.gpu_layers:
            where = f"{info.gpu_layers} layers on the GPU ({info.backend})"
        elif settings.gpu_layers != 0:
            where = "on the CPU: this llama.cpp build cannot offload to a GPU"
        else:
            where = "on the CPU, as set"
        label.setText(f"{info.model_name} is loaded with {reason}. It runs {where}, with {_threads(info.threads)} "
                      f"generating and {_threads(info.threads_batch)} reading prompts.")

    def _show_token_place(self, status: TokenStatus) -> None:
        self.hub_page.token_place.setText(describe_place(status))

    # Applying ---------------------------------------------------------------------------------
    def _follow(self, change: SettingsChange) -> None:
        for page in self.pages:
            for field in page.fields:
                if field.value() == read(self._shown, field.name):  # left alone: show the new value
                    field.show(change.new)
        self._shown = change.new
        self._show_context(self._inference.info)

    def changes(self) -> dict[str, Any]:
        """What the user edited (controls that differ from what they were set from), as an owner update."""
        settings = self._shown
        changes: dict[str, Any] = {}
        sampling: dict[str, Any] = {}
        for page in self.pages:
            for field in page.fields:
                value = field.value()
                if value == read(settings, field.name):
                    continue
                head, _, tail = field.name.partition(".")
                if tail:
                    sampling[tail] = value
                else:
                    changes[head] = value
        if sampling:
            changes["sampling"] = sampling
        return changes

    def apply(self) -> bool:
        """Apply through the owner (validated, saved, announced); False when it was refused."""
        try:
            change = self._ctx.settings_owner.update(**self.changes())
        except UserError as exc:
            self._show_error(exc)
            return False
        if change is not None:
            stale = {name for name in _LOAD_OPTIONS if change.touches(name)}
            if stale and self._inference.info is not None:
                self._stale |= stale
                self._offer_reload()
            self._show_context(self._inference.info)
        return True

    def _ok(self) -> None:
        if self.apply():
            self.accept()

    def _offer_reload(self) -> None:
        names = [_LABELS[name] for name in _LABELS if name in self._stale]
        what = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        self.reload_label.setText(f"The model uses {what} from when it was loaded; the new "
                                  f"{'value applies' if len(names) == 1 else 'values apply'} when it is loaded again.")
        self.reload_button.setEnabled(True)
        self.reload_bar.show()

    def reload_model(self) -> None:
        """Load the model that is loaded again, with the settings as they are now."""
        info = self._inference.info
        if info is None:
            return
        self.reload_button.setEnabled(False)
        self.reload_label.setText(f"Loading {info.model_name} again…")
        self._inference.load(info.model_id or info.model_path)

    def _on_loaded(self, info: EngineInfo) -> None:
        self._stale.clear()
        self.reload_bar.hide()
        self._show_context(info)

    def _set_token(self, token: str) -> None:
        store = self._ctx.hub_token
        self.hub_page.save_token.setEnabled(False)

        def done(status: TokenStatus) -> None:
            self.hub_page.save_token.setEnabled(True)
            self.hub_page.token.clear()
            self._show_token_place(status)

        def failed(error: UserError) -> None:
            self.hub_page.save_token.setEnabled(True)
            self._show_error(error)

        self._worker.submit(lambda _report: store.set(token), done, failed, failure="The hub token could not be saved")
