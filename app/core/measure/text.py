"""The core's translation marker for this package's messages.

Issue 14 brings `app.core.i18n.translate`; until it lands here the marker returns the English
source, so the package works either way and its strings are already marked for extraction.
"""

from __future__ import annotations

try:
    from app.core.i18n import translate
except ImportError:  # pragma: no cover - only before app/core/i18n.py exists
    def translate(context: str, text: str, disambiguation: str | None = None, n: int = -1) -> str:  # type: ignore[misc]
        return text

__all__ = ["translate"]
