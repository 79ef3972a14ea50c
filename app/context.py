"""The services every entry point needs, built once and passed in (no globals)."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.engine import LoadOptions, LocalEngine
from app.core.manifest import Manifest, load_all
from app.core.models import ResolvedModel, resolve_model
from app.core.paths import AppPaths, app_paths
from app.core.prompt_states import PromptStateStore
from app.core.secrets import HubTokenStore, migrate_settings_token
from app.core.settings import Settings, load_settings, save_settings
from app.core.settings_owner import SettingsChange, SettingsOwner


@dataclass
class AppContext:
    """What every entry point shares. Threads: `settings` and `manifest` are immutable snapshots that
    are replaced whole (settings only through `settings_owner`), so any thread may read them."""

    paths: AppPaths
    settings_owner: SettingsOwner
    manifest: Manifest
    hub_token: HubTokenStore  # the keyring or a 0600 file; may block: read it on a worker thread

    @property
    def settings(self) -> Settings:
        return self.settings_owner.current

    def update_settings(self, **changes) -> SettingsChange | None:
        """Validated change; saved and announced by the owner (see app.core.settings_owner)."""
        return self.settings_owner.update(**changes)

    def resolve(self, spec: str | None = None) -> ResolvedModel:
        return resolve_model(spec if spec else self.settings.chat_model or None, self.manifest, self.paths.models)

    def load_options(self, model: ResolvedModel | None = None) -> LoadOptions:
        s = self.settings
        max_context = model.entry.max_context if model is not None and model.entry is not None else 0
        return LoadOptions(context_limit=s.context_limit, memory_limit_mb=s.memory_limit_mb, gpu_layers=s.gpu_layers,
                           max_context=max_context, threads=s.threads or None)

    def download_options(self, endpoint: str | None = None, token: str | None = None):
        """Called on the download thread (the token store may wait on the keyring)."""
        from app.core.download import DownloadOptions

        return DownloadOptions(endpoint=endpoint or self.settings.hf_endpoint or None,
                               token=token or self.hub_token.get() or None)

    def load_engine(self, model: ResolvedModel) -> LocalEngine:
        engine = LocalEngine(model.path, chat_format=model.chat_format, name=model.display_name,
                             model_id=model.model_id, options=self.load_options(model),
                             infill_hint=model.infill_hint)
        engine.states = PromptStateStore(self.paths.prompt_states)
        return engine

    def load_remote(self, url: str, key: str | None = None, model: str = ""):
        """A remote engine (app.core.remote) on `url`, probed now; the key is the one given, else
        CODELLAMA_REMOTE_KEY, else the one stored for that server. Blocks on the network: call it
        on the thread that will own the engine."""
        from app.core.remote.engine import RemoteEngine
        from app.core.remote.http import normalize_url
        from app.core.remote.saved import SavedRemote, key_for, load_remotes

        target = normalize_url(url)  # a saved entry gives its model, chat format and context size
        saved = next((r for r in load_remotes(self.paths.config)
                      if r.url == target and (not model or r.model == model)), None) or SavedRemote(target, model)
        return RemoteEngine(saved.config(key_for(self.paths.config, saved.url, key)))


def build_context(paths: AppPaths | None = None) -> AppContext:
    paths = (paths or app_paths()).ensure()
    hub_token = HubTokenStore(paths.config / "hub-token")  # used only where there is no keyring
    migrate_settings_token(paths.settings_file, hub_token)  # older versions kept it in settings.json
    # The CLI writes a change at once; the GUI replaces this saver with one on a background thread.
    owner = SettingsOwner(load_settings(paths.settings_file), lambda settings: save_settings(settings, paths.settings_file))
    return AppContext(paths=paths, settings_owner=owner, manifest=load_all(paths.user_manifest), hub_token=hub_token)

