"""Fix evaluation: does the packed context hold the code that real fixes changed?

Runs benchmarks/fix_eval_cases.json (made by fix_eval_build.py from consecutive releases of PyPI,
npm and Debian packages; see that file for how questions and gold lines were chosen). For each case
the OLD release is unpacked (from ~/.cache/codellama-eval/, downloaded when missing), indexed once
with RepoIndex, and packed with the app's `pack` for the changelog entry at each budget. Scored:

  (a) "file": at least one packed chunk is from a file the fix changed;
  (b) "lines": every changed line (for pure additions, the lines around the insertion point) lies
      inside a packed chunk.

Also printed: how often every changed file is among the first 1/3/5/10/20 files of the app's file
order and of whole-file BM25's, which bounds what any packing of those files can reach.

Baseline in the same run: whole-file BM25. The repository's indexed files are ranked by Okapi BM25
(k1=1.2, b=0.75) of the question against the whole file text, with a plain tokenizer (identifiers
and words, lowercased, split at _ and camelCase), and whole files are packed best-first, each as a
`### path` header and a fenced block, while they fit in the budget; tokens are counted with the same
tokenizer (the embedded model's) as the app's packing.

    .venv/bin/python benchmarks/fix_eval.py                    # the whole set, 4k/16k/32k
    .venv/bin/python benchmarks/fix_eval.py --limit 20 --language python --budgets 4096,16384 --jobs 2
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import re
import shlex
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, embedded_model  # noqa: E402
from fix_eval_sources import tree_for  # noqa: E402

CASES = ROOT / "benchmarks" / "fix_eval_cases.json"
BUDGETS = (4096, 16384, 32768)
K1, B = 1.2, 0.75
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\d+")
_STOP = set("""a an and are as at be by for from has have how i in is it its of on or that the this to was
were will with not no do does did can should would when where which what why who""".split())

_counter = None  # one tokenizer per worker process


def _tokens(text: str) -> list[str]:
    out = []
    for word in _WORD.findall(text):
        lower = word.lower()
        out.append(lower)
        parts = [p.lower() for p in re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+", word)]
        if len(parts) > 1:
            out.extend(parts)
    return [t for t in out if len(t) > 1 and t not in _STOP]


class FileBM25:
    """Okapi BM25 over whole files; the files are tokenized once and reused for every question."""

    def __init__(self, texts: dict[str, str]) -> None:
        self.tf = {path: Counter(_tokens(text)) for path, text in texts.items()}
        self.lengths = {path: sum(c.values()) for path, c in self.tf.items()}
        self.df: Counter = Counter()
        for counts in self.tf.values():
            self.df.update(counts.keys())
        self.avg = (sum(self.lengths.values()) / len(self.tf)) if self.tf else 1.0

    def rank(self, question: str) -> list[str]:
        """Paths, best score first (files sharing no word with the question are left out)."""
        query = list(dict.fromkeys(_tokens(question)))
        n = len(self.tf)
        scores = {}
        for path, counts in self.tf.items():
            score = 0.0
            for term in query:
                f = counts.get(term, 0)
                if not f:
                    continue
                df = self.df[term]
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                score += idf * f * (K1 + 1) / (f + K1 * (1 - B + B * self.lengths[path] / (self.avg or 1.0)))
            if score > 0:
                scores[path] = score
        return sorted(scores, key=lambda p: (-scores[p], p))


def pack_whole_files(ranked: list[str], texts: dict[str, str], budget: int, count,
                     costs: dict[str, int]) -> list[str]:
    remaining = budget
    packed = []
    for path in ranked:
        text = texts[path]
        if len(text) > remaining * 12:  # cannot fit: no code has 12 characters a token
            continue
        if path not in costs:
            costs[path] = count(f"### {path}\n```\n{text}\n```\n")
        cost = costs[path]
        if cost <= remaining:
            packed.append(path)
            remaining -= cost
            if remaining < 32:
                break
    return packed


def covered(chunks: list[tuple[str, int, int]], gold: dict[str, list[list[int]]]) -> tuple[bool, bool]:
    """(a chunk of a changed file was packed, every changed line was packed)."""
    by_path: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for path, start, end in chunks:
        by_path[path].append((start, end))
    any_file = any(path in by_path for path in gold)
    every = True
    for path, ranges in gold.items():
        spans = by_path.get(path, [])
        for start, end in ranges:
            for line in range(start, end + 1):
                if not any(s <= line <= e for s, e in spans):
                    every = False
                    break
            if not every:
                break
        if not every:
            break
    return any_file, every


_keep_index: Path | None = None  # --keep-index: indexes kept between runs (re-opened warm), for tuning


def _init_worker(keep_index: Path | None = None) -> None:
    global _counter, _keep_index
    from app.core.engine import VocabCounter
    _counter = VocabCounter(embedded_model())
    _keep_index = keep_index


def run_group(job: tuple[dict, list[dict], list[int]]) -> list[dict]:
    """Index one old tree and run every case on it at every budget, app and baseline."""
    from fix_eval_history import read_text

    from app.core.repo.index import RepoIndex
    from app.core.repo.pack import pack

    spec, cases, budgets = job
    started = time.perf_counter()
    try:
        root = tree_for(spec)
    except Exception as exc:
        return [{"id": c["id"], "error": f"could not unpack: {exc}"} for c in cases]
    cache = _keep_index or Path(tempfile.mkdtemp(prefix="cld-fixeval-"))
    index = RepoIndex(root, cache)
    try:
        stats = index.update()
        index_s = time.perf_counter() - started
        paths = [p for (p,) in index.db.execute("SELECT path FROM files WHERE skipped IS NULL")]
        texts = {p: t for p in paths if (t := read_text(root / p)) is not None}
        bm25 = FileBM25(texts)
        costs: dict[str, int] = {}
        results = []
        for case in cases:
            gold = case["gold"]
            row = {"id": case["id"], "language": report_row(case), "package": case["package"],
                   "question": case["question"], "gold_files": len(gold),
                   "gold_indexed": all(p in texts for p in gold), "files": stats.files, "index_s": round(index_s, 2),
                   "app": {}, "bm25": {}}
            ranked = bm25.rank(case["question"])
            row["bm25_rank_of_gold"] = min((ranked.index(p) + 1 for p in gold if p in ranked), default=None)
            row["bm25_ranks"] = {p: ranked.index(p) + 1 if p in ranked else None for p in gold}
            row["app_ranks"] = app_file_ranks(index, case["question"], gold)
            for budget in budgets:
                packed = pack(index, case["question"], budget, _counter)
                chunks = [(c.path, c.start_line, c.end_line) for c in packed.chunks]
                a, b = covered(chunks, gold)
                row["app"][str(budget)] = {"file": a, "lines": b, "used": packed.used_tokens, "chunks": len(chunks)}
                files = pack_whole_files(ranked, texts, budget, _counter, costs)
                whole = [(p, 1, max(1, texts[p].count("\n") + 1)) for p in files]
                a, b = covered(whole, gold)
                row["bm25"][str(budget)] = {"file": a, "lines": b, "files": len(files)}
            results.append(row)
        return results
    finally:
        index.close()
        if _keep_index is None:
            shutil.rmtree(cache, ignore_errors=True)


def app_file_ranks(index, question: str, gold: dict) -> dict[str, int | None]:
    """Where each changed file stands in the app's file order for the question (None: not ranked)."""
    from app.core.repo.rank import chunk_paths, file_order, rank, search_terms

    terms = search_terms(index, question)  # as pack() ranks files
    ranked = rank(index, question, terms)
    path_of = chunk_paths(index, [chunk_id for _score, chunk_id in ranked])
    order = [path for path, _score in file_order(ranked, path_of, index, terms)]
    return {p: order.index(p) + 1 if p in order else None for p in gold}


