"""What every route of one server shares: the model's runner, the settings, the repositories, the gate."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from app.core.engine_types import EngineInfo
from app.core.errors import ModelNotLoadedError
from app.core.model_runner import ModelRunner
from app.core.serve.repos import RepoService
from app.core.settings import SamplingSettings, ServerSettings
from app.server.bridge import Gate

REPO_ALIAS = "repo:"  # a model id "repo:<folder>" asks for that repository's context (for clients without extra fields)


@dataclass
class ServeContext:
    runner: ModelRunner
    settings: ServerSettings
    sampling: SamplingSettings
    repos: RepoService | None
    infill_context: int
    gate: Gate
    created: int = field(default_factory=lambda: int(time.time()))

    def info(self) -> EngineInfo:
        info = self.runner.info()
        if info is None:
            raise ModelNotLoadedError()
        return info

    def model_ids(self) -> list[str]:
        info = self.runner.info()
        if info is None:
            return []
        aliases = [REPO_ALIAS + root.name for root in (self.repos.roots if self.repos else [])]
        return [info.model_name, *aliases]
