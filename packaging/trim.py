"""What the bundle leaves out: Qt beyond a widgets app's plugins, and libraries nothing kept links to.

PyInstaller's PySide6 hooks collect every plugin of the Qt modules in use (print support, SQL
drivers, EGL device integrations, QML tooling...), and each drags its own Qt libraries in. The app
uses QtCore, QtGui and QtWidgets with SVG icons, no QtNetwork (its HTTP is httpx), so everything
else is dropped here. build.py then checks that every library left in the bundle still finds what
it links to, so a plugin dropped too eagerly fails the build rather than the user's start.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

# Plugin folder -> plugin file name stems kept (None: the whole folder). Folders not listed are dropped.
KEEP_PLUGINS: dict[str, tuple[str, ...] | None] = {
    # X11, Wayland, and offscreen (tests, the smoke check, screenshots).
    "platforms": ("qxcb", "qoffscreen", "qwayland", "qwayland-egl", "qwayland-generic", "qminimal",
                  "qcocoa", "qwindows", "qdirect2d"),
    "xcbglintegrations": None,
    "wayland-shell-integration": ("xdg-shell",),
    "wayland-decoration-client": None,
    "wayland-graphics-integration-client": ("qt-plugin-wayland-egl",),
    # The XDG portal: the desktop's own file dialogs and colour scheme. Not GTK's theme plugin: it links the
    # system's GTK 3, and PyInstaller would bundle cairo, pango and the like next to it for nothing.
    "platformthemes": ("qxdgdesktopportal",),
    "platforminputcontexts": None,  # compose keys and IBus input methods: typing in the editor
    "imageformats": ("qsvg", "qico"),  # PNG is built into QtGui
    "iconengines": None,  # the SVG icon engine
    "styles": None,  # macOS and Windows native styles
}

# Qt libraries that only plugins or modules dropped above use.
DROP_LIBS = re.compile(
    r"Qt6(Qml|Quick|Labs|Lottie|Pdf|Designer|Help|Sql|Test|UiTools|Network|PrintSupport|Concurrent|"
    r"EglF[sS]|WaylandCompositor|WaylandEgl.*Compositor|VirtualKeyboard|OpenGLWidgets|SvgWidgets|Xml)",
)
_PLUGIN = re.compile(r"(?:^|/)Qt/plugins/([^/]+)/(?:lib)?([^/]+?)(?:\.so|\.dll|\.dylib)$")
_TRANSLATION = re.compile(r"(?:^|/)Qt/translations/([^/]+)\.qm$")


def app_locales(translations: Path) -> set[str]:
    """The locales the app has translations for (codellama_<area>_<locale>.ts), English aside."""
    return {ts.stem.split("_", 2)[2] for ts in translations.glob("codellama_*_*.ts")} - {"en"}


def keeps(dest: str, locales: set[str]) -> bool:
    """Whether a file bound for `dest` (its path inside the bundle) stays in."""
    dest = dest.replace("\\", "/")
    if "/Qt/plugins/" in dest or dest.startswith("Qt/plugins/"):
        match = _PLUGIN.search(dest)
        if match is None:
            return False  # plugin metadata (.json) of dropped folders and the like
        folder, stem = match.groups()
        if folder not in KEEP_PLUGINS:
            return False
        wanted = KEEP_PLUGINS[folder]
        return wanted is None or stem in wanted
    translation = _TRANSLATION.search(dest)
    if translation is not None:
        # Qt's own strings for its dialogs in the app's languages; QML, designer and help catalogues are of no use.
        domain, _, locale = translation.group(1).partition("_")
        return domain in ("qt", "qtbase") and locale in locales
    return not DROP_LIBS.search(dest.rsplit("/", 1)[-1])


def keep(toc: list, locales: set[str]) -> list:
    """A PyInstaller TOC (dest, source, kind) without the entries `keeps` refuses."""
    return [entry for entry in toc if keeps(entry[0], locales)]


def drop_orphans(binaries: list, needed: Callable[[str], list[str]]) -> list:
    """`binaries` without the top-level shared libraries that no kept binary links to, directly or not.

    PyInstaller gathers each binary's dependencies during analysis, before `keep` drops plugins, so the
    GTK theme plugin's cairo and pango would stay behind with nothing using them. `needed(path)` lists
    the libraries a file links to (PyInstaller's bindepend on ELF, Mach-O and PE alike).
    """
    top_level = {dest: entry for entry in binaries if "/" not in (dest := entry[0].replace("\\", "/"))}
    reached: set[str] = set()
    todo = [entry for entry in binaries if entry[0].replace("\\", "/") not in top_level]
    while todo:
        entry = todo.pop()
        for name in needed(entry[1]):
            base = name.replace("\\", "/").rsplit("/", 1)[-1]
            if base in top_level and base not in reached:
                reached.add(base)
                todo.append(top_level[base])
    python_lib = re.compile(r"^(lib)?python\d")  # the interpreter's own library: the bootloader opens it
    return [entry for entry in binaries if entry[0] not in top_level or entry[0] in reached
            or python_lib.match(entry[0])]
