"""What can go wrong talking to a remote engine, each as an error a person can act on.

Every failure of the HTTP layer becomes one of these (never an httpx2 exception), so the GUI's one
error display and the CLI's one error line say what happened and what to do about it.
"""

from __future__ import annotations

from app.core.errors import EngineError, PromptError
from app.core.i18n import translate


class RemoteError(EngineError):
    """Base of every remote-engine failure; the message names the server."""


class RemoteUnreachableError(RemoteError):
    retryable = True


class RemoteAuthError(RemoteError):
    """401/403: a key is missing or wrong."""


class RemoteModelError(RemoteError):
    """The server does not serve the model asked for."""


class RemoteTimeoutError(RemoteError):
    retryable = True


class RemoteStreamError(RemoteError):
    """The server closed the answer before saying it was complete."""

    retryable = True


class RemoteUnsupportedError(RemoteError):
    """The server cannot do what was asked (no tokenizer, no infill)."""


class RemoteContextError(PromptError):
    """The prompt is longer than the server's context; carries both counts when the server gave them."""

    def __init__(self, message: str, prompt_tokens: int = 0, n_ctx: int = 0) -> None:
        super().__init__(message)
        self.prompt_tokens = prompt_tokens
        self.n_ctx = n_ctx


def context_message(server: str, prompt_tokens: int, n_ctx: int) -> str:
    if prompt_tokens and n_ctx:
        return translate("core", "The prompt is too long for {server}'s context ({prompt_tokens:,} tokens, the context "
                         "holds {n_ctx:,}); shorten it or start the server with a larger context.").format(
            server=server, prompt_tokens=prompt_tokens, n_ctx=n_ctx)
    return translate("core", "The prompt is too long for {server}'s context; shorten it or start the server with a larger "
                     "context.").format(server=server)
