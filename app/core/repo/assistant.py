"""The repository assistant: the one place the operations on an open repository are written.

Open (index) a folder under scan rules, list its files, budget and pack a question, build the
messages of a first question or a follow-up, keep the conversation on disk, read a cited file and
find definitions for an infill. The CLI, the repository pane (through its worker thread) and any
later front end call these and only translate input and show output.

Thread ownership: the index's SQLite connection, the tokenizer and the disk belong to whichever
thread calls the methods; one thread at a time, always the same one while a repository is open
(the GUI's repository Worker thread; the CLI's main thread). `root` and `state` are snapshots
any thread may read.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable, Iterator

from app.core.infill.repo_context import snippets_for
from app.core.repo.ask import question_budget
from app.core.repo.assistant_types import (
    CitedCode,
    NoRepoOpenError,
    OpenedRepo,
    PreparedQuestion,
    RepoFile,
    RepoSnippets,
    RepoState,
)
from app.core.repo.index import IndexProgress, IndexRebuilt, IndexStats, RepoIndex
from app.core.repo.pack import PackResult, TokenCounter, file_sizes, pack
from app.core.repo.scan import ScanRules
from app.core.repo.session import RepoSession, load_session, save_session
from app.core.safe_read import read_inside

log = logging.getLogger(__name__)

CITED_FILE_BYTES = 20 * 1024 * 1024  # a cited file is source code; a bigger one is not shown


class RepoAssistant:
    def __init__(self, index_dir: Path, sessions_dir: Path | None = None) -> None:
        """Indexes are kept in `index_dir`, conversations in `sessions_dir` (None: not kept)."""
        self._index_dir = index_dir
        self._sessions_dir = sessions_dir
        self._index: RepoIndex | None = None
        self._counter: tuple[Path, Callable[[str], int]] | None = None  # a VocabCounter of one model
        self.root: Path | None = None  # of the open repository
        self.state = RepoState.IDLE

    @classmethod
    def in_cache(cls, cache: Path) -> "RepoAssistant":
        """The assistant every front end uses: indexes and conversations under the app's cache."""
        return cls(cache / "repos", cache / "repo-sessions")

    @property
    def index(self) -> RepoIndex:
        """The open repository's index (owner thread only)."""
        if self._index is None:
            raise NoRepoOpenError()
        return self._index

    # Opening -----------------------------------------------------------------------------------
    def open_steps(self, root: Path, rules: ScanRules, cancel: threading.Event | None = None,
                   resume: bool = True) -> Iterator[IndexProgress | OpenedRepo]:
        """Index `root` (only what changed since last time), yielding progress, then the OpenedRepo.

        The repository open before is closed first. With `resume`, the conversation saved on this
        repository comes back when no file changed since (it is about the code as it was).
        """
        self.close_repo()
        self.state = RepoState.INDEXING
        index = None
        try:
            index = RepoIndex(root, self._index_dir)
            stats = None
            for step in index.update_steps(rules, cancel=cancel):
                if isinstance(step, IndexStats):
                    stats = step
                else:
                    yield step
            assert stats is not None  # an update always ends with its stats
            files = _files(index)
        except BaseException:
            if index is not None:
                index.close()
            self.state = RepoState.IDLE
            raise
        self._index, self.root = index, index.root
        unchanged = not stats.reindexed and not stats.removed
        session = load_session(self._sessions_dir, index.root) if resume and unchanged and self._sessions_dir else None
        self.state = RepoState.READY
        yield OpenedRepo(index.root, stats, files, session)

    def open(self, root: Path, rules: ScanRules, cancel: threading.Event | None = None,
             progress: Callable[[IndexProgress], None] | None = None, resume: bool = True) -> OpenedRepo:
        for step in self.open_steps(root, rules, cancel, resume):
            if isinstance(step, OpenedRepo):
                return step
            if progress is not None:
                progress(step)
        raise RuntimeError("opening ended without a result")

    def refresh(self, rules: ScanRules, cancel: threading.Event | None = None) -> list[RepoFile] | None:
        """Catch edits made since the last look (only changed files are read); the new file list, or None."""
        index = self.index
        self.state = RepoState.INDEXING
        try:
            stats = index.update(rules, cancel)
            return _files(index) if (stats.reindexed or stats.removed) else None
        finally:
            self.state = RepoState.READY

    def files(self) -> list[RepoFile]:
        return _files(self.index)

    # Questions ---------------------------------------------------------------------------------
    def counter_for(self, model_path: Path) -> TokenCounter:
        """The model's tokenizer (its vocabulary only, no weights), loaded once per model."""
        from app.core.engine import VocabCounter

        if self._counter is None or self._counter[0] != model_path:
            self._close_counter()
            self._counter = (model_path, VocabCounter(model_path))
        return self._counter[1]

    def pack(self, question: str, budget: int, count_tokens: TokenCounter,
             exclude: frozenset[str] = frozenset()) -> PackResult:
        """The code for `question` in `budget` tokens, leaving out the files in `exclude`.

        A question that found the index damaged has had it rebuilt on the spot, so it is asked once more.
        """
        index = self.index
        self.state = RepoState.PACKING
        try:
            try:
                return pack(index, question, budget, count_tokens, exclude)
            except IndexRebuilt as exc:
                log.info("%s; asking again", exc.message)
                return pack(index, question, budget, count_tokens, exclude)
        finally:
            self.state = RepoState.READY

    def prepare(self, question: str, n_ctx: int, count_tokens: TokenCounter, answer_tokens: int,
                requested: int = 0, *, conversation: bool = True, exclude: frozenset[str] = frozenset(),
                rules: ScanRules | None = None, cancel: threading.Event | None = None) -> PreparedQuestion:
        """A first question: its code chosen and packed for a model of `n_ctx` tokens, and its messages.

        `requested` caps the code's budget (0: what the model's window leaves after the prompt's
        text, the answer and, for a `conversation`, room for follow-ups). With `rules`, edits made
        since the repository was opened are indexed first.
        """
        files = self.refresh(rules, cancel) if rules is not None else None
        budget = question_budget(n_ctx, count_tokens, question, answer_tokens, requested, conversation)
        context = self.pack(question, budget, count_tokens, exclude)
        session = RepoSession(str(self.index.root), context)
        return PreparedQuestion(question, session, session.messages_for(question), files)

    def save(self, session: RepoSession) -> None:
        """Keep the conversation, so that re-opening the unchanged repository continues it."""
        if self._sessions_dir is not None:
            save_session(self._sessions_dir, session)

    # Reading -----------------------------------------------------------------------------------
    def read_cited(self, path: str, start: int, end: int) -> CitedCode:
        """The cited file as it is now: the same bounded, inside-the-root read as indexing."""
        if self.root is None:
            raise NoRepoOpenError()
        lines = read_inside(self.root, path, CITED_FILE_BYTES).decode("utf-8", errors="replace").split("\n")
        return CitedCode(path, start, min(end, len(lines)), lines)

    def infill_snippets(self, prefix: str, suffix: str, path: Path | None) -> RepoSnippets | None:
        """Definitions of the names around an infill cursor from the open repository (None: none open)."""
        if self._index is None:
            return None
        rel = ""
        if path is not None:
            try:  # the index names files by their POSIX path from the root, on every system
                rel = path.expanduser().resolve().relative_to(self._index.root).as_posix()
            except ValueError:
                rel = ""  # a file from elsewhere still benefits from the repository's definitions
        return RepoSnippets(snippets_for(self._index, prefix, suffix, rel), self._index.root.name, rel)

    # Closing -----------------------------------------------------------------------------------
    def close_repo(self) -> None:
        if self._index is not None:
            self._index.close()
        self._index, self.root = None, None
        self.state = RepoState.IDLE

    def close(self) -> None:
        self.close_repo()
        self._close_counter()
        self.state = RepoState.CLOSED

    def _close_counter(self) -> None:
        if self._counter is not None:
            close = getattr(self._counter[1], "close", None)
            if close is not None:
                close()
            self._counter = None


def _files(index: RepoIndex) -> list[RepoFile]:
    return [RepoFile(path, tokens) for path, tokens in file_sizes(index)]
