"""The fill-in-the-middle use case: the one place that decides how a loaded model fills a gap.

A model with infill tokens gets a true infill (its own token format, other files' definitions,
suffix-first where the family was trained on it); any other model is asked for the middle in
words through chat (an instruction fill). Every front end goes through here: the inference
thread (`start_fill`), the CLI, and the local server, whose requests map onto the same objects:
  llama-server `/infill`: input_prefix/input_suffix -> InfillRequest.prefix/suffix, input_extra
      [{filename, text}] -> Snippet(filename, text), n_predict/temperature/top_k... -> SamplingSettings
  OpenAI `/v1/completions`: prompt -> prefix, suffix -> suffix, max_tokens/temperature -> SamplingSettings
The front ends only show what comes back: the middle streams from the returned Generation, and
`describe_fill` says in words which kind of fill a model gets.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import PurePath
from typing import Protocol

from app.core.engine import DEFAULT_INFILL_CONTEXT, EngineInfo, Generation
from app.core.i18n import translate
from app.core.infill.formats import InfillFamily
from app.core.infill.prompt import InfillRequest
from app.core.repo.assistant_types import RepoSnippets
from app.core.settings import SamplingSettings

INFILL_MODELS = translate("core", "Code Llama 7B/13B or Qwen2.5-Coder")  # what to load for a true infill


class FillMode(Enum):
    NO_MODEL = "no model"
    INFILL = "infill"  # the model's own infill tokens
    INSTRUCTION = "instruction fill"  # asked for in words through chat: less exact


class FillEngine(Protocol):
    """What a fill needs of the engine (LocalEngine has it)."""

    info: EngineInfo

    def infill_text(self, request: InfillRequest, sampling: SamplingSettings,
                    cancel: threading.Event | None = None, *, single_line: bool = False,
                    context_tokens: int = DEFAULT_INFILL_CONTEXT) -> Generation: ...

    def instruction_fill(self, prefix: str, suffix: str, language: str, sampling: SamplingSettings,
                         cancel: threading.Event | None = None, *, single_line: bool = False,
                         context_tokens: int = DEFAULT_INFILL_CONTEXT) -> Generation: ...


def fill_mode(info: EngineInfo | None) -> FillMode:
    """How the model described by `info` fills a gap: the one place this choice is made."""
    if info is None:
        return FillMode.NO_MODEL
    return FillMode.INFILL if info.infill_family is not None else FillMode.INSTRUCTION


@dataclass(frozen=True)
class FillDescription:
    """A loaded model's fill mode, in words every front end shows (each may add its own emphasis)."""

    mode: FillMode
    headline: str  # one sentence: what the model does
    detail: str = ""  # for an instruction fill: how, and that it is less exact
    advice: str = ""  # what to load for a true infill
    family: InfillFamily | None = None

    @property
    def suffix_first(self) -> bool:
        """The suffix-first (SPM) order may be offered: the family was trained on it."""
        return self.family is not None and self.family.suffix_first

    @property
    def uses_repository(self) -> bool:
        """Other files' definitions (and the suffix-first order) reach only a true infill's prompt."""
        return self.mode is FillMode.INFILL

    @property
    def text(self) -> str:
        # Sentences in a row through a template, so each keeps its translation (Chinese needs no space).
        parts = [part for part in (self.headline, self.detail, self.advice) if part]
        text = parts[0]
        for part in parts[1:]:
            text = translate("core", "{first} {second}", "two sentences in a row").format(first=text, second=part)
        return text


def describe_fill(info: EngineInfo | None) -> FillDescription:
    mode = fill_mode(info)
    if info is None:
        return FillDescription(mode, translate("core", "No model loaded yet."))
    if mode is FillMode.INFILL:
        return FillDescription(mode, translate("core", "{model} fills in the middle with its own {format} infill tokens.")
                               .format(model=info.model_name, format=info.infill_format), family=info.infill_family)
    return FillDescription(mode, translate("core", "{model} has no infill tokens.").format(model=info.model_name),
                           translate("core", "The middle is asked for in words through chat (an instruction fill), "
                                     "which is less exact."),
                           translate("core", "For true infill load {models}.").format(models=INFILL_MODELS))


def language_of(path: str) -> str:
    """Pygments' name for the language of a file called `path` ('' when unknown): the instruction
    fill's code fence names it."""
    from pygments.lexers import get_lexer_for_filename  # imported on use: pygments' registry is large
    from pygments.util import ClassNotFound

    name = PurePath(path).name
    if not name:
        return ""
    try:
        return get_lexer_for_filename(name).name
    except ClassNotFound:
        return ""


def with_repository(request: InfillRequest, found: RepoSnippets | None) -> InfillRequest:
    """`request` with the open repository's definitions and the file's path in it (as is without one)."""
    if found is None:
        return request
    return replace(request, snippets=list(found.snippets), repo_name=found.repo_name,
                   path=found.path or request.path)  # a file from elsewhere keeps its own name


def start_fill(engine: FillEngine, request: InfillRequest, sampling: SamplingSettings,
               cancel: threading.Event | None = None, *, single_line: bool = False, language: str = "",
               context_tokens: int = DEFAULT_INFILL_CONTEXT) -> Generation:
    """Start filling `request`'s middle: a true infill when the model has the tokens, else an
    instruction fill (fenced as `language`, or the language of `request.path` when empty).

    The prompt is built now (a PromptError says so at once); the model runs as the Generation is
    iterated, which yields the middle's text pieces, already cut where they run into the suffix.
    """
    if fill_mode(engine.info) is FillMode.INFILL:
        return engine.infill_text(request, sampling, cancel, single_line=single_line, context_tokens=context_tokens)
    return engine.instruction_fill(request.prefix, request.suffix, language or language_of(request.path), sampling,
                                   cancel, single_line=single_line, context_tokens=context_tokens)
