"""The interface's language: Qt translators for the app's areas and Qt's own dialogs, and core messages.

The `.ts` sources live in resources/translations/, one per area of the app and language
(`codellama_<area>_<locale>.ts`, see scripts/translations.py); the set-up compiles each to a `.qm`
beside it. English has its own files too: they hold only the plural forms ("1 file" / "2 files"),
the sources themselves being English.

The language is chosen once at start (Settings > Appearance changes it and offers a restart):
widgets take their texts when they are built, so a switch while running would leave half the window
in the old language.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.core.i18n import Text
from app.core.settings import Language

log = logging.getLogger(__name__)

ENGLISH, CHINESE = "en", "zh_CN"
_installed: list[QTranslator] = []  # kept alive: Qt holds only a pointer to an installed translator


def translations_dir() -> Path:
    """resources/translations of the checkout, or of the bundle (PyInstaller unpacks data under sys._MEIPASS)."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[2]))
    return base / "resources" / "translations"


def locale_for(language: Language, system: QLocale | None = None) -> str:
    """The locale the interface uses: "zh_CN" or "en".

    A system locale in Simplified Chinese (zh_CN, zh_SG, zh-Hans) gets the Chinese interface; a
    Traditional one (zh_TW, zh_HK, zh-Hant) gets English, since only Simplified is translated and
    mixing scripts reads worse than a clean English interface.
    """
    if language is Language.CHINESE:
        return CHINESE
    if language is Language.ENGLISH:
        return ENGLISH
    system = system or QLocale.system()
    for tag in system.uiLanguages() or [system.name()]:
        parts = tag.replace("_", "-").split("-")
        if parts[0].lower() != "zh":
            continue
        subtags = [p.lower() for p in parts[1:]]
        if "hans" in subtags:  # the script decides over the region: zh-Hans-HK is Simplified
            return CHINESE
        traditional = any(p in ("hant", "tw", "hk", "mo") for p in subtags)
        return ENGLISH if traditional else CHINESE
    return ENGLISH


def install_translations(app: QCoreApplication, language: Language, folder: Path | None = None) -> str:
    """Install the translators for `language` (replacing earlier ones) and return the locale used.

    A missing `.qm` (a checkout whose set-up has not compiled them) is logged and the English
    sources show instead: the app still starts.
    """
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    locale = locale_for(language)
    folder = folder or translations_dir()
    files = sorted(folder.glob(f"codellama_*_{locale}.qm")) if folder.is_dir() else []
    if not files and locale != ENGLISH:
        log.warning("no %s translations in %s (run scripts/setup.sh to build them); showing English", locale, folder)
    for path in files:
        _install(app, str(path.parent), path.stem)
    if locale != ENGLISH:
        # Qt's own strings (standard dialogs' buttons, the file dialog, context menus).
        _install(app, QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath), f"qtbase_{locale}")
    QLocale.setDefault(QLocale(locale))
    return locale


def _install(app: QCoreApplication, folder: str, stem: str) -> None:
    translator = QTranslator(app)
    if translator.load(stem, folder):
        app.installTranslator(translator)
        _installed.append(translator)
    else:
        log.warning("could not load translation %s from %s", stem, folder)


def plural(translated: str, n: int) -> str:
    """A GUI plural ("%n file(s)", already through tr() with n) with English's "(s)" rule applied.

    The Chinese translation has no "(s)"; English shows the source itself when no English `.qm` is
    loaded (a checkout before its set-up, the tests), where "1 file(s)" would otherwise show.
    """
    return translated.replace("(s)", "" if n == 1 else "s")


def resolve(text: str) -> str:
    """A message from the core in the interface's language (plain strings pass through unchanged)."""
    if not isinstance(text, Text):
        return text
    # The disambiguation picks the entry lupdate filed under it (without it Qt finds none).
    translated = QCoreApplication.translate(text.context, text.source, text.disambiguation, text.n)
    if translated == text.source.replace("%n", str(text.n)):
        return str(text)  # not translated: the core's English (with its own plural rule)
    args = {key: resolve(value) if isinstance(value, Text) else value for key, value in text.args.items()}
    try:
        return translated.format(**args)
    except (KeyError, IndexError, ValueError):
        log.warning("translation of %r does not fit its arguments; showing English", text.source)
        return str(text)
