"""One typed settings schema, stored as JSON in the config directory.

Unknown keys are dropped and values of the wrong type fall back to their default, so an old or
hand-edited file never stops the app from starting. Writes go through a temporary file and an
atomic rename so a crash cannot leave a half-written file.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from app.core.atomic_file import write_atomic

log = logging.getLogger(__name__)

SETTINGS_VERSION = 1


@dataclass
class SamplingSettings:
    temperature: float = 0.2
    top_p: float = 0.95
    top_k: int = 40
    repeat_penalty: float = 1.1
    max_tokens: int = 1024
    seed: int = -1  # -1: a new random seed per generation


@dataclass
class Settings:
    version: int = SETTINGS_VERSION
    chat_model: str = ""  # manifest id or path to a .gguf; empty: the best installed, else embedded
    system_prompt: str = "You are a helpful coding assistant. Answer concisely and put code in fenced blocks."
    sampling: SamplingSettings = field(default_factory=SamplingSettings)
    context_limit: int = 16384  # upper bound on n_ctx whatever the model was trained for
    memory_limit_mb: int = 0  # 0: use what the machine has; otherwise never plan to use more
    gpu_layers: int = -1  # -1: offload everything the build can, 0: CPU only
    theme: str = "auto"  # auto | light | dark
    code_style_light: str = "friendly"
    code_style_dark: str = "monokai"
    hf_token: str = ""  # for gated repositories; empty: HF_TOKEN or the hub's stored login
    hf_endpoint: str = ""  # a hub mirror; empty: HF_ENDPOINT, else the hub
    default_infill_model: str = ""  # manifest id used by the infill pane
    infill_context: int = 4096  # tokens of code around the cursor: infill is interactive, a larger window is slow
    recent_repos: list[str] = field(default_factory=list)  # most recent first
    repo_max_file_kb: int = 1000  # larger files are skipped when indexing a repository
    repo_excludes: list[str] = field(default_factory=list)  # gitignore-style patterns, on top of the defaults
    repo_includes: list[str] = field(default_factory=list)  # patterns forced back in
    repo_honour_gitignore: bool = True
    window_geometry: str = ""  # base64 of QWidget.saveGeometry(); opaque to the core

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _coerce(cls: type, data: Any) -> Any:
    """Build dataclass `cls` from `data`, keeping defaults for missing or mistyped values."""
    instance = cls()
    if not isinstance(data, dict):
        return instance
    for f in fields(cls):
        if f.name not in data:
            continue
        default = getattr(instance, f.name)
        value = data[f.name]
        if dataclasses.is_dataclass(default):
            setattr(instance, f.name, _coerce(type(default), value))
        elif isinstance(default, bool) != isinstance(value, bool):
            log.warning("setting %s has the wrong type; using the default", f.name)
        elif isinstance(default, float) and isinstance(value, (int, float)):
            setattr(instance, f.name, float(value))
        elif isinstance(default, list) and isinstance(value, list):
            setattr(instance, f.name, [v for v in value if isinstance(v, str)])
        elif isinstance(value, type(default)):
            setattr(instance, f.name, value)
        else:
            log.warning("setting %s has the wrong type; using the default", f.name)
    return instance


MAX_SETTINGS_BYTES = 4 * 1024 * 1024


def load_settings(path: Path) -> Settings:
    from app.core.safe_read import UnsafeFile, read_regular

    if not os.path.lexists(path):
        return Settings()
    try:  # a regular file only (a FIFO would block the start), bounded
        raw = json.loads(read_regular(path, MAX_SETTINGS_BYTES).decode("utf-8"))
    except (UnsafeFile, ValueError, RecursionError) as exc:
        log.warning("could not read settings %s (%s); using defaults", path, exc)
        return Settings()
    if not isinstance(raw, dict):
        log.warning("settings %s are not a JSON object; using defaults", path)
        return Settings()
    settings = _coerce(Settings, raw)
    settings.version = SETTINGS_VERSION
    return settings


def save_settings(settings: Settings, path: Path) -> None:
    # A unique temporary name (two threads saving at once must not write into the same file) that
    # replaces the old file only when complete: a full disk keeps the previous settings.
    write_atomic(path, json.dumps(settings.to_dict(), indent=2).encode("utf-8"))


def repo_rules(settings: Settings):
    """The repository scan rules these settings describe."""
    from app.core.repo.scan import DEFAULT_EXCLUDES, ScanRules

    return ScanRules(max_file_bytes=max(1, settings.repo_max_file_kb) * 1000,
                     extra_excludes=DEFAULT_EXCLUDES + tuple(settings.repo_excludes),
                     includes=tuple(settings.repo_includes), honour_gitignore=settings.repo_honour_gitignore)
