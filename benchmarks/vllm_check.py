"""Checks a vLLM server the way the app uses it as a remote engine; for a machine with a CUDA GPU.

vLLM needs a GPU, so this is a script to run there, not a test (see docs/vllm.md). It either starts
`vllm serve MODEL` on 127.0.0.1 itself or checks a server already running (--url), then prints one
PASS/FAIL line per check:

  plain HTTP, what the app relies on:
    models       GET /v1/models names the model and its max_model_len
    tokenize     POST /tokenize counts tokens; /detokenize gives the text back
    token ids    POST /v1/completions with `prompt` as token ids answers exactly as the same text does
    streaming    SSE chunks, `data: [DONE]` last, a usage chunk with stream_options.include_usage
    overflow     a prompt over max_model_len is an HTTP 400 that says so, not a 200 with nothing
  through the app's remote engine (app/core/remote/):
    report       Test connection's report finds vLLM, its context size and its tokenizer
    chat ids     a chat answer sent as the app's own Code Llama prompt tokens
    follow-up    a follow-up's time to first token against the first's (vLLM's prefix cache)
    infill       a fill-in-the-middle sent as the app's infill token layout (vLLM has no /infill)

    .venv/bin/python benchmarks/vllm_check.py [--model codellama/CodeLlama-7b-Instruct-hf]
        [--url http://127.0.0.1:8000] [--api-key KEY] [--max-model-len 4096] [--vllm-arg=--dtype=half ...]

Exit status 0 when every check passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import _common  # noqa: F401  - puts the repository on sys.path

from tests.fixtures.servers import ServerStartError, free_port, start_process

DEFAULT_MODEL = "codellama/CodeLlama-7b-Instruct-hf"  # Code Llama 7B and 13B (Instruct too) have infill pieces
START_TIMEOUT_S = 1800.0  # the first start downloads the weights (13 GB for 7B in fp16)
SAMPLE = "def fibonacci(n: int) -> int:\n    \"\"\"The n-th Fibonacci number.\"\"\"\n"


class Http:
    """Plain JSON over HTTP (urllib): what this script checks does not depend on the app's client."""

    def __init__(self, base_url: str, api_key: str | None) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = {"Content-Type": "application/json"}
        if api_key:
            self.headers["Authorization"] = f"Bearer {api_key}"

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data, self.headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw)
            except ValueError:
                return error.code, raw.decode("utf-8", "replace")

    def stream(self, path: str, body: dict[str, Any]) -> list[str]:
        """The `data:` payloads of an SSE response, in order."""
        request = urllib.request.Request(self.base_url + path, json.dumps(body).encode(), self.headers)
        with urllib.request.urlopen(request, timeout=300) as response:
            return [line[5:].strip() for raw in response
                    if (line := raw.decode("utf-8").strip()).startswith("data:")]


class Checks:
    def __init__(self) -> None:
        self.failed = 0

    def run(self, name: str, check: Callable[[], str]) -> None:
        """Runs one check: it returns a detail line, or raises AssertionError (or any error) for FAIL."""
        try:
            detail = check()
        except Exception as exc:  # every failure is reported; the remaining checks still run
            self.failed += 1
            print(f"FAIL {name:10} {type(exc).__name__}: {exc}")
        else:
            print(f"PASS {name:10} {detail}")


