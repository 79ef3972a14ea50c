"""Typed errors of a server request: each knows its HTTP status and the kind a client reads."""

from __future__ import annotations

from app.core.errors import UserError


class RequestError(UserError):
    """A request the server answers with an error: the status and OpenAI's `type` go with the message."""

    status = 400
    kind = "invalid_request_error"

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.param = param
        self.code = code

    def extra(self) -> dict:
        """Fields a client may read besides the message (OpenAI's param/code, llama-server's counts)."""
        return {}


class BadRequest(RequestError):
    """Input that is not what the endpoint takes (wrong type, out of range, missing)."""


class ContextOverflow(RequestError):
    """The prompt does not fit the model's context: a 400 with the counts, never an empty answer."""

    kind = "exceed_context_size_error"  # llama-server's name for it

    def __init__(self, prompt_tokens: int, n_ctx: int) -> None:
        super().__init__(f"The prompt is {prompt_tokens:,} tokens; the model's context holds {n_ctx:,} "
                         "(with room for at least one token of answer). Shorten the prompt or load the "
                         "model with a larger context.", code="context_length_exceeded")
        self.prompt_tokens = prompt_tokens
        self.n_ctx = n_ctx

    def extra(self) -> dict:
        return {"n_prompt_tokens": self.prompt_tokens, "n_ctx": self.n_ctx}


class RepositoryRefused(RequestError):
    """A repository the user did not allow this server to read."""

    status = 403
    kind = "permission_error"


class Busy(RequestError):
    """More generations are waiting than the server queues."""

    status = 503
    kind = "unavailable_error"


class NotServable(RequestError):
    """The loaded engine cannot do what the request needs (a remote engine has no local tokenizer)."""

    status = 501
    kind = "not_supported_error"  # llama-server's name for a 501
