"""The bundled manifest's model notes, translatable.

The notes live in models_manifest.toml, where lupdate cannot look; they are repeated here, marked,
so the Chinese interface shows them translated. A note that is not listed (a user's own manifest)
shows as written. tests/ui/test_translations.py checks every bundled note is listed.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

NOTES = (
    QT_TRANSLATE_NOOP("ModelNote", "Tiny model shipped with the app: instant and offline, good for trying the app, "
                                   "weak at real code."),
    QT_TRANSLATE_NOOP("ModelNote", "Recommended start: interactive on most laptops; also infills."),
    QT_TRANSLATE_NOOP("ModelNote", "Interactive on most laptops; also infills."),
    QT_TRANSLATE_NOOP("ModelNote", "Better answers than 7B; also infills; needs more memory than the 7B (see Fit)."),
    QT_TRANSLATE_NOOP("ModelNote", "Strong but slow on CPU; no infill. A large GPU or a lot of RAM."),
    QT_TRANSLATE_NOOP("ModelNote", "The best Code Llama; its own prompt format; about 45 GB at Q4."),
    QT_TRANSLATE_NOOP("ModelNote", "The base model: the best Code Llama for fill-in-the-middle; not for chat."),
    QT_TRANSLATE_NOOP("ModelNote", "Strong for its size; infills, with repository context. Large quantizations may "
                                   "be split into parts on the hub."),
    QT_TRANSLATE_NOOP("ModelNote", "Mixture of experts (2.4B active): fast for its quality. A community GGUF "
                                   "conversion."),
    QT_TRANSLATE_NOOP("ModelNote", "A base model for fill-in-the-middle only. A community GGUF conversion."),
)


def note_text(note: str) -> str:
    """A manifest note in the interface's language (unchanged when it is not a bundled one)."""
    return QCoreApplication.translate("ModelNote", note) if note else note
