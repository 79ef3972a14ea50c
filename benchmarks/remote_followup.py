"""Remote follow-up: time to first token of a follow-up vs the first question, on a 4k-token
repository context sent to a real llama-server as the app's own prompt tokens.

The packed code is the prompt's stable start and llama-server keeps it cached (`cache_prompt`), so
the follow-up reads only its new turn. The first question is the baseline, measured in the same run.
Target: follow-up TTFT / first TTFT <= 0.2.

    .venv/bin/python benchmarks/remote_followup.py [--llama-server PATH] [--model GGUF] [--url URL]
        [--budget 4000] [--threads N] [--runs 3]

Without --url it starts llama-server (built by scripts/build_llama_server.sh, or --llama-server)
on --model (default: the embedded SmolLM2) with one slot and an 8k context; the repository is this
project's own app/ folder.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
from pathlib import Path

from _common import ROOT, embedded_model, median, verdict

from app.core.remote.engine import RemoteConfig, RemoteEngine
from app.core.repo.assistant import RepoAssistant
from app.core.repo.assistant_types import PreparedQuestion
from app.core.settings import SamplingSettings, Settings, repo_rules

QUESTIONS = [("How does the app stream an answer from a remote server, and how is it cancelled?",
              "Which errors can that raise?"),
             ("How are repository files chunked and ranked for a question?", "And how is the budget decided?"),
             ("How does the infill prompt trim the code around the cursor?", "What does the suffix-first order change?")]
TARGET = 0.2


def one_pair(engine: RemoteEngine, assistant: RepoAssistant, budget: int, question: str, follow: str,
             sampling: SamplingSettings) -> tuple[float, float, int, int, int]:
    """(first TTFT, follow-up TTFT, prompt tokens, follow-up prompt tokens, follow-up cached tokens)."""
    prepared = assistant.prepare(question, engine.info.n_ctx, engine.count_tokens, sampling.max_tokens, budget)
    first = engine.chat(prepared.messages, sampling, keep_leading=prepared.keep_leading)
    answer = first.text()
    prepared.session.record(question, answer)
    again = PreparedQuestion.continuing(prepared.session, follow)
    second = engine.chat(again.messages, sampling, keep_leading=again.keep_leading)
    second.text()
    return (first.stats.first_token_seconds, second.stats.first_token_seconds, first.stats.prompt_tokens,
            second.stats.prompt_tokens, second.stats.reused_tokens)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--llama-server", type=Path, help="the llama-server binary (default: the cached build)")
    parser.add_argument("--model", type=Path, help="GGUF to serve (default: the embedded SmolLM2)")
    parser.add_argument("--url", help="a llama-server already running (then --model and --llama-server are unused)")
    parser.add_argument("--budget", type=int, default=4000, help="tokens of repository code (default 4000)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3, help="question pairs (each on a fresh packed context)")
    parser.add_argument("--repo", type=Path, default=ROOT / "app", help="the repository folder (default: app/)")
    args = parser.parse_args()
    print("command:", " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv]))

    server = None
    url = args.url
    if url is None:
        from tests.fixtures.servers import find_llama_server, missing_llama_server_message, start_llama_server

        binary = args.llama_server or find_llama_server()
        if binary is None:
            sys.exit(missing_llama_server_message())
        model = args.model or embedded_model()
        server = start_llama_server(binary, model, n_ctx=8192, threads=args.threads, extra_args=["-np", "1"])
        url = server.base_url
        print(f"llama-server: {binary} -m {model.name} -c 8192 -np 1 -t {args.threads}")
    engine = RemoteEngine(RemoteConfig(url))
    assistant = RepoAssistant(Path(tempfile.mkdtemp(prefix="remote-followup-index-")))
    try:
        print("\n".join(engine.report.lines()))
        assistant.open(args.repo, repo_rules(Settings()))
        sampling = SamplingSettings(temperature=0.0, max_tokens=32, seed=1)
        ratios = []
        for question, follow in (QUESTIONS * args.runs)[:args.runs]:
            first, second, prompt, follow_prompt, cached = one_pair(engine, assistant, args.budget, question, follow,
                                                                     sampling)
            ratios.append(second / first if first else float("inf"))
            print(f"first: {prompt:,} prompt tokens, TTFT {first * 1000:.0f} ms | follow-up: {follow_prompt:,} "
                  f"tokens ({cached:,} cached), TTFT {second * 1000:.0f} ms | ratio {ratios[-1]:.3f}")
        ratio = median(ratios)
        print(f"follow-up TTFT / first TTFT (median of {len(ratios)}): {ratio:.3f} "
              f"(target <= {TARGET}) {verdict(ratio <= TARGET)}")
        return 0 if ratio <= TARGET else 1
    finally:
        assistant.close()
        engine.close()
        if server is not None:
            server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
