"""`ModelCatalogue`: the models use case that the CLI, the Models window and the local server share.

Each method is blocking (disk, hub or llama.cpp); the GUI calls them on its task thread. Errors
a person can act on are UserErrors, raised as they come from the core functions underneath.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from app.core.catalogue.remote import RemoteCheck, check_remote
from app.core.catalogue.rows import Listing, list_models
from app.core.download_probe import HubStatus, HubWatch
from app.core.manifest import Manifest, ModelEntry, add_user_entry, load_all, remove_user_entry
from app.core.models import import_entry, remove_model
from app.core.paths import AppPaths
from app.core.speed import SPEED_FILE_NAME, SpeedBook

if TYPE_CHECKING:
    from app.core.download import DownloadOptions


@dataclass(frozen=True)
class Removal:
    freed: int  # bytes deleted from the models folder
    forgotten: bool  # an imported model: only its manifest entry went, the file stays where it lies


@dataclass(frozen=True)
class ModelCatalogue:
    """The models on this machine and on the hub, over one models folder and one user manifest."""

    models_dir: Path
    user_manifest: Path
    # The measured speeds (app.core.speed), in the app's data folder; None: beside the user manifest.
    speed_file: Path | None = None
    hub: HubWatch = field(default_factory=HubWatch, compare=False, repr=False)

    @classmethod
    def in_folders(cls, paths: AppPaths) -> ModelCatalogue:
        """The catalogue of the app's own folders: the one the GUI and the CLI share."""
        return cls(paths.models, paths.user_manifest, speed_file=paths.data / SPEED_FILE_NAME)

    @property
    def speeds(self) -> SpeedBook:
        return SpeedBook(self.speed_file or self.user_manifest.parent / SPEED_FILE_NAME)

    def load_manifest(self) -> Manifest:
        """The bundled and user manifests as they are on disk now (after an import or a removal)."""
        return load_all(self.user_manifest)

    def listing(self, manifest: Manifest) -> Listing:
        return list_models(manifest, self.models_dir, self.speeds.load().values())

    def hub_status(self, options: DownloadOptions | None = None, *, fresh: bool = False) -> HubStatus:
        """Whether the hub can be reached now (a probe of a few ms, cached for a while)."""
        return self.hub.status(options.endpoint if options else None, fresh=fresh)

    def check_remote(self, entry: ModelEntry, options: DownloadOptions | None = None) -> RemoteCheck:
        return check_remote(entry, options)

    def import_file(self, path: Path) -> ModelEntry:
        """Add a local .gguf file (used where it lies) to the user manifest; returns its entry.

        The id is chosen against the manifest on disk, not a caller's copy that an import since
        may have made stale.
        """
        entry = import_entry(path, self.load_manifest())
        add_user_entry(self.user_manifest, entry)
        return entry

    def remove(self, entry: ModelEntry) -> Removal:
        """Delete a downloaded model's files, or forget an imported one (its file is left in place)."""
        if entry.local_path:
            remove_user_entry(self.user_manifest, entry.id)
            return Removal(freed=0, forgotten=True)
        return Removal(freed=remove_model(entry, self.models_dir), forgotten=False)
