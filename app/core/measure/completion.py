"""How a model is asked for a HumanEval completion, and how its code is taken from the answer.

Each model gets its own prompt, the way the app already talks to it:
  - a chat model (it has a chat template or a chat format) gets the problem through its chat
    prompt with an instruction to complete the function; the code is taken from the answer,
    fenced or not, with the function's header restated or not;
  - a base model (chat_format "none": Code Llama's infill models) gets the raw prompt as a plain
    continuation, cut at the next top-level statement, as the Codex and Code Llama papers do.
The work functions here run on the model's thread (submitted through the ModelRunner).
"""

from __future__ import annotations

import re
import textwrap
import threading
from dataclasses import dataclass
from enum import Enum

from app.core.engine_types import EngineInfo, Generation
from app.core.measure.humaneval import Problem, program, whole_function_program
from app.core.prompts.chat import ChatMessage
from app.core.remote import is_remote
from app.core.settings import SamplingSettings

# Where a base model's completion of a function ends: the next thing at the top level.
STOP_SEQUENCES = ("\ndef ", "\nclass ", "\nif ", "\nprint(", "\n#", "\nassert ", '\n"""', "\n@")

INSTRUCTION = ("Complete the following Python function. Keep its name and arguments, and answer with the whole "
               "function in one ```python code block.\n\n```python\n{prompt}```")

_FENCE = re.compile(r"```[ \t]*(?:python3?|py)?[ \t]*\n(.*?)(?:```|\Z)", re.DOTALL | re.IGNORECASE)


class PromptStyle(Enum):
    CHAT = "chat"
    COMPLETION = "completion"


def style_for(info: EngineInfo) -> PromptStyle:
    """A base model (no chat format) continues the raw prompt; every other model is asked in chat."""
    return PromptStyle.COMPLETION if info.chat_format == "none" and not is_remote(info) else PromptStyle.CHAT


def greedy(max_tokens: int) -> SamplingSettings:
    """pass@1 the greedy way: the most likely token each time, no repetition penalty."""
    return SamplingSettings(temperature=0.0, top_p=1.0, top_k=1, repeat_penalty=1.0, max_tokens=max_tokens, seed=0)


@dataclass(frozen=True)
class Answer:
    text: str  # what the model wrote
    tokens: int


def generate(engine, problem: Problem, style: PromptStyle, max_tokens: int, cancel: threading.Event) -> Answer:
    """The model's answer to `problem` (runs on the model's thread)."""
    sampling = greedy(max_tokens)
    if style is PromptStyle.COMPLETION:
        tokens = engine.tokenizer.encode(problem.prompt)
        if engine.tokenizer.add_bos and engine.tokenizer.bos_id >= 0:
            tokens = [engine.tokenizer.bos_id, *tokens]
        generation = engine.continue_tokens(tokens, sampling, cancel)
        return Answer(_until_stop(generation), generation.stats.generated_tokens)
    messages = [ChatMessage("user", INSTRUCTION.format(prompt=problem.prompt))]
    generation = engine.chat(messages, sampling, cancel)
    text = "".join(generation.pieces)
    return Answer(text, generation.stats.generated_tokens)


def _until_stop(generation: Generation) -> str:
    """The continuation up to the first stop sequence; generation ends there."""
    text = ""
    pieces = generation.pieces
    try:
        for piece in pieces:
            text += piece
            cut = min((i for i in (text.find(s) for s in STOP_SEQUENCES) if i >= 0), default=-1)
            if cut >= 0:
                return text[:cut]
        return text
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()


def candidate_program(problem: Problem, style: PromptStyle, answer: str) -> str:
    """The program that judges `answer`: prompt + completion + tests for a body, or the answer's
    own definitions (after the prompt's helpers) when it restates the function."""
    if style is PromptStyle.COMPLETION:
        return program(problem, answer)
    code = extract_code(answer)
    if re.search(rf"^\s*(async\s+)?def\s+{re.escape(problem.entry_point)}\s*\(", code, re.MULTILINE):
        return whole_function_program(problem, textwrap.dedent(code))
    return program(problem, as_body(code))


def extract_code(answer: str) -> str:
    """The code in a chat answer: the fenced block that defines something (else the first one),
    or the whole answer when it has no fence."""
    blocks = _FENCE.findall(answer)
    if not blocks:
        return answer.strip("\n")
    for block in blocks:
        if re.search(r"^\s*(async\s+)?def\s", block, re.MULTILINE):
            return block.rstrip()
    return blocks[0].rstrip()


def as_body(code: str) -> str:
    """A function body written flush left (or at any indent) put at the function's indent."""
    code = textwrap.dedent(code).strip("\n")
    return textwrap.indent(code, "    ", lambda line: True) + "\n" if code else "    pass\n"
