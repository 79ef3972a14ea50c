"""Repository indexing and packing speed, and the follow-up time-to-first-token ratio.

The repository is a git copy of this Python's standard library with its tests (thousands of real files).
Baselines in the same run: `git ls-files` plus reading every listed file, and read-and-parse (scan,
read every file the index takes and cut it into chunks, in this one process, no SQLite). Targets:
cold indexing within 3x of read-and-parse; warm re-open (nothing changed) under 1 s; packing a
question on the warm index under 1 s; time to first token of a follow-up question / the first
question on the same packed context <= 0.2.

    .venv/bin/python benchmarks/repo_index.py
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from _common import embedded_model, median, verdict

from app.core.engine import LoadOptions, LocalEngine, VocabCounter
from app.core.prompt_states import PromptStateStore
from app.core.prompts.chat import ChatMessage
from app.core.repo.ask import build_repo_messages
from app.core.repo.chunk import chunk_source
from app.core.repo.index import RepoIndex
from app.core.repo.pack import pack
from app.core.repo.parse_pool import worker_count
from app.core.repo.scan import ScanRules, read_source, scan_all
from app.core.settings import SamplingSettings

QUESTIONS = ["Where are HTTP response headers parsed?", "How does json decide how to escape a string?",
             "Where is the retry or timeout logic of the SMTP client?", "How does pathlib join paths?",
             "What does shutil.copytree do with symlinks?"]


def make_repo(target: Path) -> int:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    shutil.copytree(stdlib, target, ignore=shutil.ignore_patterns("site-packages", "__pycache__", "*.pyc",
                                                                  "lib-dynload", "config-*"))
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    subprocess.run(["git", "add", "-A"], cwd=target, check=True)
    return sum(1 for _ in target.rglob("*.py"))


def baseline(repo: Path) -> tuple[float, int, int]:
    started = time.perf_counter()
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=repo, capture_output=True, check=True).stdout
    total = 0
    names = [n for n in listed.decode().split("\0") if n]
    for name in names:
        total += len((repo / name).read_bytes())
    return time.perf_counter() - started, len(names), total


def read_and_parse(repo: Path) -> tuple[float, int]:
    """What indexing cannot avoid: scan, read and cut every file, in one process, without SQLite."""
    started = time.perf_counter()
    rules = ScanRules()
    chunks = 0
    for file in scan_all(repo, rules).files:
        text, _ = read_source(repo, file.path, rules)
        if text is not None:
            chunks += len(chunk_source(file.path, text).chunks)
    return time.perf_counter() - started, chunks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-model", action="store_true", help="only indexing and packing")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cld-repo-bench-"))
    repo = work / "stdlib"
    py_files = make_repo(repo)
    base_s, base_files, base_bytes = baseline(repo)
    parse_s, parse_chunks = read_and_parse(repo)
    cache = work / "cache"
    started = time.perf_counter()
    index = RepoIndex(repo, cache)
    stats = index.update()
    cold = time.perf_counter() - started
    index.close()
    warm_runs = []
    for _ in range(3):
        started = time.perf_counter()
        index = RepoIndex(repo, cache)
        again = index.update()
        warm_runs.append(time.perf_counter() - started)
        index.close()
    warm = median(warm_runs)
    counter = VocabCounter(embedded_model())
    index = RepoIndex(repo, cache)
    pack_times = []
    for question in QUESTIONS:
        started = time.perf_counter()
        pack(index, question, 16000, counter)
        pack_times.append(time.perf_counter() - started)
    print(f"repository: {repo} ({base_files:,} git files, {py_files:,} .py, {base_bytes / 1e6:.1f} MB)")
    print(f"baseline git ls-files + read every file: {base_s:.2f} s ({base_files / base_s:,.0f} files/s, "
          f"{base_bytes / 1e6 / base_s:.0f} MB/s)")
    print(f"cold index: {cold:.2f} s for {stats.files:,} files, {stats.chunks:,} chunks "
          f"({stats.files / cold:,.0f} files/s, {base_bytes / 1e6 / cold:.1f} MB/s); ratio to baseline {cold / base_s:.1f}x; "
          f"{len(stats.skipped):,} skipped; {worker_count()} worker processes")
    print(f"read-and-parse baseline (scan, read, cut; one process, no SQLite): {parse_s:.2f} s, {parse_chunks:,} "
          f"chunks; cold index / read-and-parse = {cold / parse_s:.2f}x (target <= 3x) {verdict(cold <= 3 * parse_s)}")
    print(f"warm re-open, nothing changed: {warm:.2f} s (runs {', '.join(f'{w:.2f}' for w in warm_runs)}; "
          f"{again.reindexed} files re-read) (target < 1 s) {verdict(warm < 1.0)}")
    print(f"packing a question into 16k tokens on the warm index: median {median(pack_times):.2f} s, max "
          f"{max(pack_times):.2f} s (target < 1 s) {verdict(max(pack_times) < 1.0)}")
    if not args.skip_model:
        states = PromptStateStore(work / "prompt-states")
        engine = LocalEngine(embedded_model(), options=LoadOptions(context_limit=8192))
        engine.states = states
        result = pack(index, QUESTIONS[0], 4000, engine.count_tokens)
        first = build_repo_messages(result.render(), QUESTIONS[0])
        sampling = SamplingSettings(temperature=0.0, max_tokens=32)
        g1 = engine.chat(first, sampling, state_scope="bench")
        answer = g1.text()
        follow = [*first, ChatMessage("assistant", answer), ChatMessage("user", "Which function does that?")]
        g2 = engine.chat(follow, sampling)
        g2.text()
        ratio = g2.stats.first_token_seconds / g1.stats.first_token_seconds
        print(f"time to first token: first question {g1.stats.first_token_seconds:.2f} s ({g1.stats.prompt_tokens:,} "
              f"prompt tokens), follow-up {g2.stats.first_token_seconds:.3f} s ({g2.stats.reused_tokens:,} reused); "
              f"ratio {ratio:.3f} (target <= 0.2) {verdict(ratio <= 0.2)}")
        engine.close()
        # Re-open (a new engine, as after restarting the app) and continue the conversation: the
        # follow-up's prompt extends the saved one, so it starts from the state saved on disk.
        reopened = LocalEngine(embedded_model(), options=LoadOptions(context_limit=8192))
        reopened.states = states
        g3 = reopened.chat(follow, sampling, state_scope="bench")
        g3.text()
        # A different first question after re-opening shares only the system text and the map.
        second = build_repo_messages(pack(index, QUESTIONS[1], 4000, reopened.count_tokens).render(), QUESTIONS[1])
        g4 = reopened.chat(second, sampling, state_scope="bench")
        g4.text()
        reopened.close()
        saved_mb = sum(p.stat().st_size for p in (work / "prompt-states").glob("*")) / 1e6
        ratio = g3.stats.first_token_seconds / g1.stats.first_token_seconds
        print(f"re-opened (new engine, saved state {saved_mb:.0f} MB): follow-up's time to first token "
              f"{g3.stats.first_token_seconds:.2f} s ({g3.stats.reused_tokens:,} of {g3.stats.prompt_tokens:,} tokens "
              f"from the saved state); ratio to the first question {ratio:.3f} (target <= 0.2) {verdict(ratio <= 0.2)}")
        print(f"re-opened, a new question instead: {g4.stats.first_token_seconds:.2f} s "
              f"({g4.stats.reused_tokens:,} of {g4.stats.prompt_tokens:,} tokens reused: the system text and map)")
    counter.close()
    index.close()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
