"""Build the self-contained app from this checkout: a one-folder PyInstaller bundle, then its packages.

    .venv/bin/python packaging/build.py [--dist dist] [--work build/bundle] [--reuse]

Linux: dist/codellama-desktop-<version>-linux-<arch>.tar.gz and codellama-desktop_<version>_<debarch>.deb;
macOS: a .app in a .dmg; Windows: a .zip and, with Inno Setup's iscc on PATH, an installer. Each
artifact gets a .sha256 file (sha256sum -c reads it).

The bundle holds the venv's llama-cpp-python as it was compiled: CPU by default. For another backend
set it up first and name it here too (the artifacts then carry its name):
    CODELLAMA_BACKEND=cuda scripts/setup.sh && CODELLAMA_BACKEND=cuda .venv/bin/python packaging/build.py
--reuse skips the build when dist/ already holds artifacts built from the same sources and packages.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bundle_check  # noqa: E402  (packaging/bundle_check.py)
import deb  # noqa: E402  (packaging/deb.py)

ROOT = Path(__file__).resolve().parents[1]
NAME = "codellama-desktop"
BACKENDS = ("cpu", "cuda", "metal", "vulkan")


class BuildError(Exception):
    """A reason the build cannot go on, said in one line."""


def version() -> str:
    # A regex, not tomllib: the script also runs on Python 3.10, which has none.
    match = re.search(r'^version\s*=\s*"([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    if match is None:
        raise BuildError("pyproject.toml has no version")
    return match.group(1)


def backend() -> str:
    """The backend named by CODELLAMA_BACKEND (cpu by default), checked against the installed llama.cpp."""
    wanted = os.environ.get("CODELLAMA_BACKEND", "cpu") or "cpu"
    if wanted == "auto":
        wanted = "metal" if sys.platform == "darwin" and platform.machine() == "arm64" else "cpu"
    if wanted not in BACKENDS:
        raise BuildError(f"CODELLAMA_BACKEND must be one of {', '.join(BACKENDS)} (got {wanted!r})")
    # In a child: loading llama.cpp's libraries here would keep them mapped during the build for nothing.
    probe = subprocess.run([sys.executable, "-c", "import llama_cpp; print(int(llama_cpp.llama_supports_gpu_offload()))"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        raise BuildError(f"llama-cpp-python does not import in {sys.executable}: {probe.stderr.strip()[-300:]}")
    offload = probe.stdout.strip() == "1"
    if offload != (wanted != "cpu"):
        built = "a GPU backend" if offload else "the CPU backend"
        raise BuildError(f"the venv's llama.cpp is built for {built}, not {wanted}; "
                         f"run CODELLAMA_BACKEND={wanted} scripts/setup.sh first")
    return wanted


def arch_names() -> tuple[str, str]:
    """(the tarball's arch, Debian's arch): x86_64/amd64, aarch64/arm64."""
    machine = platform.machine().lower()
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine) if sys.platform == "linux" else machine
    return machine, {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)


def source_key(backend_name: str) -> str:
    """What the bundle is built from: the files that go into it, the installed packages, the backend.

    Files, not git: uncommitted edits count, and edits to tests or docs do not force a rebuild.
    """
    digest = hashlib.sha256()
    files = [ROOT / "pyproject.toml", ROOT / "models_manifest.toml"]
    for folder in ("app", "packaging", "resources"):
        files += (p for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in sorted(files):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    packages = sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions())
    digest.update("\n".join(packages).encode())
    digest.update(f"{backend_name} {sys.version} {platform.machine()}".encode())
    return digest.hexdigest()[:20]


def compile_translations(stage: Path) -> int:
    """Each resources/translations/*.ts compiled to stage/translations/*.qm; .qm files there already are
    taken as they are when pyside6-lrelease is missing. Returns how many .qm files the bundle gets."""
    source = ROOT / "resources" / "translations"
    out = stage / "translations"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    lrelease = shutil.which("pyside6-lrelease", path=str(Path(sys.executable).parent)) or shutil.which("pyside6-lrelease")
    for ts in sorted(source.glob("*.ts")) if source.is_dir() else []:
        if lrelease:
            subprocess.run([lrelease, "-silent", str(ts), "-qm", str(out / f"{ts.stem}.qm")], check=True)
    if not lrelease and source.is_dir():
        for qm in source.glob("*.qm"):
            shutil.copy2(qm, out / qm.name)
    return len(list(out.glob("*.qm")))


def run_pyinstaller(work: Path, stage: Path, ver: str) -> Path:
    env = {**os.environ, "CLD_ROOT": str(ROOT), "CLD_STAGE": str(stage), "CLD_VERSION": ver}
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
           "--distpath", str(work / "pyinstaller-dist"), "--workpath", str(work / "pyinstaller-work"),
           str(ROOT / "packaging" / "codellama-desktop.spec")]
    if subprocess.run(cmd, cwd=ROOT, env=env).returncode != 0:
        raise BuildError("PyInstaller failed (its messages are above)")
    return work / "pyinstaller-dist" / NAME


def link_duplicates(folder: Path) -> int:
    """Same-content files in `folder` become symlinks to one of them; returns the bytes saved.

    llama-cpp-python's wheel holds each library three times (libllama.so, .so.0, .so.0.5.0: pip does not
    keep symlinks); the spec leaves out the fully versioned name, and the two names still opened (the
    one ctypes asks for, the soname the others link to) share one file here.
    """
    groups: dict[str, list[Path]] = {}
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.is_file() and not path.is_symlink():
            groups.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), []).append(path)
    saved = 0
    for paths in groups.values():
        keep = max(paths, key=lambda p: len(p.name))  # the soname: libllama.so.0 rather than libllama.so
        for path in paths:
            if path != keep:
                saved += path.stat().st_size
                path.unlink()
                path.symlink_to(keep.name)
    return saved


def strip_debug_info(bundle: Path) -> int:
    """Debug sections removed from the ELF files that carry them; returns the bytes saved.

    libpython and the tree-sitter grammars ship with DWARF data (about 40 MB). Only --strip-debug, and
    only where a .debug_info section exists: a full strip breaks libraries that auditwheel patched
    (numpy's OpenBLAS fails to load with "ELF load command address/offset not page-aligned").
    """
    strip = shutil.which("strip")
    if strip is None:
        print("build: no strip command (binutils); debug sections stay in")
        return 0
    saved = 0
    for path in bundle_check.elf_files(bundle):
        sections = subprocess.run(["readelf", "-S", "-W", str(path)], capture_output=True, text=True).stdout
        if ".debug_info" not in sections:
            continue
        before = path.stat().st_size
        subprocess.run([strip, "--strip-debug", str(path)], check=True)
        saved += before - path.stat().st_size
    return saved


def smoke(bundle: Path) -> None:
    """The bundle's `doctor` runs: imports, native libraries and the embedded model are all there."""
    exe = bundle / ("codellama-desktop.exe" if sys.platform == "win32" else "codellama-desktop")
    with tempfile.TemporaryDirectory(prefix="cld-build-home-") as home:
        result = subprocess.run([str(exe), "doctor"], capture_output=True, text=True, timeout=120,
                                env={**os.environ, "CODELLAMA_DESKTOP_HOME": home})
    if result.returncode != 0 or "SmolLM2" not in result.stdout:
        raise BuildError(f"the bundle's `doctor` failed (exit {result.returncode}):\n{result.stdout}{result.stderr[-3000:]}")


def sha256_file(path: Path) -> Path:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    out = path.with_name(path.name + ".sha256")
    out.write_text(f"{digest.hexdigest()}  {path.name}\n")
    return out


def make_tarball(bundle: Path, out: Path, top: str) -> Path:
    def as_root(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        return info

    with tarfile.open(out, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=top, filter=as_root)
    return out


def make_dmg(app: Path, out: Path) -> Path:
    subprocess.run(["hdiutil", "create", "-volname", "Code Llama Desktop", "-srcfolder", str(app), "-ov",
                    "-format", "UDZO", str(out)], check=True)
    return out


def make_windows(bundle: Path, dist: Path, stem: str, ver: str) -> list[Path]:
    made = [Path(shutil.make_archive(str(dist / stem), "zip", bundle.parent, bundle.name))]
    iscc = shutil.which("iscc") or shutil.which("ISCC")
    if iscc:  # Inno Setup: a per-user installer with a Start menu entry and an uninstaller
        subprocess.run([iscc, f"/DAppVersion={ver}", f"/DSourceDir={bundle}", f"/DOutputDir={dist}",
                        f"/DOutputName={stem}-setup", str(ROOT / "packaging" / "windows" / "codellama-desktop.iss")],
                       check=True)
        made.append(dist / f"{stem}-setup.exe")
    return made


def build(dist: Path, work: Path, reuse: bool) -> list[Path]:
    started = time.monotonic()
    ver, backend_name = version(), backend()
    arch, debarch = arch_names()
    suffix = "" if backend_name == "cpu" else f"-{backend_name}"
    system = {"linux": "linux", "darwin": "macos", "win32": "windows"}.get(sys.platform, sys.platform)
    stem = f"{NAME}-{ver}-{system}-{arch}{suffix}"
    key = source_key(backend_name)
    stamp = dist / f".{stem}.key"
    if reuse and stamp.is_file() and stamp.read_text().split("\n")[0] == key:
        made = [dist / name for name in stamp.read_text().split("\n")[1:] if name]
        if all(p.is_file() for p in made):
            print(f"build: {', '.join(p.name for p in made)} already built from these sources ({key}); reused")
            return made
    dist.mkdir(parents=True, exist_ok=True)
    stage = work / "stage"
    print(f"build: {stem} (llama.cpp backend {backend_name}), {compile_translations(stage)} translation files",
          flush=True)
    bundle = run_pyinstaller(work, stage, ver)
    if sys.platform == "linux":
        saved = link_duplicates(bundle / "_internal" / "llama_cpp" / "lib") + strip_debug_info(bundle)
        print(f"build: {saved / 1e6:.0f} MB of duplicate libraries and debug sections removed", flush=True)
    problems = bundle_check.check(bundle)
    if problems:
        raise BuildError("the bundle is incomplete:\n  " + "\n  ".join(problems))
    smoke(bundle)
    made: list[Path] = []
    if sys.platform == "linux":
        made.append(make_tarball(bundle, dist / f"{stem}.tar.gz", f"{NAME}-{ver}"))
        package = f"{NAME}{suffix}" if suffix else NAME
        made.append(deb.build_deb(bundle, dist / f"{package}_{ver}_{debarch}.deb", package, ver, debarch,
                                  ROOT, work / "deb-root"))
    elif sys.platform == "darwin":
        made.append(make_dmg(bundle.parent / "Code Llama Desktop.app", dist / f"{stem}.dmg"))
    elif sys.platform == "win32":
        made.extend(make_windows(bundle, dist, stem, ver))
    made += [sha256_file(p) for p in list(made)]
    stamp.write_text("\n".join([key, *(p.name for p in made)]) + "\n")
    size = bundle_check.folder_size(bundle)
    print(f"build: bundle folder {size / 1e6:.0f} MB at {bundle}; done in {time.monotonic() - started:.0f} s")
    for p in made:
        print(f"build: {p}  {p.stat().st_size / 1e6:.1f} MB")
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the artifacts go (default dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "bundle", help="PyInstaller's work folders")
    parser.add_argument("--reuse", action="store_true", help="keep artifacts built from the same sources")
    args = parser.parse_args(argv)
    try:
        build(args.dist.resolve(), args.work.resolve(), args.reuse)
    except BuildError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"build: error: {' '.join(map(str, exc.cmd))} exited {exc.returncode}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
