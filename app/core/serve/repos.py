"""The repositories a server may read, opened on a thread of their own.

Only folders the user allowed (the GUI's open repository, `serve --repository PATH`) are read: a
request naming any other folder is refused (RepositoryRefused, a 403). Indexing and packing run on
this service's one thread (each repository's SQLite index belongs to it), never on the server's
event loop or the model's thread; they count tokens with the model's vocabulary only
(RepoAssistant.counter_for), not the loaded engine.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Sequence, TypeVar

from app.core.prompts.chat import ChatMessage
from app.core.repo.assistant import RepoAssistant
from app.core.repo.assistant_types import PreparedQuestion, RepoSnippets
from app.core.repo.scan import ScanRules
from app.core.repo.session import RepoSession
from app.core.serve.errors import RepositoryRefused

log = logging.getLogger(__name__)
T = TypeVar("T")


class RepoService:
    """Allowed repositories by name and path; every method returns a Future settled on its thread."""

    def __init__(self, allowed: Sequence[Path], cache_dir: Path, rules: ScanRules) -> None:
        self._allowed = {Path(p).expanduser().resolve(): None for p in allowed}
        self._assistants: dict[Path, RepoAssistant] = {}
        self._cache = cache_dir
        self._rules = rules
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="server-repos")
        self._lock = threading.Lock()

    @property
    def roots(self) -> list[Path]:
        return list(self._allowed)

    @property
    def default(self) -> Path | None:
        """The one allowed repository, used when a request names none (an editor cannot always say)."""
        return next(iter(self._allowed)) if len(self._allowed) == 1 else None

    def find(self, name: str) -> Path:
        """The allowed root a request names: its path, or the folder's name. Cheap (no disk)."""
        for root in self._allowed:
            if name in (str(root), root.name):
                return root
        path = Path(name).expanduser()
        if path.is_absolute():
            try:
                resolved = path.resolve()
            except OSError:
                resolved = path
            if resolved in self._allowed:
                return resolved
        allowed = ", ".join(str(r) for r in self._allowed) or "none"
        raise RepositoryRefused(f"The repository {name!r} is not one this server was allowed to read "
                                f"(allowed: {allowed}).", param="repository")

    def prepare_chat(self, root: Path, messages: Sequence[ChatMessage], model_path: Path, n_ctx: int,
                     answer_tokens: int) -> Future[PreparedQuestion]:
        """The app's repository prompt for a client's conversation: the code packed for its first
        question (so the prompt's start stays the same across turns and its KV cache is reused),
        the turns since, then the last question. The client's system messages give way to the
        repository assistant's own."""
        turns = [m for m in messages if m.role != "system"]
        first, last = turns[0].content, turns[-1].content

        def work(assistant: RepoAssistant) -> PreparedQuestion:
            counter = assistant.counter_for(model_path)
            prepared = assistant.prepare(first, n_ctx, counter, answer_tokens, conversation=len(turns) > 1,
                                         rules=self._rules)
            if len(turns) == 1:
                return prepared
            session = RepoSession(prepared.session.root, prepared.session.context, list(turns[1:-1]))
            return PreparedQuestion(last, session, session.messages_for(last), keep_leading=prepared.keep_leading)

        return self._run(root, work)

    def infill_snippets(self, root: Path, prefix: str, suffix: str, path: str) -> Future[RepoSnippets | None]:
        def work(assistant: RepoAssistant) -> RepoSnippets | None:
            assistant.refresh(self._rules)  # edits since the last request (only changed files are read)
            file = (root / path) if path and not Path(path).is_absolute() else (Path(path) if path else None)
            return assistant.infill_snippets(prefix, suffix, file)

        return self._run(root, work)

    def _run(self, root: Path, work: Callable[[RepoAssistant], T]) -> Future[T]:
        def job() -> T:
            assistant = self._assistants.get(root)
            if assistant is None:  # opened (indexed) on first use, so starting the server stays instant
                assistant = RepoAssistant(self._cache / "repos", None)
                assistant.open(root, self._rules, resume=False)
                self._assistants[root] = assistant
            return work(assistant)

        with self._lock:
            return self._pool.submit(job)

    def close(self) -> None:
        def close_all() -> None:
            for assistant in self._assistants.values():
                assistant.close()
            self._assistants.clear()

        with self._lock:
            self._pool.submit(close_all)
            self._pool.shutdown(wait=True, cancel_futures=False)
