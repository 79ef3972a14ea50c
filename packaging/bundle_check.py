"""Checks on a built bundle before it is packed: every library it holds finds the libraries it links to.

Qt plugins and llama.cpp are opened at run time, so PyInstaller cannot prove their dependencies are
present; a plugin whose Qt library trim.py dropped would only fail on a user's desktop. On Linux
each ELF file is run through ldd with the bundle's library folders on the search path: a missing
library that the bundle itself should carry (a Qt or Python one) fails the build; missing system
libraries are the package's dependencies (deb.py) and are only listed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

# Missing libraries of these names would have had to come from inside the bundle.
_BUNDLED = re.compile(r"^(libQt6|libpyside6|libshiboken6|libpython|libllama|libggml|libmtmd|libicu)")
# Plugins that link to optional desktop libraries a machine may lack (the GTK theme needs GTK 3):
# Qt skips such a plugin at start, so their gaps are not the bundle's.
_OPTIONAL_SYSTEM = re.compile(r"^lib(gtk-3|gdk-3|atk|pango|cairo|gdk_pixbuf|wayland|xcb|X|EGL|GL|OpenGL|GLX|"
                              r"fontconfig|freetype|xkbcommon|dbus|glib|gobject|gio|gthread|harfbuzz|gomp|"
                              r"cuda|cublas|nvidia)")


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def elf_files(bundle: Path) -> list[Path]:
    found = []
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def missing_libraries(bundle: Path) -> dict[Path, list[str]]:
    """ELF file -> libraries ldd cannot find for it, with the bundle's folders searched as at run time."""
    internal = bundle / "_internal"
    search = [internal, internal / "PySide6" / "Qt" / "lib", internal / "llama_cpp" / "lib"]
    env = {**os.environ, "LD_LIBRARY_PATH": os.pathsep.join(map(str, search))}
    gaps: dict[Path, list[str]] = {}
    for path in elf_files(bundle):
        result = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env)
        missing = [line.split()[0] for line in result.stdout.splitlines() if "not found" in line]
        if missing:
            gaps[path] = missing
    return gaps


def check(bundle: Path) -> list[str]:
    """Problems that make the bundle unusable (empty when it is fine); system gaps are printed only."""
    if not (bundle / "_internal").is_dir() and sys.platform != "darwin":
        return [f"{bundle} has no _internal folder (not a PyInstaller 6 one-folder build)"]
    if sys.platform != "linux":
        return []
    problems = []
    for path, missing in sorted(missing_libraries(bundle).items()):
        rel = path.relative_to(bundle)
        ours = [name for name in missing if _BUNDLED.match(name) or not _OPTIONAL_SYSTEM.match(name)]
        if ours:
            problems.append(f"{rel} needs {', '.join(ours)}, which the bundle lacks")
        else:
            print(f"bundle check: {rel} uses system libraries this machine lacks: {', '.join(missing)}")
    return problems
