"""Rank the chunks and files of an index for a question.

Chunks: FTS5 bm25 over chunk text, defined names, path and identifier parts, for the question's
words and identifiers, scaled by how many of the words a chunk has; boosts for chunks that define a
name the question mentions, for files whose path it names, and a smaller one for chunks that use
those names (callers); then each chunk keeps the weight of its file's kind (file_kinds: code over
tests, docs and release notes, unless the question asks about those). Files: their best chunk plus a
share of the next two, and a bonus when the question's rarer words name the path.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from app.core.repo.chunk import split_identifier
from app.core.repo.file_kinds import file_kind, kind_weights
from app.core.repo.index import RepoIndex

_CANDIDATES = 300
_WORD_RE = re.compile(r"[^\W\d]\w*|\d+")
_MAX_WORDS = 40  # words searched for, and names looked up as definitions
_MAX_READ = 400  # words read from a question: a pasted log must not turn into thousands of queries
_PATHISH_RE = re.compile(r"[\w./-]+\.[A-Za-z0-9]{1,8}|[\w-]+/[\w./-]+")
_DOTTED_RE = re.compile(r"\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*){2,}")  # pkg.module.name_with_underscores
_STOP = set("""a an and are as at be but by can do does for from has have how i if in into is it its me my
no not of on or our should so that the their then there these this to was we what when where which who why
will with would you your about after all also any because been before being between both each few more most
other some such than too very just over out up down off again further once here only own same nor s t don
function code file files use used using work works make makes get gets find show explain add new""".split())


SECOND_HIT_WEIGHT = 0.35  # a file with several good chunks ranks above one with a single lucky chunk


@dataclass(frozen=True)
class QueryTerms:
    words: tuple[str, ...]  # lowercased search words (identifier parts included)
    identifiers: tuple[str, ...]  # identifiers as written (names to look up as definitions)
    paths: tuple[str, ...]  # path-like fragments


def query_terms(question: str) -> QueryTerms:
    slashed = question.replace("\\", "/")  # a Windows traceback's C:\\...\\pkg\\mod.py
    found = _PATHISH_RE.findall(slashed) + _DOTTED_RE.findall(question)
    paths = tuple(dict.fromkeys(m.strip("./") for m in found if len(m) > 2))
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
    return QueryTerms(tuple(dict.fromkeys(words))[:_MAX_READ], idents[:_MAX_READ], paths[:30])


def _fragment_forms(fragment: str) -> list[tuple[str, bool]]:
    """What a path-like fragment may name in the repository, most specific first, each with whether
    it may name a folder.

    A path as written (src/app/io.py, or a folder: net/http); the same path with its leading
    folders dropped, down to folder/file, for one from another machine (a traceback's
    /usr/lib/python3/site-packages/django/db/models/query.py); a dotted module or class name as a
    file (django.db.models.query, org.apache.Foo, Crypto.Signature.DSS.new), with its last parts
    dropped in turn (an attribute, a method), never as a folder: django.db.models.Q is not
    everything under django/db/models.
    """
    forms = [(fragment, True)]
    parts = [p for p in fragment.split("/") if p]
    forms += [("/".join(parts[n:]), True) for n in range(1, len(parts) - 1)]
    if "/" not in fragment and "." in fragment:
        dotted = [p for p in fragment.split(".") if p]
        forms += [("/".join(dotted[:n]), False) for n in range(len(dotted), 1, -1)]
    return [(f, folder) for f, folder in dict.fromkeys(forms) if len(f) > 2]


def _by_name(index: RepoIndex) -> dict[str, list[str]]:
    """Indexed paths by each of their names: every folder name, and every file name cut at each of
    its dots (a/b/x.tar.gz under b, x, x.tar and x.tar.gz); read once per change of the index."""
    cached = index.cache.get("paths_by_name")
    if cached is not None:
        return cached  # type: ignore[return-value]
    by_name: dict[str, list[str]] = defaultdict(list)
    for path in _path_words(index):
        parts = path.split("/")
        names = set(parts[:-1])
        pieces = parts[-1].split(".")
        names.update(".".join(pieces[:n]) for n in range(1, len(pieces) + 1))
        for name in names:
            by_name[name].append(path)
    index.cache["paths_by_name"] = dict(by_name)
    return index.cache["paths_by_name"]  # type: ignore[return-value]


def named_files(index: RepoIndex, fragments: tuple[str, ...]) -> list[str]:
    """The indexed files the question's path-like fragments name: for each fragment, the files its
    most specific form that matches anything names (a file, or for a written path every file of a
    folder: "net/http: fix ..." is about that package)."""
    by_name = _by_name(index)
    named: dict[str, None] = {}
    for fragment in fragments:
        for form, folder in _fragment_forms(fragment):
            # Only the paths having the form's last name can hold it at name boundaries.
            candidates = by_name.get(form.rsplit("/", 1)[-1], ())
            matched = [p for p in candidates if _at_boundaries(p, form, folder)]
            if matched:
                named.update(dict.fromkeys(matched))
                break
    return list(named)


def _at_boundaries(path: str, form: str, folder: bool = True) -> bool:
    """`form` sits in `path` at name boundaries ("io.py" names src/io.py, not src/radio.py), as the
    file itself or its name before an extension (or, when `folder`, as a folder above it)."""
    start = 0
    while (at := path.find(form, start)) >= 0:
        end = at + len(form)
        if at == 0 or path[at - 1] == "/":
            if end == len(path):
                return True
            if path[end] == "." and "/" not in path[end:]:
                return True
            if path[end] == "/" and folder:
                return True
        start = at + 1
    return False


def search_words(index: RepoIndex, words: tuple[str, ...]) -> tuple[str, ...]:
    """The words to search for: all of a short question's; of a long one (an issue with its log and
    code), the _MAX_WORDS rarest that the repository has, in the question's order. Taking the first
    ones instead would drop the code and the traceback that usually come last."""
    if len(words) <= _MAX_WORDS:
        return words
    counts: dict[str, int] = {}
    for word in words:
        (count,) = index.db.execute("SELECT count(*) FROM (SELECT 1 FROM chunks_fts WHERE chunks_fts MATCH ? "
                                    "LIMIT 5000)", (f'"{word}"',)).fetchone()
        if count:
            counts[word] = count
    position = {word: n for n, word in enumerate(words)}
    kept = set(sorted(counts, key=lambda w: (counts[w], position[w]))[:_MAX_WORDS])
    return tuple(w for w in words if w in kept)


def search_terms(index: RepoIndex, question: str) -> QueryTerms:
    """The question's terms with its words narrowed to those searched for (search_words): what
    rank() and file_order() should both be given, worked out once per question."""
    terms = query_terms(question)
    return replace(terms, words=search_words(index, terms.words))


def chunk_paths(index: RepoIndex, ids: list[int]) -> dict[int, str]:
    """The path of each chunk id."""
    paths: dict[int, str] = {}
    for offset in range(0, len(ids), 500):  # SQLite's limit on bound parameters
        part = ids[offset:offset + 500]
        paths.update(index.db.execute(f"SELECT id, path FROM chunks WHERE id IN ({','.join('?' * len(part))})", part))
    return paths


def defined_names(index: RepoIndex, identifiers: tuple[str, ...]) -> dict[str, list[int]]:
    """The first _MAX_WORDS of `identifiers` that the repository defines, with the chunks defining each."""
    defined: dict[str, list[int]] = {}
    for ident in identifiers:
        if len(defined) >= _MAX_WORDS:
            break
        chunks = [chunk_id for (chunk_id,) in index.db.execute("SELECT chunk_id FROM symbols WHERE name = ?", (ident,))]
        if chunks:
            defined[ident] = chunks
    return defined


def _fts_query(words: tuple[str, ...]) -> str:
    return " OR ".join(f'"{w}"' for w in words)


def rank(index: RepoIndex, question: str, terms: QueryTerms | None = None) -> list[tuple[float, int]]:
    """(score, chunk id), best first; `terms`: the question's search_terms, when the caller has them."""
    terms = terms if terms is not None else search_terms(index, question)
    db = index.db
    scores: dict[int, float] = defaultdict(float)
    words = terms.words
    if words:
        rows = db.execute(
            "SELECT rowid, bm25(chunks_fts, 3.0, 6.0, 1.5, 1.0) FROM chunks_fts WHERE chunks_fts MATCH ? "
            "ORDER BY 2 LIMIT ?", (_fts_query(words), _CANDIDATES)).fetchall()
        # Coverage: a chunk matching several of the question's words beats a short chunk that
        # happens to repeat one of them (bm25 alone favours tiny chunks).
        hits: dict[int, int] = defaultdict(int)
        candidates = {rowid for rowid, _ in rows}
        for word in words:
            for (rowid,) in db.execute("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT 5000",
                                       (f'"{word}"',)):
                if rowid in candidates:
                    hits[rowid] += 1
        for rowid, bm25 in rows:
            coverage = hits[rowid] / len(words)
            scores[rowid] += -bm25 * (0.25 + coverage) ** 2  # bm25 is lower-is-better
    top = max(scores.values(), default=1.0) or 1.0
    # Definitions of names the question mentions.
    defined = defined_names(index, terms.identifiers)
    for chunks in defined.values():
        for chunk_id in chunks:
            scores[chunk_id] += top * 1.5
    # Files the question names by path (as written, from a traceback, or as a dotted module name).
    for path in named_files(index, terms.paths):
        for (chunk_id,) in db.execute("SELECT id FROM chunks WHERE path = ?", (path,)):
            scores[chunk_id] += top * 0.8
    # Callers: chunks that use a name the question asks about.
    for name in defined:
        for (rowid,) in db.execute("SELECT rowid FROM chunks_fts WHERE chunks_fts MATCH ? LIMIT 50",
                                   (f'text:"{name}"',)):
            scores[rowid] += top * 0.3
    # Tests, docs and release notes mention everything (a changelog entry is often the question, reworded);
    # unless the question is about them, prefer the code itself.
    if scores:
        weights = kind_weights(words)
        for cid, path in chunk_paths(index, list(scores)).items():
            scores[cid] *= weights[file_kind(path)]
    return sorted(((s, cid) for cid, s in scores.items()), reverse=True)


