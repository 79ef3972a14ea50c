"""Pack the code a question needs into a token budget.

The ranking (rank.py) orders chunks and files. Packing: a compact map of the repository (its files
and top-level names) first, then files in rank order: whole when they fit their share, otherwise
their best definitions with class headers, neighbours and imports; a second pass over the same
files with what is left, then the best remaining chunks of any file. Each piece goes under a
`path:start-end` header, grouped by file in line order, counted with the caller's tokenizer. The
result lists exactly what was sent.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Callable

from app.core.prompt_text import fenced, quote_path
from app.core.repo.index import RepoIndex
from app.core.repo.rank import QueryTerms, file_order, query_terms, rank, search_terms

__all__ = ["PackResult", "PackedChunk", "QueryTerms", "TokenCounter", "approximate_tokens", "file_sizes", "pack",
           "query_terms", "rank", "repo_map"]

TokenCounter = Callable[[str], int]
MAP_SHARE = 0.12  # of the budget, at most, for the repository map


@dataclass(frozen=True)
class PackedChunk:
    path: str
    start_line: int
    end_line: int
    score: float
    tokens: int
    text: str

    @property
    def citation(self) -> str:
        return f"{quote_path(self.path)}:{self.start_line}-{self.end_line}"

    def render(self) -> str:
        return f"### {self.citation}\n{fenced(self.text)}\n"


@dataclass
class PackResult:
    question: str
    budget: int
    map_text: str = ""
    map_tokens: int = 0
    chunks: list[PackedChunk] = field(default_factory=list)

    used_tokens: int = 0  # tokens of render(), the text actually sent



    def render(self) -> str:
        parts = [f"## Repository map\n{self.map_text}\n"] if self.map_text else []
        parts += [c.render() for c in self.chunks]
        return "\n".join(parts)

    def to_json(self) -> dict:
        return {"question": self.question, "budget": self.budget, "used_tokens": self.used_tokens,
                "map_tokens": self.map_tokens,
                "chunks": [{"path": c.path, "start_line": c.start_line, "end_line": c.end_line,
                            "score": round(c.score, 4), "tokens": c.tokens} for c in self.chunks]}


def _map_lines(index: RepoIndex) -> list[tuple[str, str]]:
    """(path, line) per file, the line naming its top-level names; read from the index once per change of it."""
    cached = index.cache.get("map_lines")
    if cached is not None:
        return cached  # type: ignore[return-value]
    names: dict[str, list[str]] = defaultdict(list)
    for path, symbols in index.db.execute("SELECT path, symbols FROM chunks ORDER BY path, start"):
        if symbols:
            names[path].append(symbols.split()[0])
    lines = []
    for (path,) in index.db.execute("SELECT path FROM files WHERE skipped IS NULL ORDER BY path"):
        shown = names.get(path, [])[:12]
        lines.append((path, quote_path(path) + (f": {', '.join(shown)}" if shown else "")))
    index.cache["map_lines"] = lines
    return lines


def repo_map(index: RepoIndex, count_tokens: TokenCounter, budget: int,
             exclude: frozenset[str] = frozenset()) -> tuple[str, int]:
    """Files with their top-level names, as many as fit in `budget` tokens; files in `exclude` are not named."""
    files = [line for path, line in _map_lines(index) if path not in exclude]
    lines: list[str] = []
    used = 0
    for line in files:
        cost = count_tokens(line + "\n")
        if used + cost > budget:
            if lines:
                lines.append(f"… and {len(files) - len(lines)} more files")
            break
        lines.append(line)
        used += cost
    text = "\n".join(lines)
    return text, count_tokens(text) if text else 0


@dataclass(frozen=True)
class _Row:
    id: int
    path: str
    start: int
    end: int
    text: str
    header: tuple[int, int] | None  # the enclosing class's header lines, for a member cut out of it

    def render(self) -> str:
        return PackedChunk(self.path, self.start, self.end, 0.0, 0, self.text).render()


# How the budget is shared between files (tuned on benchmarks/fix_eval.py; figures in its commit messages):
FIRST_FILE_SHARE = 0.5  # the best file may take this much of what is left after the map
NEXT_FILE_SHARE = 0.4  # each following file this much of what is still left
MAX_FILES = 16
FILE_FLOOR = 0.2  # files scoring under this share of the best file get no room of their own
MAX_CHARS_PER_TOKEN = 5


def _rows(index: RepoIndex, where: str, args: tuple) -> list[_Row]:
    return [_Row(i, p, s, e, t, (hs, he) if hs else None) for i, p, s, e, t, hs, he in index.db.execute(
        f"SELECT id, path, start, end_line, text, header_start, header_end FROM chunks WHERE {where} ORDER BY start",
        args)]


def _focus(rows: list[_Row], hits: list[_Row], imports: tuple[int, int] | None) -> list[_Row]:
    """What of a file too big to send whole matters for its hits, most important first.

    Each hit, then the class header of a method, the definitions just above and below it (a fix
    often touches the neighbour too), then the import block; the next hit after that.
    """
    position = {row.id: n for n, row in enumerate(rows)}
    wanted: list[_Row] = []
    for hit in hits:
        n = position[hit.id]
        wanted.append(hit)
        if hit.header is not None:
            wanted += [r for r in rows if r.start <= hit.header[0] <= r.end]
        wanted += rows[max(0, n - 1):n] + rows[n + 1:n + 2]
        if imports is not None:
            wanted += [r for r in rows if r.start <= imports[1] and r.end >= imports[0]]
    return list({row.id: row for row in wanted}.values())


def _blocks(rows: list[_Row], score_of: dict[int, float], all_rows: list[_Row] | None = None) -> list[PackedChunk]:
    """Rows of one file in line order, touching ones joined: the model reads the code as it is.

    The chunker leaves out lines that are only whitespace between definitions. Each row comes with
    the blank lines between it and its neighbouring chunks of `all_rows` (as empty lines: their
    spaces are not kept), so rows with only such lines between them touch and are joined: a whole
    file is sent as one block, and a fix that inserts code between two definitions has its
    insertion point inside what was sent.
    """
    every = sorted(all_rows if all_rows is not None else rows, key=lambda r: r.start)
    starts = [r.start for r in every]
    blocks: list[PackedChunk] = []
    for row in sorted(rows, key=lambda r: r.start):
        piece = _with_blank_edges(PackedChunk(row.path, row.start, row.end, score_of.get(row.id, 0.0), 0, row.text),
                                  every, starts)
        last = blocks[-1] if blocks else None
        if last is None or piece.start_line > last.end_line + 1:
            blocks.append(piece)
            continue
        beyond = piece.text.split("\n")[last.end_line + 1 - piece.start_line:]  # its lines after the block's end
        text = "\n".join([last.text, *beyond]) if beyond else last.text
        blocks[-1] = replace(last, end_line=max(last.end_line, piece.end_line), score=max(last.score, piece.score),
                             text=text)
    return blocks


def _with_blank_edges(block: PackedChunk, every: list[_Row], starts: list[int]) -> PackedChunk:
    """`block` grown over the blank lines between it and the chunks before and after it (chunks of a
    file never overlap, and only whitespace lies between them)."""
    after = bisect_right(starts, block.end_line)  # the first chunk starting after the block
    end = every[after].start - 1 if after < len(every) else block.end_line
    before = bisect_left(starts, block.start_line) - 1  # the last chunk starting before it
    start = every[before].end + 1 if before >= 0 else 1  # only blank lines come before a file's first chunk
    if start >= block.start_line and end <= block.end_line:
        return block
    start, end = min(start, block.start_line), max(end, block.end_line)
    text = "\n" * (block.start_line - start) + block.text + "\n" * (end - block.end_line)
    return replace(block, start_line=start, end_line=end, text=text)


class _Packing:
    """What has been chosen so far, per file, and what is left of the budget."""

    def __init__(self, index: RepoIndex, count_tokens: TokenCounter, score_of: dict[int, float], remaining: int) -> None:
        self.index, self.count_tokens, self.score_of, self.remaining = index, count_tokens, score_of, remaining
        self.chosen: dict[str, dict[int, _Row]] = {}
        self.all_rows: dict[str, list[_Row]] = {}  # every chunk of the files looked at
        self.whole: dict[str, int] = {}  # files sent whole, with their tokens as one block (0: several blocks)
        self.spent: dict[str, int] = defaultdict(int)  # tokens taken by each file's pieces
        self._costs: dict[int, int] = {}

    def rows(self, path: str) -> list[_Row]:
        if path not in self.all_rows:
            self.all_rows[path] = _rows(self.index, "path = ?", (path,))
        return self.all_rows[path]

    def cost(self, row: _Row) -> int:
        if row.id not in self._costs:
            self._costs[row.id] = self.count_tokens(row.render())
        return self._costs[row.id]

    def try_whole(self, path: str, allowance: float) -> bool:
        """Take the whole file if it fits `allowance` on top of what it already has; pieces taken give their room back."""
        rows = self.rows(path)
        room = allowance + self.spent[path]
        # Counting a big file exactly is the slow part of packing: skip it when even five characters
        # per token (more than code ever has) would not fit.
        if sum(len(row.text) for row in rows) / MAX_CHARS_PER_TOKEN > room:
            return False
        blocks = _blocks(rows, self.score_of)
        tokens = self.count_tokens(PackResult("", 0, chunks=blocks).render())
        if tokens > room:
            return False
        self.chosen[path] = {row.id: row for row in rows}
        self.whole[path] = tokens if len(blocks) == 1 else 0
        self.remaining += self.spent[path] - tokens
        self.spent[path] = tokens
        return True

    def add(self, path: str, candidates: list[_Row], allowance: float) -> None:
        """Take `candidates` in order while each fits `allowance` (and what is left)."""
        taken, used = self.chosen.setdefault(path, {}), 0
        for row in candidates:
            if row.id in taken:
                continue
            if used + self.cost(row) <= min(allowance, self.remaining):
                taken[row.id] = row
                used += self.cost(row)
        self.spent[path] += used
        self.remaining -= used

    def focus(self, path: str, hits_limit: int | None) -> list[_Row]:
        rows = self.rows(path)
        hits = sorted((r for r in rows if r.id in self.score_of), key=lambda r: -self.score_of[r.id])
        imports = self.index.db.execute("SELECT imports_start, imports_end FROM files WHERE path = ?", (path,)).fetchone()
        return _focus(rows, hits[:hits_limit], tuple(imports) if imports and imports[0] else None)


FOCUS_HITS = 3  # first pass: a big file's best hits only; the rest of them in the second pass
SECOND_PASS_SHARE = 0.5


def pack(index: RepoIndex, question: str, budget: int, count_tokens: TokenCounter,
         exclude: frozenset[str] = frozenset()) -> PackResult:
    """The code `question` needs within `budget` tokens; files in `exclude` are left out.

    Files are taken in rank order. A file that fits its share of the budget goes in whole (the
    code a fix touches is often a few functions apart in one file); a bigger one gives its best
    hits with their class headers, neighbours and imports. A second pass over the same files,
    with what is left, sends whole the small files that did not fit their first share and gives
    the big ones the rest of their hits. Whatever room is left then takes the best remaining
    chunks of any file. The result is grouped by file, each file in line order.
    """
    result = PackResult(question=question, budget=budget)
    if budget <= 0:
        return result
    result.map_text, result.map_tokens = repo_map(index, count_tokens, int(budget * MAP_SHARE), exclude)
    if result.map_tokens > budget * MAP_SHARE:  # not even one line fits: no map
        result.map_text, result.map_tokens = "", 0
    terms = search_terms(index, question)
    ranked = rank(index, question, terms)
    ids = [chunk_id for _score, chunk_id in ranked]
    by_id: dict[int, _Row] = {}
    for offset in range(0, len(ids), 500):  # SQLite's limit on bound parameters
        part = ids[offset:offset + 500]
        for row in _rows(index, f"id IN ({','.join('?' * len(part))})", tuple(part)):
            if row.path not in exclude:
                by_id[row.id] = row
    score_of = {chunk_id: score for score, chunk_id in ranked}
    state = _Packing(index, count_tokens, score_of, budget - result.map_tokens)
    files = file_order(ranked, {i: r.path for i, r in by_id.items()}, index, terms, exclude)
    best = files[0][1] if files else 0.0
    files = [path for path, score in files[:MAX_FILES] if score >= FILE_FLOOR * best]
    if files and not state.try_whole(files[0], state.remaining * FIRST_FILE_SHARE):
        state.add(files[0], state.focus(files[0], FOCUS_HITS), state.remaining * FIRST_FILE_SHARE)
    for path in files[1:]:
        if state.remaining < 64:
            break
        allowance = state.remaining * NEXT_FILE_SHARE
        if not state.try_whole(path, allowance):
            state.add(path, state.focus(path, FOCUS_HITS), allowance)
    for path in files:
        if state.remaining < 64:
            break
        if path in state.whole:
            continue
        allowance = state.remaining * SECOND_PASS_SHARE
        if not state.try_whole(path, allowance):
            state.add(path, state.focus(path, None), allowance)
    for _score, chunk_id in ranked:  # the rest of the room: the best chunks not yet in
        row = by_id.get(chunk_id)
        if state.remaining < 32:
            break
        if row is None or chunk_id in state.chosen.get(row.path, {}):
            continue
        state.add(row.path, [row], state.remaining)
    for path, rows_in in state.chosen.items():
        blocks = _blocks(list(rows_in.values()), score_of, state.rows(path))
        for block in blocks:
            tokens = state.whole[path] if state.whole.get(path) and len(blocks) == 1 else count_tokens(block.render())
            result.chunks.append(replace(block, tokens=tokens))
    # The headers and separators between pieces cost tokens too: count the text as it is sent, and
    # drop the lowest-scored pieces until it fits.
    result.used_tokens = count_tokens(result.render()) if (result.chunks or result.map_text) else 0
    while result.used_tokens > budget and (result.chunks or result.map_text):
        if result.chunks:
            result.chunks.remove(min(result.chunks, key=lambda c: c.score))
        else:
            result.map_text, result.map_tokens = "", 0
        result.used_tokens = count_tokens(result.render()) if (result.chunks or result.map_text) else 0
    return result


def file_sizes(index: RepoIndex) -> list[tuple[str, int]]:
    """(path, approximate tokens) of every indexed file, for the file tree."""
    rows = index.db.execute("SELECT f.path, COALESCE(SUM(LENGTH(c.text)), 0) FROM files f "
                            "LEFT JOIN chunks c ON c.path = f.path WHERE f.skipped IS NULL GROUP BY f.path ORDER BY f.path")
    return [(path, approximate_tokens(" " * chars) if chars else 0) for path, chars in rows]


def approximate_tokens(text: str) -> int:
    """About four characters per token: for packing when no model tokenizer is at hand."""
    return max(1, (len(text) + 3) // 4)
