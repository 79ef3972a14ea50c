"""One streamed answer from a remote server: the request body for each protocol, and the events
read back as text pieces and the app's GenerationStats.

Three protocols: llama-server's own (`/completion`, `/infill`: `content` per event, a last event
with `stop: true`, `timings.cache_n` and `stop_type`), OpenAI completions (vLLM's token-id prompts:
`choices[0].text`) and OpenAI chat (`choices[0].delta.content`), both ending in `data: [DONE]`.
An answer whose stream ends without its protocol's last event was cut off: RemoteStreamError.

Threads: iterated on the thread that owns the engine; `cancel` may be set from any thread.
"""

from __future__ import annotations

import threading
import time
from enum import Enum
from typing import Any, Callable, Iterator

from app.core.engine_types import GenerationStats
from app.core.i18n import translate
from app.core.remote.errors import RemoteStreamError, RemoteUnreachableError
from app.core.remote.http import DONE, RemoteClient
from app.core.settings import SamplingSettings

MIN_P = 0.05  # what the local engine samples with


class Protocol(str, Enum):
    LLAMA = "llama-server"
    OPENAI_COMPLETION = "openai completions"
    OPENAI_CHAT = "openai chat"


def sampling_fields(protocol: Protocol, sampling: SamplingSettings, budget: int, ignore_eos: bool) -> dict:
    """The sampling settings as each protocol names them."""
    body: dict[str, Any] = {"temperature": sampling.temperature, "top_p": sampling.top_p, "stream": True}
    if sampling.seed >= 0:
        body["seed"] = sampling.seed
    if protocol is Protocol.LLAMA:
        body.update(n_predict=budget, top_k=sampling.top_k, min_p=MIN_P, repeat_penalty=sampling.repeat_penalty,
                    cache_prompt=True, return_progress=True)
        if ignore_eos:
            body["ignore_eos"] = True
        return body
    body.update(max_tokens=budget, stream_options={"include_usage": True})
    if protocol is Protocol.OPENAI_COMPLETION:  # vLLM's extra sampling fields
        body.update(top_k=sampling.top_k, min_p=MIN_P, repetition_penalty=sampling.repeat_penalty)
        if ignore_eos:
            body["ignore_eos"] = True
    return body


def stream_answer(client: RemoteClient, path: str, body: dict, protocol: Protocol, cancel: threading.Event | None,
                  stats: GenerationStats, started: float, *, budget: int, max_tokens: int,
                  strip_first_space: bool, progress: Callable[[int, int], None] | None = None) -> Iterator[str]:
    """Send `body` to `path` and yield the answer's text, filling in `stats` (as the local token loop does)."""
    first = strip_first_space
    complete = False
    events = 0
    stats.stop_reason = "length"
    try:
        for event in client.stream(path, body, cancel):
            events += 1
            if event is DONE:
                complete = True
                break
            if not isinstance(event, dict):
                continue
            if "error" in event:
                error = event["error"]
                code = error.get("code", 500) if isinstance(error, dict) else 500
                raise client.error_for(code if isinstance(code, int) else 500, event, path)
            text, finished = _read_event(protocol, event, stats, budget, max_tokens, progress)
            if text:
                if stats.first_token_seconds == 0.0:
                    stats.first_token_seconds = time.perf_counter() - started
                if first:
                    text = text.lstrip(" ")  # SentencePiece's word-start space, as the local engine drops it
                    first = not text
                if text:
                    yield text
            if finished and protocol is Protocol.LLAMA:
                complete = True  # llama-server's native stream ends with this event, no [DONE]
                break
            if cancel is not None and cancel.is_set():
                break
        if cancel is not None and cancel.is_set():
            stats.stop_reason = "cancelled"
        elif events == 0:
            raise _why_empty(client, path, body, protocol)
        elif not complete:
            raise RemoteStreamError(translate(
                "core", "{name} ended the answer before finishing it (after {generated_tokens} tokens); the server may have "
                "stopped or crashed.").format(name=client.name, generated_tokens=stats.generated_tokens))
    finally:
        stats.total_seconds = time.perf_counter() - started


def _why_empty(client: RemoteClient, path: str, body: dict, protocol: Protocol) -> Exception:
    """The error behind a 200 with an empty stream (llama-cpp-python's server and LM Studio answer an
    overflowing prompt so): the same request once more, unstreamed and for one token, says it."""
    again = {**body, "stream": False}
    again.pop("stream_options", None)
    again["n_predict" if protocol is Protocol.LLAMA else "max_tokens"] = 1
    try:
        reply = client.post(path, again)
    except RemoteUnreachableError:  # the pooled connection the empty stream left was closed by the server
        reply = client.post(path, again)
    if reply.status >= 400:
        return client.error_for(reply.status, reply.data, path)
    return RemoteStreamError(translate(
        "core", "{name} answered with an empty stream and no error; the server may have failed to generate (see its log)."
    ).format(name=client.name))


def _read_event(protocol: Protocol, event: dict, stats: GenerationStats, budget: int, max_tokens: int,
                progress: Callable[[int, int], None] | None) -> tuple[str, bool]:
    """(new text, whether this event finished the answer), updating `stats`."""
    if protocol is Protocol.LLAMA:
        read = event.get("prompt_progress")
        if isinstance(read, dict) and progress is not None:
            total = int(read.get("total") or 0)
            progress(int(read.get("cache") or 0) + int(read.get("processed") or 0), total)
        text = event.get("content") or ""
        if not event.get("stop"):
            tokens = event.get("tokens")
            stats.generated_tokens += len(tokens) if isinstance(tokens, list) and tokens else (1 if text else 0)
            return text, False
        timings = event.get("timings") or {}
        stats.prompt_tokens = int(event.get("tokens_evaluated") or stats.prompt_tokens)
        stats.reused_tokens = int(timings.get("cache_n") or 0)
        stats.generated_tokens = int(timings.get("predicted_n") or event.get("tokens_predicted") or stats.generated_tokens)
        stop = event.get("stop_type") or ""
        if stop in ("eos", "word"):
            stats.stop_reason = "end"
        elif stop == "limit":
            stats.stop_reason = "context" if budget < max_tokens else "length"
        return text, True
    usage = event.get("usage")
    if isinstance(usage, dict):
        stats.prompt_tokens = int(usage.get("prompt_tokens") or stats.prompt_tokens)
        details = usage.get("prompt_tokens_details") or {}
        stats.reused_tokens = int(details.get("cached_tokens") or 0) if isinstance(details, dict) else 0
        stats.generated_tokens = int(usage.get("completion_tokens") or stats.generated_tokens)
    choices = event.get("choices") or []
    if not choices or not isinstance(choices[0], dict):
        return "", False
    choice = choices[0]
    if protocol is Protocol.OPENAI_CHAT:
        text = (choice.get("delta") or {}).get("content") or ""
    else:
        text = choice.get("text") or ""
    if text:
        stats.generated_tokens += 1  # one chunk is about one token; the usage chunk corrects it
    reason = choice.get("finish_reason")
    if reason == "stop":
        stats.stop_reason = "end"
    elif reason == "length":
        stats.stop_reason = "context" if budget < max_tokens else "length"
    return text, False
