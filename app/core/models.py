"""Turn what the user asked for (a manifest id, a .gguf path, or nothing) into a model file."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from app.core.errors import ModelNotFoundError, UserError
from app.core.i18n import translate
from app.core.manifest import Manifest, ModelEntry


@dataclass(frozen=True)
class ResolvedModel:
    path: Path
    entry: ModelEntry | None  # None for a file that is not in the manifest

    @property
    def display_name(self) -> str:
        return self.entry.name if self.entry else self.path.name

    @property
    def chat_format(self) -> str:
        return self.entry.chat_format if self.entry else "auto"

    @property
    def model_id(self) -> str:
        return self.entry.id if self.entry else str(self.path)

    @property
    def infill_hint(self) -> str:
        """The manifest's infill format ("none" included); empty for a file the manifest does not know."""
        return self.entry.infill_format if self.entry else ""


def embedded_model_path(entry: ModelEntry) -> Path | None:
    """Where the PyPI package shipping the embedded model put its file.

    Found through the distribution's file list: importing the package would import its plugin
    host (`llm`), which is not installed.
    """
    try:
        files = importlib.metadata.files(entry.embedded_package) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    wanted = entry.files[0]
    for f in files:
        if f.name == wanted:
            path = Path(str(f.locate()))
            return path if path.is_file() else None
    return None


def installed_path(entry: ModelEntry, models_dir: Path) -> Path | None:
    """The file to load for `entry` (the first part of a split set), if it is complete on disk.

    A download writes `<name>.part` and renames it only once verified, so an existing final name
    is a complete file.
    """
    if entry.embedded_package:
        return embedded_model_path(entry)
    if entry.local_path:
        local = Path(entry.local_path)
        return local if local.is_file() else None
    folder = models_dir / entry.id
    first = folder / entry.files[0]
    if first.is_file():
        # Every listed file must be there (a manifest may list all parts of a split set).
        return first if all((folder / name).is_file() for name in entry.files) else None
    # A split set counts only when every part is there.
    for part1 in sorted(folder.glob(first.stem + "-00001-of-*.gguf")) if folder.is_dir() else []:
        total = int(part1.name.rsplit("-of-", 1)[1].split(".")[0])
        names = [part1.name.replace("-00001-of-", f"-{i:05d}-of-") for i in range(1, total + 1)]
        if all((folder / n).is_file() for n in names):
            return part1
    return None


def resolve_model(spec: str | None, manifest: Manifest, models_dir: Path) -> ResolvedModel:
    """A manifest id, a path to a .gguf file, or None/"" for the best installed chat model."""
    if spec:
        entry = manifest.get(spec)
        if entry is not None:
            path = installed_path(entry, models_dir)
            if path is None:
                hint = translate("core", "run the setup again (its embedded model is missing)") if entry.embedded_package \
                    else translate("core", "it is not downloaded yet; put {file} in {folder} or pass --model PATH to a .gguf "
                                   "file").format(file=entry.files[0], folder=models_dir / entry.id)
                raise ModelNotFoundError(translate(
                    "core", "model {id!r} is not installed; {hint}").format(id=entry.id, hint=hint))
            return ResolvedModel(path, entry)
        path = Path(spec).expanduser()
        if path.suffix.lower() == ".gguf" or path.exists() or "/" in spec or "\\" in spec:
            if not path.exists():
                raise ModelNotFoundError(translate("core", "model file not found: {path}").format(path=path))
            return ResolvedModel(path.resolve(), None)
        known = ", ".join(e.id for e in manifest.entries)
        raise ModelNotFoundError(translate(
            "core", "unknown model {spec!r}; known ids: {known} (or give a path to a .gguf file)").format(spec=spec, known=known))
    # Nothing asked for: the first installed manifest chat model, the embedded one last.
    ordered = sorted(manifest.entries, key=lambda e: bool(e.embedded_package))
    for entry in ordered:
        if "chat" in entry.roles:
            path = installed_path(entry, models_dir)
            if path is not None:
                return ResolvedModel(path, entry)
    raise ModelNotFoundError(translate("core", "no chat model is installed, not even the embedded one; run the setup again"))


class ModelState(str, Enum):
    """What is on disk for a catalogue entry; the values are what ``models list`` prints."""

    EMBEDDED = "embedded"  # ships inside the app
    IMPORTED = "imported"  # a local .gguf used where it lies
    INSTALLED = "installed"  # downloaded
    PARTIAL = "partial"  # a resumable download
    AVAILABLE = "available"  # can be downloaded
    MISSING = "missing"  # an embedded or imported file that is gone

    def __str__(self) -> str:
        return self.value

    @property
    def usable(self) -> bool:
        """A model file is there to load."""
        return self in (ModelState.EMBEDDED, ModelState.IMPORTED, ModelState.INSTALLED)


def model_state(entry: ModelEntry, models_dir: Path) -> ModelState:
    path = installed_path(entry, models_dir)
    if entry.embedded_package:
        return ModelState.EMBEDDED if path else ModelState.MISSING
    if entry.local_path:
        return ModelState.IMPORTED if path else ModelState.MISSING
    if path:
        return ModelState.INSTALLED
    folder = models_dir / entry.id
    # Anything left (a .part file, or finished parts of an unfinished split set) can be resumed or deleted.
    resumable = folder.is_dir() and any(p.is_file() for p in folder.rglob("*"))
    return ModelState.PARTIAL if resumable else ModelState.AVAILABLE


def disk_usage(entry: ModelEntry, models_dir: Path) -> int:
    """Bytes this model takes in the models directory (downloads and partial files)."""
    folder = models_dir / entry.id
    if entry.embedded_package or entry.local_path or not folder.is_dir():
        return 0
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


def remove_model(entry: ModelEntry, models_dir: Path) -> int:
    """Delete a downloaded model (and any partial download); returns the bytes freed."""
    if entry.embedded_package:
        raise UserError(translate("core", "The embedded model ships with the app and cannot be removed."))
    folder = models_dir / entry.id
    freed = disk_usage(entry, models_dir)
    if folder.is_dir():
        shutil.rmtree(folder)
    return freed


def import_entry(path: Path, manifest: Manifest) -> ModelEntry:
    """A manifest entry for a local .gguf file, used where it lies (nothing is copied)."""
    from app.core.gguf_info import read_gguf_info

    path = path.expanduser().resolve()
    info = read_gguf_info(path)  # refuse a missing, truncated or non-GGUF file up front
    base = re.sub(r"[^a-z0-9._-]+", "-", path.stem.lower()).strip("-._") or "model"
    model_id, n = f"local-{base}", 2
    while manifest.get(model_id) is not None:
        model_id, n = f"local-{base}-{n}", n + 1
    template = info.has_chat_template
    return ModelEntry(
        id=model_id, name=info.name or path.stem, family=info.architecture or "unknown",
        parameters="?", files=(path.name,), roles=("chat",), chat_format="template" if template else "auto",
        size=path.stat().st_size, context_length=info.context_length or 4096, local_path=str(path),
        note=f"Imported from {path}")
