"""The app's one Settings window (appearance, model and hardware, chat, repository, infill, hub)."""

from app.ui.settings.window import SettingsWindow

__all__ = ["SettingsWindow"]
