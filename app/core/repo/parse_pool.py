"""Read and cut the files of an index update, in worker processes when there are many.

Each file is read the same bounded, link-refusing way as everywhere else (scan.read_source, over
app/core/safe_read.py) inside the worker, then cut (chunk.py) into rows ready for the index,
with their search terms. Nothing from the folder is executed: workers only read bytes and parse
them. Workers are started with `spawn` (never `fork`: the app has threads, and a forked copy of a
lock held by one of them would never be released). Results come back in the order asked, a
bounded number of files ahead, so a cancel stops the update within a few files; if a worker dies
(a crash in a grammar), the files it had are cut in this process without tree-sitter.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from app.core.repo.chunk import chunk_source, identifier_parts, identifiers
from app.core.repo.scan import ScanRules, read_source

log = logging.getLogger(__name__)

PARALLEL_MIN_FILES = 48  # fewer changed files are cut in this process: starting workers costs more
FILES_PER_TASK = 16  # per round trip to a worker
TASKS_AHEAD = 4  # per worker: how far reading runs ahead of the index's writes
MAX_WORKERS = 8


@dataclass(frozen=True)
class ChunkRow:
    start: int
    end: int
    text: str
    symbols: tuple[str, ...]
    terms: str
    kind: str
    header: tuple[int, int] | None
    refs: tuple[str, ...]


@dataclass(frozen=True)
class ParsedFile:
    path: str
    ok: bool  # read and cut; else `reason` says why it was skipped
    reason: str | None
    chunks: tuple[ChunkRow, ...] = ()
    imports: tuple[int, int] | None = None


def terms(path: str, text: str) -> str:
    """Identifier parts and path words, so "retry" finds RetryPolicy and retry_policy.py."""
    words: set[str] = set()
    for ident in identifiers(text):
        parts = identifier_parts(ident)
        if len(parts) > 1:
            words.update(parts)
    words.update(w.lower() for w in path.replace("/", " ").replace(".", " ").replace("_", " ").split())
    return " ".join(sorted(words))


Reader = Callable[[Path, str, ScanRules], "tuple[str | None, str | None]"]


def parse_file(root: Path, rel: str, rules: ScanRules, structure: bool = True,
               read: Reader = read_source) -> ParsedFile:
    text, reason = read(root, rel, rules)
    if text is None:
        return ParsedFile(rel, False, reason or "unreadable")
    cut = chunk_source(rel, text, structure=structure)
    rows = tuple(ChunkRow(c.start, c.end, c.text, c.symbols, terms(rel, c.text), c.kind, c.header, c.refs)
                 for c in cut.chunks)
    return ParsedFile(rel, True, None, rows, cut.imports)


def _parse_many(root: str, paths: list[str], rules: ScanRules) -> list[ParsedFile]:
    """In a worker: one task's files."""
    return [parse_file(Path(root), rel, rules) for rel in paths]


def worker_count() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cpus))


def parse_files(root: Path, paths: list[str], rules: ScanRules, cancel: threading.Event | None = None,
                workers: int | None = None, read: Reader = read_source) -> Iterator[ParsedFile]:
    """ParsedFile for each of `paths`, in order; stops early once `cancel` is set.

    `read` is used where files are cut in this process; workers always read with scan.read_source.
    """
    workers = worker_count() if workers is None else workers
    if workers <= 1 or len(paths) < PARALLEL_MIN_FILES:
        for rel in paths:
            if cancel is not None and cancel.is_set():
                return
            yield parse_file(root, rel, rules, read=read)
        return
    tasks = [paths[i:i + FILES_PER_TASK] for i in range(0, len(paths), FILES_PER_TASK)]
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    pending: deque[tuple[list[str], Future]] = deque()
    queued = iter(tasks)
    try:
        for task in queued:
            pending.append((task, pool.submit(_parse_many, str(root), task, rules)))
            if len(pending) >= workers * TASKS_AHEAD:
                break
        broken = False
        while pending:
            task, future = pending.popleft()
            if cancel is not None and cancel.is_set():
                return
            results: list[ParsedFile] | None = None
            if not broken:
                try:
                    results = future.result()
                except BrokenProcessPool:
                    log.warning("a worker cutting files of %s stopped; cutting the rest here without their "
                                "structure", root)
                    broken = True
            if results is None:  # cut here, with the line-based cut only: a grammar may have crashed it
                results = []
                for rel in task:
                    if cancel is not None and cancel.is_set():
                        break
                    results.append(parse_file(root, rel, rules, structure=False, read=read))
            for parsed in results:
                if cancel is not None and cancel.is_set():
                    return
                yield parsed
            if broken:
                pending.extend((t, future) for t in queued)  # the rest, cut here too
            else:
                next_task = next(queued, None)
                if next_task is not None:
                    pending.append((next_task, pool.submit(_parse_many, str(root), next_task, rules)))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
