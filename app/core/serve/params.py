"""A request's JSON as typed values: sampling, stop strings, chat messages, prompts.

Both vocabularies map onto the same objects: OpenAI's `max_tokens` and llama-server's `n_predict`
are one budget, `stop` is one list, and the rest falls back to the user's sampling settings.
Every value is checked here, so a bad one is a 400 that names the field, never a failure on
the model's thread.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Sequence

from app.core.prompts.chat import ChatMessage
from app.core.serve.errors import BadRequest
from app.core.settings import SamplingSettings

# OpenAI allows 4; llama-server any number, and Continue's autocomplete sends its template's, its
# common and its language's stops (17 and more for starcoder2 on TypeScript): bounded all the same.
MAX_STOPS = 64
MAX_STOP_CHARS = 200
UNLIMITED = -1  # n_predict -1: until the end token or the context is full


@dataclass(frozen=True)
class Budget:
    """What to sample with, and how much to generate.

    `max_tokens` is what the client asked for: UNLIMITED, 0 (llama.vscode's cache warm-up: evaluate
    the prompt, generate nothing) or a count. `sampling.max_tokens` is always at least 1.
    """

    sampling: SamplingSettings
    max_tokens: int
    stops: tuple[str, ...] = ()

    @property
    def warm_up(self) -> bool:
        return self.max_tokens == 0


def require_object(body: Any) -> dict:
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    return body


def number(body: dict, name: str, low: float, high: float, *, integer: bool = False) -> float | int | None:
    """`body[name]` checked against [low, high], or None when absent (or null)."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not float(value).is_integer()):
        raise BadRequest(f"'{name}' must be {'an integer' if integer else 'a number'}.", param=name)
    if not math.isfinite(value) or not low <= value <= high:
        raise BadRequest(f"'{name}' must be between {low:g} and {high:g}.", param=name)
    return int(value) if integer else float(value)


def stops_of(body: dict) -> tuple[str, ...]:
    stop = body.get("stop")
    if stop is None:
        return ()
    if isinstance(stop, str):
        stop = [stop]
    if (not isinstance(stop, list) or len(stop) > MAX_STOPS
            or not all(isinstance(s, str) and 0 < len(s) <= MAX_STOP_CHARS for s in stop)):
        raise BadRequest(f"'stop' must be a string or a list of at most {MAX_STOPS} non-empty strings "
                         f"of at most {MAX_STOP_CHARS} characters.", param="stop")
    return tuple(stop)


def budget_of(body: dict, base: SamplingSettings, *, names: Sequence[str] = ("max_tokens",),
              allow_zero: bool = False) -> Budget:
    """The sampling and budget a request asks for, on top of the user's `base` settings."""
    asked: int | None = None
    for name in names:  # the first one given wins: max_completion_tokens before max_tokens
        value = number(body, name, -1, 2**31 - 1, integer=True)
        if value is not None:
            if value == 0 and not allow_zero or value < 0 and name != "n_predict":
                raise BadRequest(f"'{name}' must be at least 1.", param=name)
            asked = int(value)
            break
    choices = number(body, "n", 1, 2**31 - 1, integer=True)
    if choices is not None and choices > 1:  # one answer to a request for several would be silently short
        raise BadRequest("'n' must be 1: the server gives one answer per request.", param="n")
    changes: dict[str, Any] = {}
    for name, low, high, integer in (("temperature", 0.0, 2.0, False), ("top_p", 0.0, 1.0, False),
                                     ("top_k", 0, 1000, True), ("repeat_penalty", 0.0, 2.0, False),
                                     ("seed", -1, 2**32 - 1, True)):
        value = number(body, name, low, high, integer=integer)
        if value is not None:
            changes[name] = value
    if changes.get("seed", -1) > 2**31 - 1:  # llama.cpp's seeds are 32-bit; keep the app's range
        changes["seed"] %= 2**31
    if "repeat_penalty" in changes:
        changes["repeat_penalty"] = max(1.0, changes["repeat_penalty"])  # below 1 rewards repeating: not offered
    if "top_p" in changes:
        changes["top_p"] = max(0.05, changes["top_p"])
    max_tokens = base.max_tokens if asked is None else asked
    # UNLIMITED: the context is the limit (the token loop stops there); 0 (a warm-up) still needs one to sample.
    limit = 2**31 - 1 if max_tokens == UNLIMITED else max(1, max_tokens)
    sampling = dataclasses.replace(base, **changes, max_tokens=limit)
    return Budget(sampling, max_tokens, stops_of(body))