def file_order(ranked: list[tuple[float, int]], path_of: dict[int, str], index: RepoIndex, terms: QueryTerms,
               exclude: frozenset[str] = frozenset()) -> list[tuple[str, float]]:
    """Files by the chunks that rank in them (`path_of`: the chunks that may be sent), best first; a file the
    question's rarer words name by its path ranks up, whether or not its text matched."""
    per_file: dict[str, list[float]] = defaultdict(list)
    for score, chunk_id in ranked:
        if chunk_id in path_of:
            per_file[path_of[chunk_id]].append(score)
    scored = {path: s[0] + SECOND_HIT_WEIGHT * sum(s[1:3]) for path, s in per_file.items()}
    # A test's path names the code it tests ("tests/bin/assert-crowdsec-not-running"): the bonus is
    # weighted by the file's kind as its chunks were, or tests would climb back above the code.
    weights = kind_weights(terms.words)
    bonus = {path: b * weights[file_kind(path)] for path, b in path_bonus(index, terms).items() if path not in exclude}
    if bonus:
        top = max(scored.values(), default=1.0) or 1.0
        for path, b in bonus.items():
            scored[path] = scored.get(path, 0.0) + PATH_WORD_WEIGHT * top * b
    return sorted(scored.items(), key=lambda item: -item[1])


