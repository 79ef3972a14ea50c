"""What can be measured: the suites, by the names the CLI and the stored results use."""

from __future__ import annotations

from enum import Enum

from app.core.i18n import translate


class Suite(str, Enum):
    HUMANEVAL = "humaneval"
    INFILL_SINGLE = "infill-single"
    INFILL_MULTI = "infill-multi"
    SPEED = "speed"

    @property
    def label(self) -> str:
        """The suite's name for a person (a core marker string the GUI translates)."""
        return _LABELS[self]()

    @property
    def runs_code(self) -> bool:
        """Whether the suite runs model-written code (the one-time consent is asked for these)."""
        return self is not Suite.SPEED

    @property
    def is_infill(self) -> bool:
        return self in (Suite.INFILL_SINGLE, Suite.INFILL_MULTI)


_LABELS = {
    Suite.HUMANEVAL: lambda: translate("core", "HumanEval pass@1"),
    Suite.INFILL_SINGLE: lambda: translate("core", "Single-line infilling"),
    Suite.INFILL_MULTI: lambda: translate("core", "Multi-line infilling"),
    Suite.SPEED: lambda: translate("core", "Speed"),
}