def text_of(content: Any, where: str) -> str:
    """A message's content: a string, or OpenAI's list of parts of which only text is taken."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for part in content:
            if not isinstance(part, dict) or part.get("type") != "text" or not isinstance(part.get("text"), str):
                raise BadRequest(f"{where}: only text parts are supported.", param="messages")
            parts.append(part["text"])
        return "".join(parts)
    if content is None:
        return ""
    raise BadRequest(f"{where}: 'content' must be a string or a list of text parts.", param="messages")


def messages_of(body: dict) -> list[ChatMessage]:
    """OpenAI chat messages as the app's ChatMessage list (a developer message counts as system)."""
    raw = body.get("messages")
    if not isinstance(raw, list) or not raw:
        raise BadRequest("'messages' must be a non-empty list.", param="messages")
    messages: list[ChatMessage] = []
    for i, item in enumerate(raw):
        where = f"messages[{i}]"
        if not isinstance(item, dict):
            raise BadRequest(f"{where} must be an object.", param="messages")
        role = item.get("role")
        role = "system" if role == "developer" else role
        if role not in ("system", "user", "assistant"):
            raise BadRequest(f"{where}: role {role!r} is not supported (system, user, assistant).",
                             param="messages")
        messages.append(ChatMessage(role, text_of(item.get("content"), where)))
    if messages[-1].role != "user":
        raise BadRequest("The last message must be the user's.", param="messages")
    return messages


def prompt_of(body: dict, name: str = "prompt") -> str | list[int | str]:
    """A completion prompt: a string, or llama-server's list of token ids (strings mixed in)."""
    prompt = body.get(name, "")
    if isinstance(prompt, list) and len(prompt) == 1 and isinstance(prompt[0], (str, list)):
        prompt = prompt[0]  # OpenAI's batch of one prompt
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, list) and len(prompt) > 1 and (all(isinstance(p, str) for p in prompt)
                                                         or any(isinstance(p, list) for p in prompt)):
        # A batch (several strings, or several token lists) asks for an answer to each, as OpenAI and
        # llama-server read it; joined into one prompt it would get one wrong answer.
        raise BadRequest(f"'{name}' holds {len(prompt)} prompts; send one prompt per request.", param=name)
    if isinstance(prompt, list) and all(isinstance(p, str) or isinstance(p, int) and not isinstance(p, bool)
                                        for p in prompt):
        return prompt
    raise BadRequest(f"'{name}' must be a string or a list of token ids (one prompt per request).", param=name)


def string(body: dict, name: str, default: str = "") -> str:
    value = body.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise BadRequest(f"'{name}' must be a string.", param=name)
    return value


def flag(body: dict, name: str, default: bool = False) -> bool:
    value = body.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise BadRequest(f"'{name}' must be true or false.", param=name)
    return value


def extra_files(body: dict, name: str = "input_extra") -> list[tuple[str, str]]:
    """llama-server's `input_extra`: [{filename, text}] chunks of other files."""
    raw = body.get(name)
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise BadRequest(f"'{name}' must be a list of {{filename, text}} objects.", param=name)
    chunks = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not isinstance(item.get("text", ""), str) \
                or not isinstance(item.get("filename", ""), str):
            raise BadRequest(f"{name}[{i}] must be an object with string 'filename' and 'text'.", param=name)
        chunks.append((item.get("filename") or "", item.get("text") or ""))
    return chunks
