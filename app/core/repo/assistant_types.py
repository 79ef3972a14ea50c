"""What the repository assistant's operations return: plain, typed values any front end can show."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import NamedTuple

from app.core.i18n import join_list, translate
from app.core.infill.prompt import Snippet
from app.core.prompts.chat import ChatMessage
from app.core.repo.ask import KEEP_LEADING
from app.core.repo.index import IndexStats
from app.core.repo.scan import RepoError
from app.core.repo.session import RepoSession


class RepoState(Enum):
    IDLE = "idle"  # no repository open
    INDEXING = "indexing"  # opening a repository, or catching up with its edits
    READY = "ready"
    PACKING = "packing"  # choosing the code for a question
    ANSWERING = "answering"  # the model is answering (front ends that run the model say so)
    CLOSED = "closed"


class EmptyRepoError(RepoError):
    """The folder holds nothing to index."""

    def __init__(self, root: Path) -> None:
        super().__init__(translate("core", "{root} has no source files to index (empty, or everything is ignored)").format(
            root=root))


class NoRepoOpenError(RepoError):
    def __init__(self) -> None:
        super().__init__(translate("core", "No repository is open; open a folder first."))


class RepoFile(NamedTuple):
    path: str  # relative to the repository, with '/'
    tokens: int  # approximate, for the file tree


@dataclass(frozen=True)
class OpenedRepo:
    root: Path
    stats: IndexStats
    files: list[RepoFile]
    session: RepoSession | None  # the last conversation, when no file changed since it was saved

    @property
    def empty(self) -> bool:
        return self.stats.files == 0

    def skipped_reasons(self, most: int = 5) -> list[tuple[str, int]]:
        """(reason, files) of the skipped files, the commonest first."""
        counts: dict[str, int] = {}
        for skipped in self.stats.skipped:
            # "unreadable (permission denied)" counts as "unreadable"; a reason stays translatable.
            head = skipped.reason.split(" (")[0]
            key = skipped.reason if head == skipped.reason else _SHORT_REASONS.get(head, head)
            counts[key] = counts.get(key, 0) + 1
        return sorted(counts.items(), key=lambda kv: -kv[1])[:most]

    def summary(self) -> str:
        """One line on what was indexed and what was skipped, and why."""
        stats = self.stats
        figures = {"root": self.root, "files": stats.files, "chunks": stats.chunks, "reindexed": stats.reindexed}
        if not stats.skipped:
            if stats.truncated:
                return translate("core", "{root}: {files:,} files, {chunks:,} chunks ({reindexed:,} read now); the file "
                                 "limit was reached").format(**figures)
            return translate("core", "{root}: {files:,} files, {chunks:,} chunks ({reindexed:,} read now)").format(**figures)
        detail = join_list([translate("core", "{count} {reason}", "files skipped for a reason").format(count=n, reason=r)
                            for r, n in self.skipped_reasons()])
        if stats.truncated:
            return translate("core", "{root}: {files:,} files, {chunks:,} chunks ({reindexed:,} read now); {skipped:,} "
                             "skipped: {detail}; the file limit was reached").format(
                skipped=len(stats.skipped), detail=detail, **figures)
        return translate("core", "{root}: {files:,} files, {chunks:,} chunks ({reindexed:,} read now); {skipped:,} "
                         "skipped: {detail}").format(skipped=len(stats.skipped), detail=detail, **figures)


# The short forms of skip reasons that carry a detail in brackets.
_SHORT_REASONS = {
    "unreadable": translate("core", "unreadable"),
    "hard link": translate("core", "hard link"),
    "link to a folder": translate("core", "link to a folder"),
}


def state_scope(root: Path | str) -> str:
    """The key the model's saved prompt states of this repository's questions are kept under."""
    return f"repo:{root}"


@dataclass(frozen=True)
class PreparedQuestion:
    """A question ready for the model: its messages, and the conversation they belong to."""

    question: str
    session: RepoSession  # the conversation this question continues (or starts)
    messages: list[ChatMessage]
    files: list[RepoFile] | None = None  # the file list, when files changed since it was last given
    keep_leading: int = KEEP_LEADING  # messages the engine never drops to make room

    @property
    def state_scope(self) -> str:
        return state_scope(self.session.root)

    @property
    def follow_up(self) -> bool:
        return bool(self.session.history)

    @classmethod
    def continuing(cls, session: RepoSession, question: str) -> "PreparedQuestion":
        """A follow-up over `session`'s packed context (nothing to read or count: no disk, no tokenizer)."""
        return cls(question, session, session.messages_for(question))


def follow_up(session: RepoSession, question: str, n_ctx: int, answer_tokens: int,
              excluded: frozenset[str]) -> tuple[PreparedQuestion | None, str]:
    """The follow-up that continues `session`, or None and why the question must pack afresh.

    A follow-up keeps the packed code as the prompt's unchanged start (its KV state is reused), so
    it is refused when that code holds files the user excluded since, or no longer fits the model.
    """
    if session.uses_any(excluded):
        return None, translate("core", "Files you excluded were in the packed code; choosing code for the question afresh.")
    if not session.fits(n_ctx, answer_tokens):  # packed for a larger window (another model, a resumed session)
        return None, translate("core", "The code packed for this conversation does not fit this model's context; "
                               "choosing code for the question afresh.")
    return PreparedQuestion.continuing(session, question), ""


@dataclass(frozen=True)
class CitedCode:
    path: str
    start: int
    end: int  # within the file as it is now
    lines: list[str]  # the whole file

    @property
    def code(self) -> str:
        return "\n".join(self.lines[self.start - 1: self.end])


@dataclass(frozen=True)
class RepoSnippets:
    """Definitions from the repository for an infill, with where the infilled file sits in it."""

    snippets: list[Snippet]
    repo_name: str
    path: str  # the file's path in the repository ('' for a file from elsewhere)
