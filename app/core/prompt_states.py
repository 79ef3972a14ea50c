"""Saved KV-cache states on disk, so a long prompt evaluated once need not be evaluated again.

A repository question spends most of its time evaluating the packed code. Follow-ups reuse the
cache in memory; this store lets a question asked after re-opening the repository (or restarting
the app) start from the state saved after the previous one, as far as the two prompts agree.

Each state is two files under one key: `KEY.state` (llama.cpp's own session file: tokens and KV
cache) and `KEY.tokens` (the same token ids as little-endian int32, read cheaply to decide whether
loading the large file is worth it). A key names the model, its context size and a scope (the
repository), so a state is never offered to a different model. The store is bounded: the least
recently used states are deleted past `max_bytes`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
import uuid
from array import array
from pathlib import Path
from typing import Sequence

log = logging.getLogger(__name__)

# Code Llama 7B's cache is 0.5 MB a token (no grouped-query attention): a 13k-token packed
# repository is 6.5 GB. The bound keeps a few of those; free space is checked before each save.
DEFAULT_MAX_BYTES = 16 * 1024**3
MIN_FREE_BYTES = 2 * 1024**3  # never fill the disk for a cache: keep this much free after saving
STALE_TEMPORARY_S = 3600  # a half-written state this old was left by a crash


def state_key(model_id: str, n_ctx: int, scope: str) -> str:
    return hashlib.sha256(f"{model_id}\0{n_ctx}\0{scope}".encode()).hexdigest()[:32]


class PromptStateStore:
    def __init__(self, directory: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.directory = directory
        self.max_bytes = max_bytes

    def state_path(self, key: str) -> Path:
        return self.directory / f"{key}.state"

    def tokens_path(self, key: str) -> Path:
        return self.directory / f"{key}.tokens"

    def tokens(self, key: str) -> list[int]:
        """The tokens a saved state covers; empty when there is none (or it is unreadable)."""
        try:
            raw = self.tokens_path(key).read_bytes()
            if not self.state_path(key).is_file() or len(raw) % 4:
                return []
        except OSError:
            return []
        ids = array("i")
        ids.frombytes(raw)
        if ids.itemsize != 4:
            return []
        return ids.tolist()

    def touch(self, key: str) -> None:
        """Mark a state as recently used (pruning deletes the oldest first)."""
        for path in (self.state_path(key), self.tokens_path(key)):
            try:
                os.utime(path)
            except OSError:
                pass

    def room_for(self, size: int) -> bool:
        """Whether a state of `size` bytes may be written: within the store's bound and the disk's space."""
        if size > self.max_bytes:
            return False
        self.directory.mkdir(parents=True, exist_ok=True)
        return shutil.disk_usage(self.directory).free - size >= MIN_FREE_BYTES

    def commit(self, key: str, written_state: Path, tokens: Sequence[int]) -> None:
        """Move a state file written to `written_state` in place, with its token list, then prune."""
        ids = array("i", tokens)
        tmp_tokens = written_state.with_suffix(".tokens.tmp")
        tmp_tokens.write_bytes(ids.tobytes())
        # Tokens last: a reader never sees a token list whose state file is missing or stale.
        self.tokens_path(key).unlink(missing_ok=True)
        os.replace(written_state, self.state_path(key))
        os.replace(tmp_tokens, self.tokens_path(key))
        self.prune(keep=key)

    def temporary_path(self, key: str) -> Path:
        """A name of its own for each writer: the app and the CLI may save the same key at once."""
        self.directory.mkdir(parents=True, exist_ok=True)
        return self.directory / f"{key}.{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp"

    def discard(self, key: str) -> None:
        for path in (self.state_path(key), self.tokens_path(key)):
            path.unlink(missing_ok=True)

    def prune(self, keep: str = "") -> None:
        now = time.time()
        for path in self.directory.glob("*.tmp"):
            try:
                if now - path.stat().st_mtime > STALE_TEMPORARY_S:
                    path.unlink()
            except OSError:
                pass
        states = []
        for path in self.directory.glob("*.state"):
            try:
                stat = path.stat()
            except OSError:
                continue
            states.append((stat.st_mtime, stat.st_size, path.stem))
        total = sum(size for _, size, _ in states)
        for _, size, key in sorted(states):
            if total <= self.max_bytes:
                break
            if key == keep:
                continue
            self.discard(key)
            total -= size
            log.info("deleted saved prompt state %s (store over %d bytes)", key, self.max_bytes)
