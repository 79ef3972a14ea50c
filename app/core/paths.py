"""Every directory the app reads or writes, in one place.

`CODELLAMA_DESKTOP_HOME` relocates all of them under one folder, which tests and portable
installs use; otherwise platformdirs gives the platform's conventional locations.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

log = logging.getLogger(__name__)

APP_NAME = "codellama-desktop"
HOME_ENV = "CODELLAMA_DESKTOP_HOME"


@dataclass(frozen=True)
class AppPaths:
    config: Path
    data: Path
    cache: Path
    logs: Path
    models: Path

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    @property
    def database(self) -> Path:
        return self.data / "conversations.sqlite3"

    @property
    def prompt_states(self) -> Path:
        """Saved KV-cache states (app.core.prompt_states): a cache, safe to delete."""
        return self.cache / "prompt-states"

    @property
    def user_manifest(self) -> Path:
        return self.config / "models_manifest.toml"

    def ensure(self) -> "AppPaths":
        """Create the folders that can be created. A read-only or full home is no reason to stop here:
        reading works without them, and each write says itself what failed."""
        for folder in (self.config, self.data, self.cache, self.logs, self.models):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                log.debug("cannot create %s: %s", folder, exc)
        return self

    def as_dict(self) -> dict[str, str]:
        return {name: str(getattr(self, name)) for name in ("config", "data", "cache", "logs", "models")}


def app_paths(environ: dict[str, str] | None = None) -> AppPaths:
    env = os.environ if environ is None else environ
    home = env.get(HOME_ENV)
    if home:
        root = Path(home).expanduser().resolve()
        return AppPaths(
            config=root / "config",
            data=root / "data",
            cache=root / "cache",
            logs=root / "logs",
            models=root / "models",
        )
    data = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return AppPaths(
        config=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        data=data,
        cache=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
        logs=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
        models=data / "models",
    )
