"""Start-up: time until the main window is shown, and resident memory with no model loaded.

Each measurement is a fresh process (as a user starts the app), timed from just before the
process is spawned to just after the window is shown and painted. The baseline, in the same run,
is a bare PySide6 QMainWindow in a fresh process. Targets: window shown < 1.5 s, RSS < 200 MB.

    .venv/bin/python benchmarks/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from _common import ROOT, median, verdict

APP_CHILD = """
import json, sys, time
t0 = float(sys.argv[1])
from app.gui_main import launch
app, window = launch("__no_model_for_this_measurement__")
app.processEvents()
shown = time.time() - t0
import psutil
print(json.dumps({"shown": shown, "rss": psutil.Process().memory_info().rss, "visible": window.isVisible()}))
window.shutdown()
"""

BARE_CHILD = """
import json, sys, time
t0 = float(sys.argv[1])
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1100, 760)
window.show()
app.processEvents()
shown = time.time() - t0
import psutil
print(json.dumps({"shown": shown, "rss": psutil.Process().memory_info().rss, "visible": window.isVisible()}))
"""


def measure(code: str, home: str) -> dict:
    env = {**os.environ, "CODELLAMA_DESKTOP_HOME": home}
    env.setdefault("QT_QPA_PLATFORM", "offscreen" if not env.get("DISPLAY") else "xcb")
    result = subprocess.run([sys.executable, "-c", code, repr(time.time())], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        sys.exit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="cld-startup-")
    measure(APP_CHILD, home)  # first run creates the app's folders and warms the OS file cache
    app_runs = [measure(APP_CHILD, home) for _ in range(args.runs)]
    bare_runs = [measure(BARE_CHILD, home) for _ in range(args.runs)]
    assert all(r["visible"] for r in app_runs + bare_runs)
    app_shown = median([r["shown"] for r in app_runs])
    bare_shown = median([r["shown"] for r in bare_runs])
    app_rss = median([r["rss"] for r in app_runs]) / 2**20
    bare_rss = median([r["rss"] for r in bare_runs]) / 2**20
    print(f"platform: {os.environ.get('QT_QPA_PLATFORM') or ('xcb' if os.environ.get('DISPLAY') else 'offscreen')}, "
          f"{args.runs} runs each, medians")
    print(f"bare QMainWindow: shown after {bare_shown:.2f} s, RSS {bare_rss:.0f} MB")
    print(f"Code Llama Desktop: shown after {app_shown:.2f} s, RSS {app_rss:.0f} MB (no model loaded)")
    print(f"ratio app/bare: time {app_shown / bare_shown:.2f}, memory {app_rss / bare_rss:.2f}")
    print(f"window shown < 1.5 s: {app_shown:.2f} s {verdict(app_shown < 1.5)}")
    print(f"RSS without a model < 200 MB: {app_rss:.0f} MB {verdict(app_rss < 200)}")


if __name__ == "__main__":
    main()
