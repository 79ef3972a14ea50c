"""One typed settings schema, stored as JSON in the config directory.

`Settings` is an immutable snapshot: any thread may read one, nobody changes it. Changes go
through the one owner (app.core.settings_owner), which validates them and publishes a new
snapshot. Unknown keys are dropped and values of the wrong type or out of range fall back to
their default, so an old or hand-edited file never stops the app from starting. Writes go through
a temporary file and an atomic rename so a crash cannot leave a half-written file.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass, field, fields
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.core.atomic_file import write_atomic
from app.core.i18n import translate

if TYPE_CHECKING:
    from app.core.engine_types import EngineInfo

log = logging.getLogger(__name__)

SETTINGS_VERSION = 1


class Theme(str, Enum):
    AUTO = "auto"  # the platform's own look
    LIGHT = "light"
    DARK = "dark"

    def __str__(self) -> str:
        return self.value


class Language(str, Enum):
    """The interface's language (app.ui.i18n applies it; the core's own words stay English for the CLI)."""

    SYSTEM = "system"  # follow the system locale: Simplified Chinese for a Chinese locale, else English
    ENGLISH = "en"
    CHINESE = "zh_CN"  # Simplified Chinese

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class SamplingSettings:
    temperature: float = 0.2
    top_p: float = 0.95
    top_k: int = 40
    repeat_penalty: float = 1.1
    max_tokens: int = 1024
    seed: int = -1  # -1: a new random seed per generation


@dataclass(frozen=True)
class ServerSettings:
    """The local server (`codellama-desktop serve`, the GUI's switch). Off unless started.

    The API key is not here: settings.json travels with backups and bug reports, so the key is kept
    by app.core.secrets.ServerKeyStore (or given with --api-key / CODELLAMA_SERVER_KEY).
    """

    host: str = "127.0.0.1"  # loopback: another address is the user's explicit choice, and needs a key
    port: int = 8765  # the next free one is taken when this one is busy
    cors_origins: tuple[str, ...] = ()  # browser origins allowed to call; none: CORS off
    api_key_required: bool = False  # loopback only; any other address requires a key whatever this says
    max_request_kb: int = 8192  # a larger body is refused (413): editors send files as context, not more
    max_waiting: int = 4  # generations queued behind the running one; more are refused (503)

    def __post_init__(self) -> None:
        # A snapshot built in code (the GUI's switch) is checked like one read from the file.
        for f in fields(self):
            check_value(f.name, f.default, getattr(self, f.name))  # type and RANGES, as the file's values

    @property
    def loopback(self) -> bool:
        """Bound to this machine only (nothing else on the network can reach it)."""
        return self.host in ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class Settings:
    version: int = SETTINGS_VERSION
    chat_model: str = ""  # manifest id or path to a .gguf; empty: the best installed, else embedded
    system_prompt: str = ("You are a helpful coding assistant. Answer in the language of the question, concisely, and "
                          "put code in fenced blocks.")
    sampling: SamplingSettings = field(default_factory=SamplingSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    context_limit: int = 16384  # upper bound on n_ctx whatever the model was trained for
    memory_limit_mb: int = 0  # 0: use what the machine has; otherwise never plan to use more
    gpu_layers: int = -1  # -1: offload everything the build can, 0: CPU only
    threads: int = 0  # generation threads; 0: as many as the machine's physical cores allow (hardware.thread_plan)
    theme: Theme = Theme.AUTO
    language: Language = Language.SYSTEM  # applied at the next start (the Settings window offers a restart)
    code_style_light: str = "friendly"
    code_style_dark: str = "monokai"
    hf_endpoint: str = ""  # a hub mirror; empty: HF_ENDPOINT, else the hub
    default_infill_model: str = ""  # manifest id used by the infill pane
    infill_context: int = 4096  # tokens of code around the cursor: infill is interactive, a larger window is slow
    recent_repos: tuple[str, ...] = ()  # most recent first
    repo_max_file_kb: int = 1000  # larger files are skipped when indexing a repository
    repo_excludes: tuple[str, ...] = ()  # gitignore-style patterns, on top of the defaults
    repo_includes: tuple[str, ...] = ()  # patterns forced back in
    repo_honour_gitignore: bool = True
    measure_code_consent: bool = False  # the user agreed once to run model-written code in the measure sandbox
    window_geometry: str = ""  # base64 of QWidget.saveGeometry(); opaque to the core

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# Allowed ranges, inclusive; the Settings window's controls use the same bounds.
RANGES: dict[str, tuple[float, float]] = {
    "temperature": (0.0, 2.0), "top_p": (0.05, 1.0), "top_k": (0, 1000), "repeat_penalty": (1.0, 2.0),
    "max_tokens": (1, 32768), "seed": (-1, 2**31 - 1),
    "context_limit": (512, 131072), "memory_limit_mb": (0, 2**24), "gpu_layers": (-1, 10_000), "threads": (0, 1024),
    "infill_context": (256, 131072), "repo_max_file_kb": (1, 1_000_000),
    "port": (1, 65535), "max_request_kb": (1, 1_048_576), "max_waiting": (0, 256),
}
MAX_LIST_ITEMS = 2000  # recent folders, scan patterns: more is a damaged or hostile file


class SettingsValueError(ValueError):
    """A value that does not fit its setting (wrong type, out of range, unknown name)."""


def check_value(name: str, default: Any, value: Any) -> Any:
    """`value` converted to the type of `default`, or SettingsValueError; the one validation rule."""
    if isinstance(default, Enum):
        try:
            return type(default)(value)
        except ValueError:
            raise SettingsValueError(translate(
                "core", "{name} must be one of {names}"
            ).format(name=name, names=", ".join(m.value for m in type(default)))) from None
    if isinstance(default, bool) != isinstance(value, bool):
        if isinstance(default, bool):
            raise SettingsValueError(translate("core", "{name} must be true or false").format(name=name))
        raise SettingsValueError(translate("core", "{name} must be a number").format(name=name))
    if isinstance(default, float) and isinstance(value, (int, float)):
        value = float(value)
    elif isinstance(default, tuple) and isinstance(value, (list, tuple)):
        if len(value) > MAX_LIST_ITEMS or not all(isinstance(v, str) for v in value):
            raise SettingsValueError(translate(
                "core", "{name} must be a list of at most {most} strings").format(name=name, most=MAX_LIST_ITEMS))
        value = tuple(value)
    elif not isinstance(value, type(default)):
        raise SettingsValueError(translate(
            "core", "{name} must be of type {type}").format(name=name, type=type(default).__name__))
    if name == "host" and (not value.strip() or any(c in value for c in " /\r\n")):
        raise SettingsValueError(translate("core", "host must be an address such as 127.0.0.1"))
    if name in RANGES and not isinstance(value, bool):
        low, high = RANGES[name]
        if not low <= value <= high:
            raise SettingsValueError(translate(
                "core", "{name} must be between {low:g} and {high:g}").format(name=name, low=low, high=high))
    return value


def _coerce(cls: type, data: Any) -> Any:
    """Build dataclass `cls` from `data`, keeping defaults for missing, mistyped or out-of-range values."""
    instance = cls()
    if not isinstance(data, dict):
        return instance
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        default = getattr(instance, f.name)
        if dataclasses.is_dataclass(default):
            values[f.name] = _coerce(type(default), data[f.name])
            continue
        try:
            values[f.name] = check_value(f.name, default, data[f.name])
        except SettingsValueError as exc:
            log.warning("setting ignored, using the default: %s", exc)
    return dataclasses.replace(instance, **values)


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
    return dataclasses.replace(_coerce(Settings, raw), version=SETTINGS_VERSION)


def save_settings(settings: Settings, path: Path) -> None:
    # A unique temporary name (two threads saving at once must not write into the same file) that
    # replaces the old file only when complete: a full disk keeps the previous settings.
    data = settings.to_dict()
    unmoved = _unmoved_token(path)
    if unmoved:
        data["hf_token"] = unmoved
    write_atomic(path, json.dumps(data, indent=2, default=str).encode("utf-8"))


def _unmoved_token(path: Path) -> str:
    """An `hf_token` still in the settings file (secrets.migrate_settings_token could not move it yet):
    rewriting the file must not lose it before it is in the keyring or the token file."""
    from app.core.safe_read import UnsafeFile, read_regular

    try:
        raw = json.loads(read_regular(path, MAX_SETTINGS_BYTES).decode("utf-8"))
    except (UnsafeFile, OSError, ValueError, RecursionError):
        return ""
    token = raw.get("hf_token") if isinstance(raw, dict) else None
    return token if isinstance(token, str) else ""


def repo_rules(settings: Settings):
    """The repository scan rules these settings describe."""
    from app.core.repo.scan import DEFAULT_EXCLUDES, ScanRules

    return ScanRules(max_file_bytes=max(1, settings.repo_max_file_kb) * 1000,
                     extra_excludes=DEFAULT_EXCLUDES + tuple(settings.repo_excludes),
                     includes=tuple(settings.repo_includes), honour_gitignore=settings.repo_honour_gitignore)


# What a loaded model was opened with: a change to these takes effect when the model is loaded again.
RELOAD_SETTINGS = frozenset({"context_limit", "memory_limit_mb", "gpu_layers", "threads", "chat_model"})
MIN_CONTEXT = 512  # engine_load's floor


def explain_context(info: EngineInfo, context_limit: int, max_context: int = 0) -> str:
    """Why the loaded context is what it is, against the user's limit: "ctx 8,192: the model was trained on 8,192".

    Args:
        info: the loaded model's figures.
        context_limit: the context limit the user set.
        max_context: how far past its trained length the model holds up (manifest; 0: not past it).
    """
    n_ctx, trained = info.n_ctx, info.n_ctx_train
    if info.context_reduced_for_memory:
        return translate("core", "ctx {n_ctx:,}: reduced to fit memory (the limit asks for {limit:,})").format(
            n_ctx=n_ctx, limit=context_limit)
    if n_ctx == context_limit:
        if trained and n_ctx > trained:
            return translate("core", "ctx {n_ctx:,}: your limit, past the {trained:,} the model was trained on").format(
                n_ctx=n_ctx, trained=trained)
        return translate("core", "ctx {n_ctx:,}: your limit").format(n_ctx=n_ctx)
    if n_ctx == MIN_CONTEXT and context_limit < MIN_CONTEXT:
        return translate("core", "ctx {n_ctx:,}: the smallest context the app loads").format(n_ctx=n_ctx)
    if context_limit > n_ctx and trained and n_ctx >= trained:
        if max_context > trained and n_ctx == max_context:
            return translate("core", "ctx {n_ctx:,}: as far past its trained {trained:,} as this model holds up").format(
                n_ctx=n_ctx, trained=trained)
        return translate("core", "ctx {n_ctx:,}: the model was trained on {trained:,}").format(n_ctx=n_ctx, trained=trained)
    # Loaded under another limit: the one set now applies at the next load.
    return translate("core", "ctx {n_ctx:,}: the limit of {limit:,} applies when the model is loaded again").format(
        n_ctx=n_ctx, limit=context_limit)
