"""The infilling suites built from HumanEval, the way the fill-in-the-middle literature does it:
mask one line (single-line) or a block of lines (multi-line) of each canonical solution; the
model writes the middle from the code before and after it; the problem's tests judge the result.

The mask is chosen deterministically (seeded by the task id and the suite), so every model and
every run gets the same gaps. The model's prompt is the app's own fill (infill/fill.py).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from app.core.measure.humaneval import Problem

MAX_BLOCK_LINES = 5  # multi-line: a block of 2..5 lines where the solution has them


@dataclass(frozen=True)
class InfillTask:
    problem: Problem
    prefix: str  # the prompt and the solution's lines before the gap (ends at a line start)
    middle: str  # the masked lines, without the last line's newline
    suffix: str  # from that newline to the end of the solution (the tests are not shown)

    @property
    def task_id(self) -> str:
        return self.problem.task_id

    def program(self, middle: str) -> str:
        p = self.problem
        return f"{self.prefix}{middle}{self.suffix}\n\n{p.test}\n\ncheck({p.entry_point})\n"


def infill_task(problem: Problem, multi_line: bool) -> InfillTask:
    lines = problem.canonical_solution.split("\n")
    code = [i for i, line in enumerate(lines) if line.strip()]  # never a blank line
    rng = random.Random(f"{problem.task_id}:{'multi' if multi_line else 'single'}")
    if multi_line and len(code) > 1:
        size = rng.randint(2, min(MAX_BLOCK_LINES, len(code)))
        start = rng.randrange(0, len(code) - size + 1)
        first, last = code[start], code[start + size - 1]
    else:
        first = last = rng.choice(code)
    prefix = problem.prompt + "".join(line + "\n" for line in lines[:first])
    middle = "\n".join(lines[first:last + 1])
    suffix = "".join("\n" + line for line in lines[last + 1:])
    return InfillTask(problem, prefix, middle, suffix)