RANK_CUTS = (1, 3, 5, 10, 20)


def ranking_line(rows: list[dict], key: str) -> str:
    """How often every changed file is among the first k files of a ranking: the ceiling for packing."""
    def within(row: dict, k: int) -> bool:
        return all(r is not None and r <= k for r in row[key].values())
    return ", ".join(f"top {k}: {sum(within(r, k) for r in rows) / len(rows):.0%}" for k in RANK_CUTS)


def report_row(case: dict) -> str:
    """The table row of a case: its report language, except that the JavaScript cases built under the
    joint "js/ts" label are shown as "javascript", next to the "typescript" row."""
    label = case["report_language"]
    return case["language"] if label == "js/ts" else label


def select(cases: list[dict], language: str | None, limit: int | None) -> list[dict]:
    if language:
        wanted = language.lower()
        cases = [c for c in cases if wanted in (c["language"], c["report_language"], report_row(c))]
    if limit is not None:  # round-robin over languages, so a small run still covers each of them
        queues: dict[str, list[dict]] = defaultdict(list)
        for case in cases:
            queues[report_row(case)].append(case)
        picked: list[dict] = []
        while len(picked) < limit and any(queues.values()):
            for queue in queues.values():
                if queue and len(picked) < limit:
                    picked.append(queue.pop(0))
        cases = picked
    return cases


