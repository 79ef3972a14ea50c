"""Remote engines: a model on another machine's server behind the app's ChatBackend (engine.py)."""

from __future__ import annotations

REMOTE_ID_PREFIX = "remote:"  # EngineInfo.model_id of a remote engine: remote:URL#model


def is_remote(info: object) -> bool:
    """Whether an EngineInfo describes a remote engine (its model_path is a URL, not a file)."""
    return str(getattr(info, "model_id", "")).startswith(REMOTE_ID_PREFIX)
