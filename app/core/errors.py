"""Errors a user can act on.

Each carries a one-line message meant for a person (the GUI shows it in one place, the CLI prints
it and exits non-zero) and whether retrying could help.
"""

from __future__ import annotations

from app.core.i18n import translate


class UserError(Exception):
    """Base for every error whose message is shown to the user as is."""

    retryable: bool = False
    exit_code: int = 1

    def __init__(self, message: str, *, retryable: bool | None = None) -> None:
        super().__init__(message)
        if retryable is not None:
            self.retryable = retryable

    @property
    def message(self) -> str:
        # A core message marked for translation (app.core.i18n.Text) is kept as it is, so the GUI
        # can show it in the user's language; str() would keep only the English.
        first = self.args[0]
        return first if isinstance(first, str) else str(first)


class ModelNotFoundError(UserError):
    exit_code = 2


class ModelFileError(UserError):
    """The file exists but is not a usable GGUF model (truncated, corrupt, wrong format)."""

    exit_code = 3


class ModelTooLargeError(UserError):
    exit_code = 4


class ManifestError(UserError):
    exit_code = 2


class PromptError(UserError):
    """The request cannot be turned into a prompt (empty, too long, forbidden markers)."""

    exit_code = 5


class StoreError(UserError):
    retryable = True
    exit_code = 6


class EngineError(UserError):
    exit_code = 7


class ModelNotLoadedError(UserError):
    """A request came before a model finished loading (or after one failed to load)."""

    retryable = True

    def __init__(self, kept: str = "") -> None:
        # `kept` names what the user typed and keeps (a message, a question): nothing is lost.
        if kept:
            message = translate("core", "The model is not loaded yet; {kept} is kept. Try again once it has loaded.").format(
                kept=kept)
        else:
            message = translate("core", "The model is not loaded yet. Try again once it has loaded.")
        super().__init__(message)


def message_of(exc: BaseException) -> str:
    """What an exception says to a person: a UserError's message (translatable), else its text."""
    return exc.message if isinstance(exc, UserError) else str(exc)