def http_checks(http: Http, model: str, checks: Checks) -> None:
    state: dict[str, Any] = {}

    def models() -> str:
        status, body = http.call("GET", "/v1/models")
        assert status == 200, (status, body)
        entry = next((m for m in body["data"] if m["id"] == model), None)
        assert entry is not None, f"{model} not in {[m['id'] for m in body['data']]}"
        state["max_len"] = int(entry["max_model_len"])
        return f"{model}, max_model_len {state['max_len']}"

    def tokenize() -> str:
        status, body = http.call("POST", "/tokenize", {"model": model, "prompt": SAMPLE, "add_special_tokens": False})
        assert status == 200, (status, body)
        assert body["count"] == len(body["tokens"]) > 0, body
        status, back = http.call("POST", "/detokenize", {"model": model, "tokens": body["tokens"]})
        assert status == 200, (status, back)
        assert back["prompt"] == SAMPLE, f"round trip gave {back['prompt']!r}"
        status, with_bos = http.call("POST", "/tokenize", {"model": model, "prompt": SAMPLE})
        state["ids"] = with_bos["tokens"]  # what a text prompt becomes (BOS included)
        return f"{body['count']} tokens, detokenized back exactly"

    def token_ids() -> str:
        ids = state["ids"]
        request = {"model": model, "max_tokens": 16, "temperature": 0.0}
        status, as_ids = http.call("POST", "/v1/completions", {**request, "prompt": ids})
        assert status == 200, (status, as_ids)
        status, as_text = http.call("POST", "/v1/completions", {**request, "prompt": SAMPLE})
        assert status == 200, (status, as_text)
        assert as_ids["usage"]["prompt_tokens"] == len(ids), (as_ids["usage"], len(ids))
        text = as_ids["choices"][0]["text"]
        assert text == as_text["choices"][0]["text"], (text, as_text["choices"][0]["text"])
        return f"{len(ids)} prompt ids; same greedy answer as the text prompt: {text[:40]!r}"

    def streaming() -> str:
        payloads = http.stream("/v1/completions", {"model": model, "prompt": state["ids"], "max_tokens": 16,
                                                   "temperature": 0.0, "stream": True,
                                                   "stream_options": {"include_usage": True}})
        assert payloads and payloads[-1] == "[DONE]", payloads[-3:]
        chunks = [json.loads(p) for p in payloads[:-1]]
        texts = [c["choices"][0].get("text") or "" for c in chunks if c.get("choices")]
        usage = [c["usage"] for c in chunks if not c.get("choices") and c.get("usage")]
        assert len([t for t in texts if t]) >= 2, f"{len(texts)} text chunks"
        assert usage and usage[-1]["completion_tokens"] >= 2, usage
        return f"{len(texts)} text chunks, usage {usage[-1]['completion_tokens']} tokens, [DONE] last"

    def overflow() -> str:
        too_long = state["ids"] * (state["max_len"] // len(state["ids"]) + 2)
        status, body = http.call("POST", "/v1/completions", {"model": model, "prompt": too_long, "max_tokens": 4})
        assert status == 400, (status, str(body)[:200])
        message = json.dumps(body)
        assert "context" in message.lower() or "length" in message.lower(), message[:200]
        return f"{len(too_long)} ids -> 400: {message[:100]}"

    for name, check in [("models", models), ("tokenize", tokenize), ("token ids", token_ids),
                        ("streaming", streaming), ("overflow", overflow)]:
        if name != "models" and "max_len" not in state:
            print(f"FAIL {name:10} not run: /v1/models failed")
            checks.failed += 1
            continue
        if name in ("token ids", "streaming", "overflow") and "ids" not in state:
            print(f"FAIL {name:10} not run: /tokenize failed")
            checks.failed += 1
            continue
        checks.run(name, check)


def engine_checks(url: str, api_key: str | None, model: str, chat_format: str, checks: Checks) -> None:
    try:
        from app.core.infill.prompt import InfillRequest
        from app.core.prompts.chat import ChatMessage
        from app.core.remote.engine import InfillRoute, RemoteConfig, connect
        from app.core.remote.probe import ChatRoute, ServerKind
        from app.core.settings import SamplingSettings
    except ImportError as exc:
        print(f"FAIL {'report':10} the app's remote engine does not import: {exc}")
        checks.failed += 1
        return
    greedy = SamplingSettings(temperature=0.0, max_tokens=48)
    holder: dict[str, Any] = {}

    def report() -> str:
        engine = holder["engine"] = connect(RemoteConfig(url=url, key=api_key or "", model=model,
                                                         chat_format=chat_format))
        for line in engine.report.lines():
            print(f"     {'':10} {line}")
        assert engine.report.kind is ServerKind.VLLM, engine.report.kind
        assert engine.info.n_ctx > 0
        return f"{engine.report.kind.value}, n_ctx {engine.info.n_ctx}, chat by {engine.route.value}"

    def chat_ids() -> str:
        engine = holder["engine"]
        assert engine.route is ChatRoute.TOKEN_IDS, f"chat goes as {engine.route.value}"
        question = [ChatMessage("user", "Write a Python function that reverses a string.")]
        generation = engine.chat(question, greedy)
        answer = generation.text()
        assert answer.strip(), "empty answer"
        holder["first_ttft"] = generation.stats.first_token_seconds
        holder["question"], holder["answer"] = question, answer
        return (f"{generation.stats.prompt_tokens} prompt ids, {generation.stats.generated_tokens} tokens: "
                f"{answer.strip()[:50]!r}")

    def follow_up() -> str:
        engine = holder["engine"]
        messages = [*holder["question"], ChatMessage("assistant", holder["answer"]),
                    ChatMessage("user", "Now make it handle None.")]
        generation = engine.chat(messages, greedy)
        assert generation.text().strip(), "empty answer"
        ratio = generation.stats.first_token_seconds / holder["first_ttft"]
        # A figure, not a verdict: on a short chat the prefix cache saves little; the aim (<= 0.2) is
        # for a 4k-token repository context.
        return (f"TTFT {generation.stats.first_token_seconds * 1000:.0f} ms vs first "
                f"{holder['first_ttft'] * 1000:.0f} ms (ratio {ratio:.2f})")

    def infill() -> str:
        engine = holder["engine"]
        assert engine.infill_route is InfillRoute.TOKEN_IDS, f"infill by {engine.infill_route.value}"
        request = InfillRequest(prefix="def area(radius: float) -> float:\n    return ", suffix="\n\nprint(area(2))\n")
        generation = engine.infill_text(request, SamplingSettings(temperature=0.0, max_tokens=24), single_line=True)
        middle = generation.text()
        assert middle.strip(), "empty middle"
        return f"{engine.infill.label if engine.infill else ''}: {middle!r}"

    for name, check in [("report", report), ("chat ids", chat_ids), ("follow-up", follow_up), ("infill", infill)]:
        if name != "report" and "engine" not in holder:
            print(f"FAIL {name:10} not run: no engine")
            checks.failed += 1
            continue
        if name == "follow-up" and "first_ttft" not in holder:
            print(f"FAIL {name:10} not run: the first chat failed")
            checks.failed += 1
            continue
        checks.run(name, check)
    if "engine" in holder:
        holder["engine"].close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=DEFAULT_MODEL, help=f"the model vLLM serves (default {DEFAULT_MODEL})")
    parser.add_argument("--url", help="check this running server instead of starting `vllm serve`")
    parser.add_argument("--api-key", help="the server's API key (passed to `vllm serve` when it is started here)")
    parser.add_argument("--max-model-len", type=int, default=4096, help="context for `vllm serve` (default 4096)")
    parser.add_argument("--chat-format", default="codellama-instruct",
                        help="the app's chat format for token-id prompts (default codellama-instruct)")
    parser.add_argument("--vllm-arg", action="append", default=[], help="one more argument for `vllm serve`")
    args = parser.parse_args()

    server = None
    if args.url:
        url = args.url.rstrip("/")
    else:
        vllm = shutil.which("vllm")
        if vllm is None:
            sys.exit("vllm is not installed here: pip install vllm on a machine with a CUDA GPU (docs/vllm.md), "
                     "or pass --url of a running server")
        port = free_port()
        argv = [vllm, "serve", args.model, "--host", "127.0.0.1", "--port", str(port),
                "--max-model-len", str(args.max_model_len), *args.vllm_arg]
        if args.api_key:
            argv += ["--api-key", args.api_key]
        print(f"starting: {' '.join(argv)}")
        started = time.perf_counter()
        try:
            server = start_process("vllm serve", argv, port, "/health", timeout=START_TIMEOUT_S)
        except ServerStartError as exc:
            sys.exit(str(exc))
        url = server.base_url
        print(f"vLLM ready at {url} after {time.perf_counter() - started:.0f} s")

    checks = Checks()
    try:
        http_checks(Http(url, args.api_key), args.model, checks)
        engine_checks(url, args.api_key, args.model, args.chat_format, checks)
    finally:
        if server is not None:
            server.stop()
    print(f"{'all checks passed' if checks.failed == 0 else f'{checks.failed} check(s) failed'} against {url}")
    sys.exit(0 if checks.failed == 0 else 1)


if __name__ == "__main__":
    main()
