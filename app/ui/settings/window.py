"""The app's one Settings window: a page per area, applied through the settings owner.

What can change while the app runs (theme, sampling, the system prompt, repository and infill
options) applies at once through the owner, whose listeners restyle or follow. What the loaded
model was opened with (context limit, GPU layers, threads, memory limit) applies at the next load:
the window says so and offers to reload. The hub token is read and written on a worker thread,
because the system keyring may block.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
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
from app.ui.i18n import plural, resolve
from app.ui.plain_text import plain
from app.ui.settings.fields import read
from app.ui.settings.pages import HubPage, ModelPage, Page, appearance_page, chat_page, infill_page, repository_page
from app.workers.inference import InferenceService
from app.workers.worker import Worker

translate = QCoreApplication.translate  # the spelling lupdate finds

_LOAD_OPTIONS = RELOAD_SETTINGS - {"chat_model"}  # the model itself is chosen in the Models window


def _labels() -> dict[str, str]:
    return {"context_limit": translate("SettingsWindow", "the context limit"),
            "gpu_layers": translate("SettingsWindow", "GPU layers"),
            "threads": translate("SettingsWindow", "threads"),
            "memory_limit_mb": translate("SettingsWindow", "the memory limit")}


def _threads(count: int) -> str:
    return plural(translate("SettingsWindow", "%n thread(s)", "", count), count)


def _joined(names: list[str]) -> str:
    """"a, b and c" from one template per step, so a translation picks its own separators."""
    joined = names[0]
    for i, name in enumerate(names[1:], start=2):
        if i == len(names):
            joined = translate("SettingsWindow", "{items} and {item}").format(items=joined, item=name)
        else:
            joined = translate("SettingsWindow", "{items}, {item}").format(items=joined, item=name)
    return joined


def describe_place(status: TokenStatus) -> str:
    """Where the token is kept, in the user's words."""
    note = resolve(status.note)
    if status.place is TokenPlace.KEYRING:
        if status.has_token:
            return translate("SettingsWindow", "A token is saved in {where}.").format(where=status.where)
        return translate("SettingsWindow", "No token saved; one would be kept in {where}.").format(where=status.where)
    if status.has_token:
        text = (translate("SettingsWindow", "A token is saved in a file only you can read ({why}): {where}") if note
                else translate("SettingsWindow", "A token is saved in a file only you can read: {where}"))
    else:
        text = (translate("SettingsWindow", "No token saved; one would be kept in a file only you can read ({why}): "
                          "{where}") if note
                else translate("SettingsWindow", "No token saved; one would be kept in a file only you can read: "
                               "{where}"))
    return text.format(why=note, where=status.where)


class SettingsWindow(QDialog):
    restart_requested = Signal()  # the language changed and the user chose to restart now

    def __init__(self, ctx: AppContext, inference: InferenceService, worker: Worker,
                 show_error: Callable[[UserError | str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
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
        self.reload_button = QPushButton(self.tr("Reload the model now"))
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
    def show_page(self, key: str) -> None:
        """The page named `key` ("Chat", "Hub"...: Page.key, the same in every language)."""
        keys = [page.key for page in self.pages]
        self.nav.setCurrentRow(keys.index(key))

    def show_settings(self) -> None:
        """Every control to the current settings (on opening: what was typed and not applied is dropped)."""
        settings = self._shown = self._ctx.settings
        for page in self.pages:
            for field in page.fields:
                field.show(settings)
        self._show_context(self._inference.info)
        self.hub_page.token.clear()
        self._worker.submit(lambda _report: self._ctx.hub_token.status(), self._show_token_place,
                            self._show_error, failure=self.tr("The hub token could not be read"))

    def _show_context(self, info: EngineInfo | None) -> None:
        label = self.model_page.context_reason
        if info is None:
            label.setText(self.tr("No model is loaded."))
            return
        settings = self._ctx.settings
        entry = self._ctx.manifest.get(info.model_id)
        reason = explain_context(info, settings.context_limit, entry.max_context if entry else 0)
        if info.gpu_layers:
            where = plural(self.tr("%n layer(s) on the GPU ({backend})", "", info.gpu_layers),
                           info.gpu_layers).format(backend=info.backend)
        elif settings.gpu_layers != 0:
            where = self.tr("on the CPU: this llama.cpp build cannot offload to a GPU")
        else:
            where = self.tr("on the CPU, as set")
        label.setText(self.tr("{model} is loaded with {reason}. It runs {where}, with {threads} generating and "
                              "{batch} reading prompts.").format(
            model=info.model_name, reason=resolve(reason), where=where, threads=_threads(info.threads),
            batch=_threads(info.threads_batch)))

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
            if change.touches("language"):
                self.offer_restart()
            stale = {name for name in _LOAD_OPTIONS if change.touches(name)}
            if stale and self._inference.info is not None:
                self.offer_reload_for(stale)
            self._show_context(self._inference.info)
        return True

    def _ok(self) -> None:
        if self.apply():
            self.accept()

    def offer_reload_for(self, stale: set[str]) -> None:
        """Say which load options the loaded model does not use yet, and offer to load it again."""
        self._stale |= stale
        labels = _labels()
        names = [labels[name] for name in labels if name in self._stale]
        if len(names) == 1:
            text = self.tr("The model uses {what} from when it was loaded; the new value applies when it is loaded "
                           "again.")
        else:
            text = self.tr("The model uses {what} from when it was loaded; the new values apply when it is loaded "
                           "again.")
        self.reload_label.setText(text.format(what=_joined(names)))
        self.reload_button.setEnabled(True)
        self.reload_bar.show()

    def reload_model(self) -> None:
        """Load the model that is loaded again, with the settings as they are now."""
        info = self._inference.info
        if info is None:
            return
        self.reload_button.setEnabled(False)
        self.reload_label.setText(self.tr("Loading {name} again…").format(name=info.model_name))
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

        self._worker.submit(lambda _report: store.set(token), done, failed,
                            failure=self.tr("The hub token could not be saved"))

    def offer_restart(self) -> QMessageBox:
        """The language applies at the next start: offer to restart now (through the normal shutdown) or later."""
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Restart to change the language"),
                          self.tr("The new language is used once the app starts again. Restart now? What is open is "
                                  "saved first, as at any quit."), QMessageBox.StandardButton.NoButton, self)
        self.restart_now = box.addButton(self.tr("Restart now"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Later"), QMessageBox.ButtonRole.RejectRole)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: self.restart_requested.emit() if button is self.restart_now else None)
        self.restart_box = box
        box.open()
        return box
