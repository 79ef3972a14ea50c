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


def _map_lines(index: RepoIndex) -> list[str]:
    """One line per file with its top-level names; read from the index once per change of it."""
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
        lines.append(quote_path(path) + (f": {', '.join(shown)}" if shown else ""))
    index.cache["map_lines"] = lines
    return lines


def repo_map(index: RepoIndex, count_tokens: TokenCounter, budget: int) -> tuple[str, int]:
    """Files with their top-level names, as many as fit in `budget` tokens."""
    files = _map_lines(index)
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


def pack(index: RepoIndex, question: str, budget: int, count_tokens: TokenCounter,
         exclude: frozenset[str] = frozenset()) -> PackResult:
    """The best chunks for `question` within `budget` tokens; files in `exclude` are left out."""
    result = PackResult(question=question, budget=budget)
    if budget <= 0:
        return result
    result.map_text, result.map_tokens = repo_map(index, count_tokens, int(budget * MAP_SHARE))
    if result.map_tokens > budget * MAP_SHARE:  # not even one line fits: no map
        result.map_text, result.map_tokens = "", 0
    remaining = budget - result.map_tokens
    for score, chunk_id in rank(index, question):
        row = index.db.execute("SELECT path, start, end_line, text FROM chunks WHERE id = ?", (chunk_id,)).fetchone()
        if row is None or row[0] in exclude:
            continue
        chunk = PackedChunk(row[0], row[1], row[2], score, 0, row[3])
        tokens = count_tokens(chunk.render())
        if tokens > remaining:
            continue  # a smaller, lower-ranked chunk may still fit
        result.chunks.append(replace(chunk, tokens=tokens))
        remaining -= tokens
        if remaining < 32:
            break
    # The headers and separators between pieces cost tokens too: count the text as it is sent, and
    # drop the lowest-ranked chunks until it fits.
    result.used_tokens = count_tokens(result.render()) if (result.chunks or result.map_text) else 0
    while result.used_tokens > budget and (result.chunks or result.map_text):
        if result.chunks:
            result.chunks.pop()
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
