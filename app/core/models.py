"""Turn what the user asked for (a manifest id, a .gguf path, or nothing) into a model file."""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import ModelNotFoundError
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
    if entry.embedded_package:
        return embedded_model_path(entry)
    path = models_dir / entry.id / entry.files[0]
    return path if path.is_file() else None


def resolve_model(spec: str | None, manifest: Manifest, models_dir: Path) -> ResolvedModel:
    """A manifest id, a path to a .gguf file, or None/"" for the best installed chat model."""
    if spec:
        entry = manifest.get(spec)
        if entry is not None:
            path = installed_path(entry, models_dir)
            if path is None:
                hint = ("run the setup again (its embedded model is missing)" if entry.embedded_package
                        else f"it is not downloaded yet; put {entry.files[0]} in {models_dir / entry.id} "
                             "or pass --model PATH to a .gguf file")
                raise ModelNotFoundError(f"model {entry.id!r} is not installed; {hint}")
            return ResolvedModel(path, entry)
        path = Path(spec).expanduser()
        if path.suffix.lower() == ".gguf" or path.exists() or "/" in spec or "\\" in spec:
            if not path.exists():
                raise ModelNotFoundError(f"model file not found: {path}")
            return ResolvedModel(path.resolve(), None)
        known = ", ".join(e.id for e in manifest.entries)
        raise ModelNotFoundError(f"unknown model {spec!r}; known ids: {known} (or give a path to a .gguf file)")
    # Nothing asked for: the first installed manifest chat model, the embedded one last.
    ordered = sorted(manifest.entries, key=lambda e: bool(e.embedded_package))
    for entry in ordered:
        if "chat" in entry.roles:
            path = installed_path(entry, models_dir)
            if path is not None:
                return ResolvedModel(path, entry)
    raise ModelNotFoundError("no chat model is installed, not even the embedded one; run the setup again")