def table(rows: list[dict], budgets: list[int]) -> str:
    langs = sorted({r["language"] for r in rows})
    lines = ["| language | cases | budget | app: a chunk of a changed file | app: every changed line "
             "| BM25 whole files: a changed file | BM25 whole files: every changed line |",
             "|---|---|---|---|---|---|---|"]

    def pct(items: list[dict], side: str, budget: int, key: str) -> str:
        hits = sum(r[side][str(budget)][key] for r in items)
        return f"{hits / len(items):.0%} ({hits})"

    for lang in langs + ["all"]:
        items = [r for r in rows if lang in ("all", r["language"])]
        if not items:
            continue
        for i, budget in enumerate(budgets):
            label = f"**{lang}**" if lang == "all" else lang
            lines.append(f"| {label if i == 0 else ''} | {len(items) if i == 0 else ''} | {budget // 1024}k "
                         f"| {pct(items, 'app', budget, 'file')} | {pct(items, 'app', budget, 'lines')} "
                         f"| {pct(items, 'bm25', budget, 'file')} | {pct(items, 'bm25', budget, 'lines')} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--language", help="python, c, cpp, javascript (or js/ts), typescript, rust, bash, ...")
    parser.add_argument("--budgets", default=",".join(map(str, BUDGETS)))
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--json", type=Path, help="write per-case results here")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per case")
    parser.add_argument("--keep-index", type=Path, help="keep the indexes here between runs (packing changes only)")
    args = parser.parse_args()
    budgets = [int(b) for b in args.budgets.split(",") if b.strip()]
    started = time.perf_counter()
    cases = select(json.loads(args.cases.read_text())["cases"], args.language, args.limit)
    if not cases:
        sys.exit("no cases selected")
    groups: dict[str, tuple[dict, list[dict]]] = {}
    for case in cases:
        spec = {**case["old"], "package": case["package"]}
        key = json.dumps(case["old"], sort_keys=True)
        groups.setdefault(key, (spec, []))[1].append(case)
    jobs = [(spec, items, budgets) for spec, items in groups.values()]
    jobs.sort(key=lambda j: -len(j[1]))
    rows: list[dict] = []
    errors = []
    print(f"{len(cases)} cases over {len(jobs)} old trees, budgets {budgets}, {args.jobs} job(s)", flush=True)
    # Not a multiprocessing.Pool: its workers are daemons, and the indexer may start processes of its own.
    with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_init_worker, initargs=(args.keep_index,)) as pool:
        futures = [pool.submit(run_group, job) for job in jobs]
        for done, future in enumerate(as_completed(futures), start=1):
            result = future.result()
            for row in result:
                if "error" in row:
                    errors.append(row)
                    continue
                rows.append(row)
                if args.verbose:
                    marks = " ".join(("F" if row["app"][str(b)]["file"] else "-") +
                                     ("L" if row["app"][str(b)]["lines"] else "-") + "/" +
                                     ("F" if row["bm25"][str(b)]["file"] else "-") +
                                     ("L" if row["bm25"][str(b)]["lines"] else "-") for b in budgets)
                    print(f"  {marks}  [{row['language']}] {row['id']}: {row['question'][:70]}", flush=True)
            if not args.verbose and done % 10 == 0:
                print(f"  {done}/{len(jobs)} trees", flush=True)
    wall = time.perf_counter() - started
    order = {c["id"]: i for i, c in enumerate(cases)}
    rows.sort(key=lambda r: order[r["id"]])
    command = " ".join([".venv/bin/python", "benchmarks/fix_eval.py", *map(shlex.quote, sys.argv[1:])])
    print()
    print(table(rows, budgets) if rows else "no results")
    print()
    print(f"{len(rows)} cases scored ({len(errors)} failed to unpack); gold file not indexed by the app in "
          f"{sum(not r['gold_indexed'] for r in rows)}; wall time {wall:.0f} s with {args.jobs} job(s)")
    print("a = a chunk of a changed file was packed; every changed line = all gold line ranges inside packed chunks")
    if rows:
        print(f"every changed file among the app's first k files: {ranking_line(rows, 'app_ranks')}")
        print(f"every changed file among whole-file BM25's first k files: {ranking_line(rows, 'bm25_ranks')}")
    print(f"reproduce: {command}")
    for row in errors:
        print(f"  error {row['id']}: {row['error']}")
    if args.json:
        args.json.write_text(json.dumps({"command": command, "wall_s": round(wall, 1), "budgets": budgets,
                                         "results": rows, "errors": errors}, indent=1))


if __name__ == "__main__":
    main()
