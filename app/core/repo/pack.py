"""Choose and pack the code a question needs into a token budget.

Ranking: FTS5 bm25 over chunk text, defined names, path and identifier parts, for the question's
words and identifiers; then boosts for chunks that define a name the question mentions, for
files whose path it mentions, and a smaller one for chunks that use those names (callers).
Packing: a compact map of the repository (its files and top-level names) first, then chunks by
score, each under a `path:start-end` header, counted with the caller's tokenizer until the budget
is spent. The result lists exactly what was sent.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Callable

from app.core.prompt_text import fenced, quote_path
from app.core.repo.chunk import split_identifier
from app.core.repo.index import RepoIndex

TokenCounter = Callable[[str], int]
MAP_SHARE = 0.12  # of the budget, at most, for the repository map
_CANDIDATES = 300
_WORD_RE = re.compile(r"[^\W\d]\w*|\d+")
_MAX_WORDS = 40  # a pasted stack trace must not turn into hundreds of queries
_PATHISH_RE = re.compile(r"[\w./-]+\.[A-Za-z0-9]{1,8}|[\w-]+/[\w./-]+")
_STOP = set("""a an and are as at be but by can do does for from has have how i if in into is it its me my
no not of on or our should so that the their then there these this to was we what when where which who why
will with would you your about after all also any because been before being between both each few more most
other some such than too very just over out up down off again further once here only own same nor s t don
function code file files use used using work works make makes get gets find show explain add new""".split())


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


@dataclass(frozen=True)
class QueryTerms:
    words: tuple[str, ...]  # lowercased search words (identifier parts included)
    identifiers: tuple[str, ...]  # identifiers as written (names to look up as definitions)
    paths: tuple[str, ...]  # path-like fragments


def query_terms(question: str) -> QueryTerms:
    paths = tuple(dict.fromkeys(m.strip("./") for m in _PATHISH_RE.findall(question) if len(m) > 2))
    raw = _WORD_RE.findall(question)
    # Names the question writes as code (parse_args, RetryPolicy, `fetch`, fetch()) are looked up as
    # definitions; plain English words (chat, messages) are left to the text search.
    quoted = set(re.findall(r"`([A-Za-z_][\w.]*)`|([A-Za-z_]\w*)\(", question))
    quoted_names = {name for pair in quoted for name in pair if name}
    idents = tuple(dict.fromkeys(
        w for w in raw if len(w) > 2 and w.lower() not in _STOP
        and ("_" in w or any(c.isupper() for c in w[1:]) or any(c.isdigit() for c in w) or w in quoted_names)))
    words: list[str] = []
    for w in raw:
        for part in [w.lower(), *split_identifier(w)]:
            if len(part) > 1 and part not in _STOP and not part.isdigit():
                words.append(part)
    return QueryTerms(tuple(dict.fromkeys(words))[:_MAX_WORDS], idents[:_MAX_WORDS], paths[:10])


def _fts_query(words: tuple[str, ...]) -> str:
    return " OR ".join(f'"{w}"' for w in words)


def rank(index: RepoIndex, question: str) -> list[tuple[float, int]]:
    """(score, chunk id), best first."""
    terms = query_terms(question)
    db = index.db
    scores: dict[int, float] = defaultdict(float)
    if terms.words:
        rows = db.execute(
            "SELECT rowid, bm25(chunks_fts, 3.0, 6.0, 1.5, 1.0) FROM chunks_fts WHERE chunks_fts MATCH ? "
            "ORDER BY 2 LIMIT ?", (_fts_query(terms.words), _CANDIDATES)).fetchall()
        # Coverage: a chunk matching several of the question's words beats a short chunk that
        # happens to repeat one of them (bm25 alone favours tiny chunks).
        hits: dict[int, int] = defaultdict(int)
        candidates = {rowid for rowid, _ in rows}
        for word in terms.words:
            for (rowid,) in db.execute("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT 5000",
                                       (f'"{word}"',)):
                if rowid in candidates:
                    hits[rowid] += 1
        for rowid, bm25 in rows:
            coverage = hits[rowid] / len(terms.words)
            scores[rowid] += -bm25 * (0.25 + coverage) ** 2  # bm25 is lower-is-better
    top = max(scores.values(), default=1.0) or 1.0
    # Definitions of names the question mentions.
    defined: set[str] = set()
    for ident in terms.identifiers:
        for (chunk_id,) in db.execute("SELECT chunk_id FROM symbols WHERE name = ?", (ident,)):
            scores[chunk_id] += top * 1.5
            defined.add(ident)
    # Files the question names by path.
    for fragment in terms.paths:
        for (chunk_id,) in db.execute("SELECT id FROM chunks WHERE instr(path, ?) > 0", (fragment,)):
            scores[chunk_id] += top * 0.8
    # Callers: chunks that use a name the question asks about.
    for name in defined:
        for (rowid,) in db.execute("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT 50",
                                   (f'text:"{name}"',)):
            scores[rowid] += top * 0.3
    # Tests and docs mention everything; unless the question is about them, prefer the code itself.
    if scores and not any(w.startswith("test") for w in terms.words):
        ids = list(scores)
        marks = ",".join("?" * len(ids))
        for cid, path in db.execute(f"SELECT id, path FROM chunks WHERE id IN ({marks})", ids):
            if _is_test(path):
                scores[cid] *= 0.6
    return sorted(((s, cid) for cid, s in scores.items()), reverse=True)


def _is_test(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return ("/tests/" in f"/{path}" or "/test/" in f"/{path}" or name.startswith("test_")
            or name.endswith(("_test.py", ".test.js", ".test.ts", ".spec.js", ".spec.ts", "_test.go")))


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
SECOND_HIT_WEIGHT = 0.35  # a file with several good chunks ranks above one with a single lucky chunk


def _rows(index: RepoIndex, where: str, args: tuple) -> list[_Row]:
    return [_Row(i, p, s, e, t, (hs, he) if hs else None) for i, p, s, e, t, hs, he in index.db.execute(
        f"SELECT id, path, start, end_line, text, header_start, header_end FROM chunks WHERE {where} ORDER BY start",
        args)]


def _file_order(ranked: list[tuple[float, int]], path_of: dict[int, str]) -> list[tuple[str, float]]:
    per_file: dict[str, list[float]] = defaultdict(list)
    for score, chunk_id in ranked:
        if chunk_id in path_of:
            per_file[path_of[chunk_id]].append(score)
    scored = {path: s[0] + SECOND_HIT_WEIGHT * sum(s[1:3]) for path, s in per_file.items()}
    return sorted(scored.items(), key=lambda item: -item[1])


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

    The chunker leaves out lines that are only whitespace between definitions; two chosen rows
    with only such lines between them (no chunk of `all_rows` there) are joined across them (as
    empty lines: their spaces are not kept), so a whole file is sent as one block and a fix's
    blank-line edits are inside what was sent.
    """
    # Chunks of a file never overlap, so a chunk lies in a gap exactly when it starts there.
    starts = sorted(r.start for r in (all_rows if all_rows is not None else rows))
    blocks: list[PackedChunk] = []
    for row in sorted(rows, key=lambda r: r.start):
        score = score_of.get(row.id, 0.0)
        last = blocks[-1] if blocks else None
        if last is not None and row.start <= last.end_line + 1:
            text = last.text if row.end <= last.end_line else last.text + "\n" + row.text
            blocks[-1] = replace(last, end_line=max(last.end_line, row.end), score=max(last.score, score), text=text)
        elif last is not None and bisect_right(starts, last.end_line) == bisect_left(starts, row.start):
            blank = row.start - last.end_line - 1
            blocks[-1] = replace(last, end_line=row.end, score=max(last.score, score),
                                 text=last.text + "\n" * (blank + 1) + row.text)
        else:
            blocks.append(PackedChunk(row.path, row.start, row.end, score, 0, row.text))
    return blocks


