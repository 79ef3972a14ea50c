"""Keep the translation sources in step with the code, and compile them.

    .venv/bin/python scripts/translations.py update   # lupdate: new strings into every .ts (then translate them)
    .venv/bin/python scripts/translations.py release  # lrelease: every .ts to its .qm (the set-up runs this)
    .venv/bin/python scripts/translations.py check    # exit 1 when a string is missing or unfinished

One `.ts` per area of the app and language, so each area can be translated and reviewed on its own:
resources/translations/codellama_<area>_<locale>.ts. The Chinese files hold every string; the English
ones only the plural forms (lupdate -pluralonly), since the sources are English.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "resources" / "translations"
LOCALES = ("zh_CN", "en")
PLURAL_ONLY = {"en"}

# area -> the sources it covers (folders are searched for *.py); a file belongs to exactly one area.
AREAS: dict[str, tuple[str, ...]] = {
    "core": ("app/core",),
    "main": ("app/ui/*.py", "app/workers", "app/services.py", "app/gui_main.py"),
    "chat": ("app/ui/chat",),
    "repo": ("app/ui/repo",),
    "infill": ("app/ui/infill",),
    "models": ("app/ui/models",),
    "settings": ("app/ui/settings",),
    "server": ("app/ui/server",),
    "measure": ("app/ui/measure",),
}


def area_files(area: str, areas: dict[str, tuple[str, ...]] | None = None) -> list[Path]:
    """The sources of `area` (patterns relative to the checkout, or absolute)."""
    files: list[Path] = []
    for pattern in (areas or AREAS)[area]:
        path = ROOT / pattern
        if "*" in pattern:
            files.extend(sorted(path.parent.glob(path.name)))
        elif path.is_dir():
            files.extend(sorted(path.rglob("*.py")))
        elif path.exists():
            files.append(path)
    return files


def ts_path(area: str, locale: str, folder: Path = FOLDER) -> Path:
    return folder / f"codellama_{area}_{locale}.ts"


def tool(name: str) -> str:
    """pyside6-lupdate / pyside6-lrelease next to this Python (the venv's), else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found: it comes with PySide6-Essentials (run scripts/setup.sh)")
    return found


def lupdate(area: str, locale: str, target: Path, areas: dict[str, tuple[str, ...]] | None = None) -> None:
    files = [str(f) for f in area_files(area, areas)]
    if not files:
        return
    command = [tool("pyside6-lupdate"), *files, "-locations", "none", "-no-obsolete",
               "-source-language", "en", "-target-language", locale, "-ts", str(target)]
    if locale in PLURAL_ONLY:
        command.insert(-2, "-pluralonly")
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)


def update() -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for area in AREAS:
        for locale in LOCALES:
            lupdate(area, locale, ts_path(area, locale))
    print(f"updated {FOLDER}; translate the unfinished entries (pyside6-linguist, or by hand)")


def release(folder: Path = FOLDER) -> int:
    count = 0
    for ts in sorted(folder.glob("codellama_*.ts")):
        qm = ts.with_suffix(".qm")
        if qm.exists() and qm.stat().st_mtime >= ts.stat().st_mtime:
            continue  # up to date: a set-up that changed nothing stays quick
        subprocess.run([tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(ts.with_suffix(".qm"))],
                       check=True, cwd=ROOT)
        count += 1
    return count


def messages(ts: Path) -> dict[tuple[str, str], bool]:
    """(context, source) -> finished, for every current message of a .ts file."""
    found: dict[tuple[str, str], bool] = {}
    if not ts.exists():
        return found
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            kind = translation.get("type") if translation is not None else "unfinished"
            if kind in ("obsolete", "vanished"):
                continue
            found[(name, message.findtext("source") or "")] = kind != "unfinished"
    return found


def problems(folder: Path = FOLDER, areas: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """What keeps the translations from being complete: strings the code has that a .ts lacks, unfinished ones.

    lupdate runs over the sources into a scratch copy of each .ts; what it adds is missing from the
    committed file, what it leaves unfinished is untranslated (English plural entries included).
    """
    found: list[str] = []
    areas = areas or AREAS
    with tempfile.TemporaryDirectory() as scratch:
        for area in areas:
            for locale in LOCALES:
                committed = ts_path(area, locale, folder)
                fresh = ts_path(area, locale, Path(scratch))
                if committed.exists():
                    shutil.copy(committed, fresh)
                lupdate(area, locale, fresh, areas)
                have = messages(committed)
                for key, finished in messages(fresh).items():
                    where = f"{committed.name}: [{key[0]}] {key[1]!r}"
                    if key not in have:
                        found.append(f"missing {where}")
                    elif not finished:
                        found.append(f"unfinished {where}")
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("update", "release", "check"))
    args = parser.parse_args(argv)
    if args.command == "update":
        update()
    elif args.command == "release":
        print(f"compiled {release()} translation file(s) in {FOLDER}")
    else:
        listed = problems()
        for line in listed:
            print(line)
        print(f"{len(listed)} problem(s)" if listed else "translations complete")
        return 1 if listed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
