"""How one candidate program fared in the sandbox (shared by the sandbox, the store and the runner)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Outcome(Enum):
    PASSED = "passed"
    FAILED = "failed"  # the tests raised (an assertion, a NameError, a syntax error...)
    TIMED_OUT = "timed out"  # the wall-clock limit (or the CPU limit) ran out
    CRASHED = "crashed"  # a signal, the memory limit, another limit
    ERROR = "error"  # the candidate could not be started at all (not the candidate's fault)


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    detail: str  # the last line of the error, the signal, the limit hit ('' when it passed)
    seconds: float

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASSED
