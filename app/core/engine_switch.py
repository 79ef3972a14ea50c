"""Switching the loaded model without losing the working one when the new one fails.

A model that cannot be used (missing, truncated, corrupt, too large for memory even once the loaded
one is closed) is refused before the loaded model is touched. Only a load that fails inside
llama.cpp after the old engine was closed (memory rarely holds two models, so it is closed first)
costs the old one, and then the old one is loaded back. Either way the error says both facts:
"Could not load X: why. Still using Y."

Threads: runs on the thread that owns the engines (the inference worker, or the CLI's main thread).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum
from typing import Callable

from app.core.engine import LocalEngine
from app.core.engine_load import plan_load
from app.core.engine_types import EngineInfo, LoadOptions
from app.core.errors import UserError
from app.core.i18n import Text, translate
from app.core.models import ResolvedModel

log = logging.getLogger(__name__)


@dataclass
class LoadedModel:
    """The model in use and the engine running it."""

    model: ResolvedModel
    engine: LocalEngine


class Kept(Enum):
    """What is in use after a failed switch."""

    UNTOUCHED = "untouched"  # refused before the loaded model was closed
    RELOADED = "reloaded"  # closed for the attempt, then loaded back
    NOTHING = "nothing"  # nothing was loaded, or loading it back failed too


class ModelSwitchError(UserError):
    """A model that could not be loaded, and what is in use instead (`current`, None when nothing is)."""

    def __init__(self, message: str, current: LoadedModel | None, kept: Kept, cause: BaseException) -> None:
        super().__init__(message, retryable=getattr(cause, "retryable", False))
        self.current = current
        self.kept = kept
        self.cause = cause
        self.exit_code = getattr(cause, "exit_code", UserError.exit_code)

    @property
    def info(self) -> EngineInfo | None:
        return self.current.engine.info if self.current is not None else None


def reason_of(exc: BaseException, name: str, file_name: str) -> str:
    """The cause in words, without the file name the headline already gives.

    A translatable cause stays translatable: the English is trimmed, the translation (which may
    word the file name differently) is the whole message, and the headlines' translations leave out
    their own full stop after it.
    """
    text = exc.message if isinstance(exc, UserError) else (str(exc) or type(exc).__name__)
    return _trim(text, (f"{file_name}: ", f"{name}: "))


def _trim(text: str, prefixes: tuple[str, ...] = ()) -> str:
    """`text` without the `prefixes` it starts with (in turn) and without its full stop, still translatable."""
    trimmed = str(text)
    for prefix in prefixes:
        if trimmed.startswith(prefix):
            trimmed = trimmed[len(prefix):]
    trimmed = trimmed.rstrip(".")
    if isinstance(text, Text):
        return Text(trimmed, text.context, text.source, text.args, text.n)
    return trimmed


def _could_not_load(name: str, reason: str, still: LoadedModel | None) -> str:
    if still is None:
        return translate("core", "Could not load {name}: {reason}.").format(name=name, reason=reason)
    return translate("core", "Could not load {name}: {reason}. Still using {model}.").format(
        name=name, reason=reason, model=still.model.display_name)


def switch_model(current: LoadedModel | None, resolve: Callable[[], ResolvedModel],
                 open_engine: Callable[[ResolvedModel], LocalEngine], options: Callable[[ResolvedModel], LoadOptions],
                 starting: Callable[[str], None] = lambda _name: None) -> LoadedModel:
    """Load the model `resolve` names in place of `current`; `starting(name)` once the checks passed.

    Raises ModelSwitchError (a UserError) whose `current` is the model in use afterwards.
    """
    # Before the loaded model is touched, any failure (a UserError, or an OSError reading the file)
    # leaves it in use, and the error says so.
    try:
        model = resolve()
    except Exception as exc:  # noqa: BLE001 - the model in use stays whatever went wrong
        if not isinstance(exc, UserError):
            log.exception("finding the model to load failed")
        words = _trim(exc.message) if isinstance(exc, UserError) else \
            _trim(translate("core", "Could not find the model: {reason}").format(reason=str(exc)))
        if current is None:
            message = translate("core", "{reason}.").format(reason=words)
        else:
            message = translate("core", "{reason}. Still using {model}.").format(
                reason=words, model=current.model.display_name)
        raise ModelSwitchError(message, current, _kept(current), exc) from exc
    name = model.display_name
    try:
        # Checked against the memory the loaded model will give back, before it is touched.
        plan_load(model.path, options(model), freed_bytes=current.engine.memory_bytes() if current else 0)
    except Exception as exc:  # noqa: BLE001 - as above
        if not isinstance(exc, UserError):
            log.exception("checking %s failed", model.path)
        raise ModelSwitchError(_could_not_load(name, reason_of(exc, name, model.path.name), current),
                               current, _kept(current), exc) from exc
    starting(name)
    if current is not None:
        current.engine.close()  # two models rarely fit in memory together
    try:
        return LoadedModel(model, open_engine(model))
    except Exception as exc:  # noqa: BLE001 - whatever the cause, the previous model is loaded back
        if not isinstance(exc, UserError):
            log.exception("loading %s failed", model.path)
        reason = reason_of(exc, name, model.path.name)
        if current is None:
            raise ModelSwitchError(_could_not_load(name, reason, None), None, Kept.NOTHING, exc) from exc
        back = current.model
        try:
            restored = LoadedModel(back, open_engine(back))
        except Exception as again:  # noqa: BLE001 - both failures are told, nothing is loaded
            log.exception("loading %s back failed", back.path)
            message = translate(
                "core", "Could not load {name}: {reason}. {model} could not be loaded back either: {again}.").format(
                name=name, reason=reason, model=back.display_name, again=reason_of(again, back.display_name, back.path.name))
            raise ModelSwitchError(message, None, Kept.NOTHING, exc) from exc
        raise ModelSwitchError(_could_not_load(name, reason, restored), restored, Kept.RELOADED, exc) from exc


def _kept(current: LoadedModel | None) -> Kept:
    return Kept.UNTOUCHED if current is not None else Kept.NOTHING