def pack(index: RepoIndex, question: str, budget: int, count_tokens: TokenCounter,
         exclude: frozenset[str] = frozenset()) -> PackResult:
    """The code `question` needs within `budget` tokens; files in `exclude` are left out.

    Files are taken in rank order. A file that fits its share of the budget goes in whole (the
    code a fix touches is often a few functions apart in one file); a bigger one gives its hits
    with their class headers, neighbours and imports. Whatever room is left takes the best
    remaining chunks of any file. The result is grouped by file, each file in line order.
    """
    result = PackResult(question=question, budget=budget)
    if budget <= 0:
        return result
    result.map_text, result.map_tokens = repo_map(index, count_tokens, int(budget * MAP_SHARE), exclude)
    if result.map_tokens > budget * MAP_SHARE:  # not even one line fits: no map
        result.map_text, result.map_tokens = "", 0
    remaining = budget - result.map_tokens
    ranked = rank(index, question)
    ids = [chunk_id for _score, chunk_id in ranked]
    by_id: dict[int, _Row] = {}
    for offset in range(0, len(ids), 500):  # SQLite's limit on bound parameters
        part = ids[offset:offset + 500]
        for row in _rows(index, f"id IN ({','.join('?' * len(part))})", tuple(part)):
            if row.path not in exclude:
                by_id[row.id] = row
    score_of = {chunk_id: score for score, chunk_id in ranked}
    chosen: dict[str, dict[int, _Row]] = {}
    all_rows: dict[str, list[_Row]] = {}  # every chunk of the files looked at whole
    counted: dict[str, int] = {}  # tokens of a file sent whole as one block, already counted
    cost_cache: dict[int, int] = {}

    def cost(row: _Row) -> int:
        if row.id not in cost_cache:
            cost_cache[row.id] = count_tokens(row.render())
        return cost_cache[row.id]

    files = _file_order(ranked, {i: r.path for i, r in by_id.items()})
    best = files[0][1] if files else 0.0
    for n, (path, file_score) in enumerate(files[:MAX_FILES]):
        if remaining < 64 or file_score < FILE_FLOOR * best:
            break
        allowance = remaining * (FIRST_FILE_SHARE if n == 0 else NEXT_FILE_SHARE)
        rows = _rows(index, "path = ?", (path,))
        all_rows[path] = rows
        # Counting a big file exactly is the slow part of packing: skip it when even five characters
        # per token (more than code ever has) would not fit.
        if sum(len(row.text) for row in rows) / MAX_CHARS_PER_TOKEN <= allowance:
            blocks = _blocks(rows, score_of)
            whole = count_tokens(PackResult("", 0, chunks=blocks).render())
            if whole <= allowance:
                chosen[path] = {row.id: row for row in rows}
                if len(blocks) == 1:
                    counted[path] = whole
                remaining -= whole
                continue
        imports = index.db.execute("SELECT imports_start, imports_end FROM files WHERE path = ?", (path,)).fetchone()
        hits = sorted((r for r in rows if r.id in score_of), key=lambda r: -score_of[r.id])
        spent, taken = 0, chosen.setdefault(path, {})
        for row in _focus(rows, hits, tuple(imports) if imports and imports[0] else None):
            if spent + cost(row) <= allowance:
                taken[row.id] = row
                spent += cost(row)
        remaining -= spent
    for _score, chunk_id in ranked:  # the rest of the room: the best chunks not yet in
        row = by_id.get(chunk_id)
        if remaining < 32:
            break
        if row is None or chunk_id in chosen.get(row.path, {}) or cost(row) > remaining:
            continue
        chosen.setdefault(row.path, {})[chunk_id] = row
        remaining -= cost(row)
    for path, rows_in in chosen.items():
        if path not in all_rows:
            all_rows[path] = _rows(index, "path = ?", (path,))
        blocks = _blocks(list(rows_in.values()), score_of, all_rows[path])
        for block in blocks:
            tokens = counted[path] if path in counted and len(blocks) == 1 else count_tokens(block.render())
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
