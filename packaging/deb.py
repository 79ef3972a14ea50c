"""The .deb: the bundle under /opt/codellama-desktop, the command on PATH, the desktop entry and icon.

Built with `dpkg-deb --build` from a staging root, so no Debian tooling beyond dpkg is needed. The
command is a relative symlink (../../opt/...), which also resolves inside a `dpkg -x` root (the test
unpacks the package there); PyInstaller's bootloader finds its _internal folder through the link.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path

INSTALL_DIR = "opt/codellama-desktop"

# What Qt's platform plugins and llama.cpp load from the system (the same set scripts/setup.sh installs
# for a checkout). Alternatives name Debian 13 / Ubuntu 24.04's renamed (t64) packages first.
DEPENDS = (
    "libc6 (>= {glibc})", "libstdc++6", "libgcc-s1", "libgomp1",
    "libegl1", "libgl1", "libfontconfig1", "libfreetype6", "libdbus-1-3", "libglib2.0-0t64 | libglib2.0-0",
    "libxkbcommon0", "libxkbcommon-x11-0", "libx11-6", "libx11-xcb1", "libxcb1", "libxcb-cursor0",
    "libxcb-icccm4", "libxcb-image0", "libxcb-keysyms1", "libxcb-randr0", "libxcb-render-util0",
    "libxcb-shape0", "libxcb-shm0", "libxcb-sync1", "libxcb-xfixes0", "libxcb-xkb1", "libxcb-render0",
    "libwayland-client0", "libwayland-cursor0", "libwayland-egl1",
)
RECOMMENDS = ("fonts-dejavu-core | fonts-liberation2 | fonts-noto-core",)

DESCRIPTION = """\
Coding assistant that runs code models on your own machine
 Code Llama Desktop chats about code, fills in the middle of a file and answers
 questions about a repository with Code Llama and other GGUF models, run by
 llama.cpp on this computer. A small model (SmolLM2 135M) is included so it
 works offline at once; larger models download from the Hugging Face hub.
"""


def glibc_version() -> str:
    name, ver = platform.libc_ver()
    return ver if name == "glibc" and ver else "2.31"


def control(package: str, version: str, arch: str, installed_kib: int) -> str:
    depends = ", ".join(DEPENDS).format(glibc=glibc_version())
    return (f"Package: {package}\nVersion: {version}\nArchitecture: {arch}\n"
            "Maintainer: Code Llama Desktop developers <codellama-desktop@users.noreply.github.com>\n"
            f"Installed-Size: {installed_kib}\nDepends: {depends}\nRecommends: {', '.join(RECOMMENDS)}\n"
            f"{variant_fields(package)}Section: devel\nPriority: optional\nDescription: {DESCRIPTION}")


def variant_fields(package: str) -> str:
    """A backend variant (codellama-desktop-cuda) installs the same command: it replaces the plain package."""
    if package == "codellama-desktop":
        return ""
    return "Provides: codellama-desktop\nConflicts: codellama-desktop\nReplaces: codellama-desktop\n"


def stage(bundle: Path, root: Path, package: str, version: str, arch: str, repo: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)
    target = root / INSTALL_DIR
    target.parent.mkdir(parents=True)
    # Hard links where the file system allows: the bundle is ~300 MB and is only read from here.
    try:
        shutil.copytree(bundle, target, symlinks=True, copy_function=os.link)
    except OSError:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(bundle, target, symlinks=True)
    (root / "usr/bin").mkdir(parents=True)
    (root / "usr/bin/codellama-desktop").symlink_to(f"../../{INSTALL_DIR}/codellama-desktop")
    apps = root / "usr/share/applications"
    apps.mkdir(parents=True)
    shutil.copy2(repo / "packaging" / "codellama-desktop.desktop", apps / "codellama-desktop.desktop")
    icons = root / "usr/share/icons/hicolor/scalable/apps"
    icons.mkdir(parents=True)
    shutil.copy2(repo / "resources" / "icon.svg", icons / "codellama-desktop.svg")
    docs = root / f"usr/share/doc/{package}"
    docs.mkdir(parents=True)
    (docs / "copyright").write_text(
        "Code Llama Desktop is MIT licensed. The bundled SmolLM2 135M model is Apache-2.0; Qt (PySide6) is LGPLv3;\n"
        "llama.cpp is MIT. Downloaded models carry their own licences (codellama-desktop models info ID).\n")
    for path in root.rglob("*"):  # dpkg-deb refuses group/other-writable control files; keep all 755/644
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
    installed_kib = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink()) // 1024
    (root / "DEBIAN").mkdir()
    (root / "DEBIAN/control").write_text(control(package, version, arch, installed_kib))
    (root / "DEBIAN").chmod(0o755)
    (root / "DEBIAN/control").chmod(0o644)


def build_deb(bundle: Path, out: Path, package: str, version: str, arch: str, repo: Path, root: Path) -> Path:
    """Stage the package under `root` and build `out` from it (gzip: fast, and every dpkg reads it)."""
    if shutil.which("dpkg-deb") is None:
        raise RuntimeError("dpkg-deb is needed to build the .deb (Debian/Ubuntu: the dpkg package)")
    stage(bundle, root, package, version, arch, repo)
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", str(root), str(out)],
                   check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(root, ignore_errors=True)
    return out
