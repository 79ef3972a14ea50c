"""The bundled app: its size, and its start-up time to the main window against the venv's, in one run.

Each start is a fresh process running `codellama-desktop gui --smoke-test` (show the main window,
print when it was shown, quit), timed from just before the process is spawned to the moment the window
was shown; the bundle and the checkout's venv take turns, after one warm-up start each (the first start
reads everything from disk). Targets: bundle folder < 350 MB with the embedded model; start-up
bundle/venv <= 1.2.

    .venv/bin/python benchmarks/bundle.py [--bundle build/bundle/pyinstaller-dist/codellama-desktop] [--runs 7]

Without --bundle it builds one first (packaging/build.py --reuse: a few minutes, or nothing when the
sources have not changed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, median, verdict

sys.path.insert(0, str(ROOT / "packaging"))

from bundle_check import folder_size  # noqa: E402  (packaging/bundle_check.py)

DEFAULT_BUNDLE = ROOT / "build" / "bundle" / "pyinstaller-dist" / "codellama-desktop"
# Not a model: the window shows an error banner and loads nothing, so what is timed is the start alone.
NO_MODEL = "__no_model_for_this_measurement__"


def shown_after(program: list[str], home: str) -> float:
    env = {**os.environ, "CODELLAMA_DESKTOP_HOME": home}
    env.setdefault("QT_QPA_PLATFORM", "xcb" if env.get("DISPLAY") else "offscreen")
    started = time.time()
    result = subprocess.run([*program, "gui", "--smoke-test", "--model", NO_MODEL], env=env, cwd=tempfile.gettempdir(),
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        sys.exit(f"{program[0]} did not show its window (exit {result.returncode}):\n{result.stderr[-2000:]}")
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    return shown["shown_at"] - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bundle", type=Path, help="the one-folder app (default: build it, or reuse the last build)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    bundle = args.bundle
    if bundle is None:
        subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--reuse"], cwd=ROOT, check=True)
        bundle = DEFAULT_BUNDLE
    bundle = bundle.resolve()  # the starts run in a temporary folder
    exe = bundle / "codellama-desktop"
    if not exe.is_file():
        sys.exit(f"no bundle at {bundle} (build one with .venv/bin/python packaging/build.py)")
    venv_program = Path(sys.executable).with_name("codellama-desktop")
    venv = [str(venv_program)] if venv_program.is_file() else [sys.executable, "-m", "app"]
    home = tempfile.mkdtemp(prefix="cld-bundle-bench-")

    size = folder_size(bundle)
    model = sum(p.stat().st_size for p in bundle.rglob("*.gguf"))
    print(f"bundle folder: {size / 1e6:.0f} MB ({size / 2**20:.0f} MiB), of which the embedded model {model / 1e6:.0f} MB")
    dist = ROOT / "dist"
    for artifact in sorted(dist.glob("codellama-desktop*.tar.gz")) + sorted(dist.glob("codellama-desktop*.deb")):
        print(f"{artifact.name}: {artifact.stat().st_size / 1e6:.0f} MB")

    shown_after([str(exe)], home)
    shown_after(venv, home)
    bundle_runs, venv_runs = [], []
    for i in range(args.runs):  # alternating, and each side first half of the time: load drifts hit both
        order = [("bundle", [str(exe)]), ("venv", venv)]
        for name, program in order if i % 2 == 0 else order[::-1]:
            (bundle_runs if name == "bundle" else venv_runs).append(shown_after(program, home))
    b, v = median(bundle_runs), median(venv_runs)
    print(f"start-up to the main window, {args.runs} runs each, medians: bundle {b:.2f} s, venv {v:.2f} s "
          f"({os.environ.get('QT_QPA_PLATFORM') or ('xcb' if os.environ.get('DISPLAY') else 'offscreen')})")
    print(f"ratio bundle/venv: {b / v:.2f}")
    print(f"bundle folder < 350 MB: {size / 1e6:.0f} MB {verdict(size < 350e6)}")
    print(f"start-up bundle/venv <= 1.2: {b / v:.2f} {verdict(b / v <= 1.2)}")


if __name__ == "__main__":
    main()
