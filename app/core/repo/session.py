"""A conversation on a repository, kept so that re-opening the repository can continue it.

A follow-up's prompt is the saved packed context, question and answers exactly as sent before,
so the KV state saved on disk after the last answer (app.core.prompt_states) covers all of it
and the follow-up starts at once instead of evaluating the packed code again.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import AbstractSet

from app.core.atomic_file import write_atomic
from app.core.prompts.chat import ChatMessage
from app.core.repo.ask import FOLLOWUP_TOKENS, build_repo_messages
from app.core.repo.pack import PackedChunk, PackResult

log = logging.getLogger(__name__)

VERSION = 1
MAX_SESSIONS = 50


@dataclass
class RepoSession:
    """The packed context of a first question and the turns since: plain data, owned by one thread.

    Follow-up questions keep the context as the unchanged start of the prompt, so llama.cpp reuses
    its KV cache and only the new question is evaluated.
    """

    root: str
    context: PackResult
    history: list[ChatMessage] = field(default_factory=list)  # turns after the first question

    def messages_for(self, question: str) -> list[ChatMessage]:
        """The prompt: the packed context with the first question, the turns since, then `question`.

        Everything before `question` is exactly the previous prompt plus its answer, so a KV cache
        of that prompt (in memory or saved on disk) covers it.
        """
        first = build_repo_messages(self.context.render(), self.context.question)
        if not self.history:  # the first question is part of the context message
            return first
        return [*first, *self.history, ChatMessage("user", question)]

    def fits(self, n_ctx: int, answer_tokens: int) -> bool:
        """Whether a follow-up still fits a model of `n_ctx` tokens (one packed for a bigger window does not)."""
        return self.context.used_tokens + answer_tokens + FOLLOWUP_TOKENS <= n_ctx

    def record(self, question: str, answer: str) -> None:
        """Add a completed answer (to `question`; the first question lives in the context message)."""
        if self.history:
            self.history.append(ChatMessage("user", question))
        self.history.append(ChatMessage("assistant", answer))

    def uses_any(self, paths: AbstractSet[str]) -> bool:
        """Whether any of `paths` (files the user excluded since) is in the packed context."""
        return any(chunk.path in paths for chunk in self.context.chunks)

    def snapshot(self) -> "RepoSession":
        """A copy to hand to another thread (to save it) while this one goes on with the next turn."""
        return RepoSession(self.root, self.context, list(self.history))

    def to_dict(self) -> dict:
        c = self.context
        return {"version": VERSION, "root": self.root,
                "context": {"question": c.question, "budget": c.budget, "used_tokens": c.used_tokens,
                            "map_text": c.map_text, "map_tokens": c.map_tokens,
                            "chunks": [[k.path, k.start_line, k.end_line, k.score, k.tokens, k.text]
                                       for k in c.chunks]},
                "history": [[m.role, m.content] for m in self.history]}

    @classmethod
    def from_dict(cls, data: dict) -> "RepoSession":
        if data.get("version") != VERSION:
            raise ValueError("unknown version")
        c = data["context"]
        context = PackResult(question=str(c["question"]), budget=int(c["budget"]), map_text=str(c["map_text"]),
                             map_tokens=int(c["map_tokens"]), used_tokens=int(c["used_tokens"]),
                             chunks=[PackedChunk(str(p), int(s), int(e), float(sc), int(t), str(x))
                                     for p, s, e, sc, t, x in c["chunks"]])
        history = [ChatMessage(str(role), str(content)) for role, content in data["history"]]
        if any(m.role not in ("user", "assistant") for m in history):
            raise ValueError("bad roles")
        return cls(root=str(data["root"]), context=context, history=history)


def session_path(directory: Path, root: Path) -> Path:
    return directory / f"{hashlib.sha256(str(root).encode()).hexdigest()[:32]}.json"


def save_session(directory: Path, session: RepoSession) -> None:
    path = session_path(directory, Path(session.root))
    write_atomic(path, json.dumps(session.to_dict()).encode("utf-8"))  # never half a session
    kept = sorted(directory.glob("*.json"), key=lambda f: f.stat().st_mtime, reverse=True)
    for old in kept[MAX_SESSIONS:]:  # one per repository: the most recently used are kept
        old.unlink(missing_ok=True)


def load_session(directory: Path, root: Path) -> RepoSession | None:
    """The saved session for `root`; None when there is none or it cannot be read (it is a cache)."""
    path = session_path(directory, root)
    try:
        session = RepoSession.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("ignoring the saved conversation %s: %s", path, exc)
        return None
    return session if session.root == str(root) else None


def forget_session(directory: Path, root: Path) -> None:
    session_path(directory, root).unlink(missing_ok=True)
