"""The main window's secondary windows: Models, Settings, Local server, Measure.

Each is made when first opened (the server and measure modules are imported only then, so start-up
does not pay for them), kept for the rest of the session, and brought to the front when asked for
again. The main window owns one `ToolWindows` and only says which one to open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from app.ui.models.window import ModelsWindow
from app.ui.settings import SettingsWindow

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


def present(window: QWidget) -> None:
    """Show a window on top of the others with the focus (it may have been hidden or behind the main one)."""
    window.show()
    window.raise_()
    window.activateWindow()


class ToolWindows:
    def __init__(self, main: MainWindow) -> None:
        self._main = main
        self.models: ModelsWindow | None = None
        self.settings: SettingsWindow | None = None
        self.server = None  # app.ui.server.window.ServerWindow
        self.measure = None  # app.ui.measure.window.MeasureWindow

    def open_models(self) -> ModelsWindow:
        main = self._main
        if self.models is None:
            self.models = ModelsWindow(main.ctx, main.downloads, main.services.catalogue, main, main.inference)
            self.models.chat_model_chosen.connect(main.use_model)
        else:
            self.models.refresh()
        present(self.models)
        return self.models

    def open_settings(self, page: str = "") -> SettingsWindow:
        """The one Settings window, on `page` (a page key such as "chat") when given."""
        main = self._main
        if self.settings is None:
            self.settings = SettingsWindow(main.ctx, main.inference, main.services.files, main.show_error, main)
            self.settings.restart_requested.connect(main.restart)
        elif not self.settings.isVisible():
            self.settings.show_settings()  # what was typed and not applied last time is dropped
        if page:
            self.settings.show_page(page)
        present(self.settings)
        return self.settings

    def open_server(self):
        """The one Server window (switch, address, client snippet, request log)."""
        main = self._main
        if self.server is None:
            from app.ui.server.window import ServerWindow, server_key_store

            self.server = ServerWindow(main.ctx, main.inference, main.server_control, main.services.server,
                                       server_key_store(main.ctx), lambda: main.repo.root, main.show_error, main)
            self.server.message.connect(main.show_status)
        present(self.server)
        return self.server

    def open_measure(self):
        """The one Measure window (HumanEval, infilling and speed of the model in use, on this machine)."""
        main = self._main
        if self.measure is None:
            from app.ui.measure.control import MeasureControl
            from app.ui.measure.window import MeasureWindow

            control = MeasureControl(main.inference.runner, main.services.measure, main.ctx.paths.data, main)
            self.measure = MeasureWindow(main.ctx, main.inference, control, main.services.files, main.show_error, main)
            self.measure.message.connect(main.show_status)
        else:
            self.measure.control.refresh()
        present(self.measure)
        return self.measure

    def restyle(self) -> None:
        """After a live theme switch: the windows that paint their own colours follow it."""
        for window in (self.models, self.settings):
            if window is not None:
                window.update()

    def close_settings(self) -> None:
        if self.settings is not None:
            self.settings.close()

    def shutdown(self) -> None:
        """Before the workers stop: the server's generations and a measure run are cancelled."""
        if self.server is not None:
            self.server.shutdown()
        if self.measure is not None:
            self.measure.shutdown()  # the measure worker stops before the model's
