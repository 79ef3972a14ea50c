"""The app's server vs llama-cpp-python's server vs llama.cpp's llama-server, side by side.

Same model (the embedded SmolLM2), prompt, threads, context and max tokens for all three, in one
run. All three servers run at once but only one generates at a time: the rounds go through them in
a rotating order, so a slow spell on this shared machine hits every server alike. Each request is a
streaming ``POST /v1/completions`` (greedy); measured per request:

* time to first token (TTFT): from sending the request to the first streamed text;
* decode tokens/s: tokens after the first, over the time from the first text to the last.

Tokens are counted by tokenizing the streamed text with the model's own tokenizer, the same way for
every server (chunking differs between servers). Each round's prompt starts differently, so no
server answers from a prompt cache. Prints medians and the ratios app / llama-server (aim: at least
1.0, on par) and app / llama-cpp-python.

    .venv/bin/python benchmarks/server_compare.py [--runs 5] [--max-tokens 96] [--threads N]
        [--skip-app] [--llama-server PATH]

llama-server comes from scripts/build_llama_server.sh; the app's server is `codellama-desktop serve`.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from _common import ROOT, embedded_model, median, verdict

from app.core.hardware import thread_plan
from tests.fixtures.servers import (
    ServerProcess,
    find_llama_server,
    free_port,
    missing_llama_server_message,
    start_llama_cpp_server,
    start_llama_server,
    start_process,
)

N_CTX = 2048
# Realistic code-completion context: a few hundred tokens of Python before the cursor.
PROMPT_BODY = '''
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Record:
    name: str
    size: int
    tags: list[str]


def load_records(path: Path) -> list[Record]:
    """Reads records from a JSON lines file, skipping blank lines."""
    records = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            data = json.loads(line)
            records.append(Record(data["name"], int(data["size"]), list(data.get("tags", []))))
    return records


def largest(records: list[Record], n: int) -> list[Record]:
    """The n largest records, biggest first."""
    return sorted(records, key=lambda record: record.size, reverse=True)[:n]


def by_tag(records: list[Record]) -> dict[str, list[Record]]:
    """Groups records by each of their tags."""
'''


@dataclass
class Contender:
    name: str
    start: Callable[[], ServerProcess]
    server: ServerProcess | None = None
    ttft_ms: list[float] = field(default_factory=list)
    tokens_per_s: list[float] = field(default_factory=list)
    n_tokens: list[int] = field(default_factory=list)
    error: str = ""


def stream_completion(base_url: str, prompt: str, max_tokens: int) -> tuple[float, float, float, str]:
    """One streaming /v1/completions request: (sent, first text, last text) times and the text."""
    body = {"prompt": prompt, "max_tokens": max_tokens, "temperature": 0.0, "seed": 0, "stream": True}
    request = urllib.request.Request(base_url + "/v1/completions", json.dumps(body).encode(),
                                     {"Content-Type": "application/json", "Accept": "text/event-stream"})
    sent = time.perf_counter()
    first = last = 0.0
    pieces: list[str] = []
    with urllib.request.urlopen(request, timeout=300) as response:
        for raw in response:
            line = raw.decode("utf-8").strip()
            if not line.startswith("data:"):
                continue
            data = line[len("data:"):].strip()
            if data == "[DONE]":
                break
            chunk = json.loads(data)
            text = "".join(choice.get("text") or "" for choice in chunk.get("choices", []))
            if text:
                last = time.perf_counter()
                first = first or last
                pieces.append(text)
    if not pieces:
        raise RuntimeError(f"{base_url} streamed no text")
    return sent, first, last, "".join(pieces)


def app_server_command() -> list[str]:
    script = Path(sys.executable).with_name("codellama-desktop")
    return [str(script)] if script.exists() else [sys.executable, "-m", "app"]


def app_serve_help() -> str | None:
    """`codellama-desktop serve --help`, or None when this checkout has no serve command yet."""
    done = subprocess.run([*app_server_command(), "serve", "--help"], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    return done.stdout if done.returncode == 0 else None


def start_app_server(model: Path, threads: int, help_text: str) -> ServerProcess:
    """`codellama-desktop serve` on ``model`` in a throwaway app home whose settings fix threads and context."""
    from app.core.paths import app_paths
    from app.core.settings import Settings, save_settings

    home = tempfile.mkdtemp(prefix="cld-serve-bench-")
    env = {**os.environ, "CODELLAMA_DESKTOP_HOME": home}
    settings = Settings(threads=threads, context_limit=N_CTX)
    save_settings(settings, app_paths(env).settings_file)
    port = free_port()
    argv = [*app_server_command(), "serve", "--port", str(port)]
    argv += ["--model", str(model)] if "--model" in help_text else []
    argv += ["--threads", str(threads)] if "--threads" in help_text else []
    return start_process("codellama-desktop serve", argv, port, "/health", env=env)


def measure(contender: Contender, prompt: str, max_tokens: int, count_tokens: Callable[[str], int]) -> None:
    assert contender.server is not None
    sent, first, last, text = stream_completion(contender.server.base_url, prompt, max_tokens)
    n = count_tokens(text)
    contender.ttft_ms.append((first - sent) * 1000)
    contender.n_tokens.append(n)
    if n > 1 and last > first:
        contender.tokens_per_s.append((n - 1) / (last - first))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="measured rounds (after one warm-up round)")
    parser.add_argument("--max-tokens", type=int, default=96)
    gen_threads, batch_threads = thread_plan()
    parser.add_argument("--threads", type=int, default=gen_threads,
                        help=f"generation threads for every server (default: the app's own choice here, {gen_threads})")
    parser.add_argument("--skip-app", action="store_true", help="only the two third-party servers")
    parser.add_argument("--llama-server", type=Path, help="the llama-server binary (default: the cached build)")
    args = parser.parse_args()
    # A timeout or kill sends SIGTERM: exit through the finally below so no server is left running.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    from llama_cpp import Llama

    model = embedded_model()
    vocab = Llama(str(model), vocab_only=True, verbose=False)

    def count_tokens(text: str) -> int:
        return len(vocab.tokenize(text.encode(), add_bos=False, special=False))

    binary = args.llama_server or find_llama_server()
    if binary is None:
        sys.exit(missing_llama_server_message())
    contenders: list[Contender] = []
    if not args.skip_app:
        help_text = app_serve_help()
        if help_text is None:
            print("app's server: this checkout has no `codellama-desktop serve` yet; comparing the other two")
        else:
            contenders.append(Contender("app (codellama-desktop serve)",
                                        lambda: start_app_server(model, args.threads, help_text)))
    contenders.append(Contender("llama-cpp-python server",
                                lambda: start_llama_cpp_server(model, n_ctx=N_CTX, threads=args.threads,
                                                               threads_batch=batch_threads)))
    contenders.append(Contender("llama-server",
                                lambda: start_llama_server(binary, model, n_ctx=N_CTX, threads=args.threads,
                                                           threads_batch=batch_threads)))

    print(f"model {model.name}, n_ctx {N_CTX}, threads {args.threads} (prompt {batch_threads}), "
          f"max tokens {args.max_tokens}, prompt {count_tokens(PROMPT_BODY)} tokens, {args.runs} rounds + 1 warm-up")
    try:
        for contender in contenders:
            contender.server = contender.start()
        for round_no in range(args.runs + 1):
            prompt = f"# Module {round_no}: records" + PROMPT_BODY  # differs at the start: no prompt cache hit
            order = contenders[round_no % len(contenders):] + contenders[:round_no % len(contenders)]
            print(f"round {round_no}{' (warm-up)' if round_no == 0 else ''}", file=sys.stderr, flush=True)
            for contender in order:
                if contender.error:
                    continue
                try:
                    measure(contender, prompt, args.max_tokens, count_tokens)
                except Exception as exc:  # report it and go on with the others
                    contender.error = f"{type(exc).__name__}: {exc}"
                    continue
                if round_no == 0:  # warm-up: first-request costs (allocations, page faults) do not count
                    contender.ttft_ms.clear()
                    contender.tokens_per_s.clear()
                    contender.n_tokens.clear()
    finally:
        for contender in contenders:
            if contender.server is not None:
                contender.server.stop()
        vocab.close()

    print(f"{'server':32} {'decode tok/s':>12} {'TTFT ms':>9} {'tokens':>7}")
    results: dict[str, tuple[float, float]] = {}
    for contender in contenders:
        if contender.error or not contender.tokens_per_s:
            print(f"{contender.name:32} failed: {contender.error or 'no measurable run'}")
            continue
        tps, ttft = median(contender.tokens_per_s), median(contender.ttft_ms)
        results[contender.name] = (tps, ttft)
        print(f"{contender.name:32} {tps:12.1f} {ttft:9.1f} {median(contender.n_tokens):7.0f}")

    app = next((values for name, values in results.items() if name.startswith("app")), None)
    for baseline in ("llama-server", "llama-cpp-python server"):
        if app is None or baseline not in results:
            continue
        tps_ratio = app[0] / results[baseline][0]
        ttft_ratio = app[1] / results[baseline][1]
        aim = f"  aim >= 1.00 (on par): {verdict(tps_ratio >= 1.0)}" if baseline == "llama-server" else ""
        print(f"app / {baseline}: tokens/s {tps_ratio:.2f}, TTFT {ttft_ratio:.2f} (lower is better){aim}")


if __name__ == "__main__":
    main()
