"""The project's own rules, checked on every run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_lint_and_qt_free_core() -> None:
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "app", "tests", "benchmarks", "scripts"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_core_imports_without_qt() -> None:
    modules = sorted("app.core." + ".".join(p.relative_to(ROOT / "app" / "core").with_suffix("").parts)
                     for p in (ROOT / "app" / "core").rglob("*.py") if p.name != "__init__.py")
    code = "import sys\n" + "".join(f"import {m}\n" for m in modules) + \
        "import app.cli, app.context\nassert not any(m.startswith(('PySide6', 'shiboken6')) for m in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