PATH_WORD_WEIGHT = 0.8  # a file whose path is named by the question's rarer words ("GIF" -> gd_gif_in.c)


def _path_words(index: RepoIndex) -> dict[str, frozenset[str]]:
    """Each indexed file's path split into lowercased words and identifier parts; read once per change of the index."""
    cached = index.cache.get("path_words")
    if cached is not None:
        return cached  # type: ignore[return-value]
    words: dict[str, frozenset[str]] = {}
    for (path,) in index.db.execute("SELECT path FROM files WHERE skipped IS NULL"):
        parts = re.findall(r"[A-Za-z0-9]+", path)
        words[path] = frozenset(w for part in parts for w in (part.lower(), *split_identifier(part)))
    index.cache["path_words"] = words
    return words


def path_bonus(index: RepoIndex, terms: QueryTerms) -> dict[str, float]:
    """How strongly the question's words name each file's path: the words' idf over paths, summed, over 10."""
    if not PATH_WORD_WEIGHT:
        return {}
    paths = _path_words(index)
    n = len(paths)
    df = index.cache.get("path_word_counts")
    if df is None:
        df = index.cache["path_word_counts"] = Counter(w for ws in paths.values() for w in ws)
    counts = {w: df[w] for w in terms.words}  # type: ignore[index]
    idf = {w: math.log(1 + (n - c + 0.5) / (c + 0.5)) for w, c in counts.items() if c}
    return {path: total / 10 for path, ws in paths.items() if (total := sum(v for w, v in idf.items() if w in ws))}


